import Foundation

/// How far one report's delivery has come; saved after every step.
public struct DeliveryProgress: Sendable, Equatable, Codable {
    /// The notification's state. `attempting` is saved before Publish is called, so a crash during
    /// the call is noticed on restart and the notification is not sent a second time.
    public enum NotificationState: String, Sendable, Codable {
        case pending, attempting, published, skipped
        /// A restart found `attempting`: SNS may or may not have it; not sent again (at most once).
        case unknown
        /// Another writer (an earlier run whose state is gone, another instance) had already put
        /// this incident's report.json in S3, so it owns the notification.
        case deliveredElsewhere = "delivered_elsewhere"
    }

    public var incidentId: String
    /// Written as object metadata, so a 412 on our own earlier write is told apart from another writer's.
    public var token: String
    public var preparedAt: Date
    /// The presigned link to report.html made at preparation (the one in the files).
    public var reportURL: String?
    /// Object file names already in S3 (written by us or found there).
    public var s3Delivered: [String] = []
    public var localWritten = false
    public var notification = NotificationState.pending
    public var notificationMessageId: String?
    public var completedAt: Date?
    /// Delivery attempts that failed, with the last error.
    public var failures = 0
    public var lastError: String?
    /// The ETag of each object as we wrote it, so a later rewrite replaces only our own object
    /// (`If-Match`). Optional: progress files from before it existed lack it.
    public var etags: [String: String]?
    /// The entry this incident adds to the shared history index, and whether it is in.
    public var historyEntry: IncidentHistory.Entry?
    public var historyRecorded: Bool?
    /// The follow-up once every alarm is back to OK (nil until then).
    public var resolution: ResolutionProgress?
}

/// How far the resolution follow-up has come: the three objects rendered again at the same keys
/// (each only if it still has the ETag we wrote), then one notification at most once.
public struct ResolutionProgress: Sendable, Equatable, Codable {
    public var resolvedAt: Date
    public var preparedAt: Date
    /// Objects rewritten, and those left alone because someone else had replaced them (412).
    public var s3Rewritten: [String] = []
    public var s3Refused: [String] = []
    public var localWritten = false
    public var notification: DeliveryProgress.NotificationState
    public var notificationMessageId: String?
    public var completedAt: Date?

    public init(resolvedAt: Date, preparedAt: Date, notification: DeliveryProgress.NotificationState) {
        self.resolvedAt = resolvedAt
        self.preparedAt = preparedAt
        self.notification = notification
    }
}

/// The delivery outbox in the state directory: `outbox/<incident-id>/` holds the rendered report
/// (`report.json`, `report.md`, `report.html`), the prepared notification and `progress.json`.
/// Everything is written before anything is sent, so a crash between steps resumes with the same
/// bytes and the same link; `progress.json` is written last and marks the entry as prepared.
public struct ReportOutbox: Sendable {
    public static let files = ["report.json", "report.md", "report.html"]
    public let directory: URL

    public init(stateDirectory: URL) {
        directory = stateDirectory.appendingPathComponent("outbox", isDirectory: true)
    }

    public func entry(_ incidentId: String) -> URL {
        directory.appendingPathComponent(incidentId, isDirectory: true)
    }

    /// The resolved rendering of an entry is kept in its `resolved/` folder, same file names.
    public static let resolvedFolder = "resolved/"

    /// The saved progress, or nil when this incident has no prepared report.
    public func progress(_ incidentId: String) throws -> DeliveryProgress? {
        let file = entry(incidentId).appendingPathComponent("progress.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        do {
            return try Self.decoder.decode(DeliveryProgress.self, from: data)
        } catch {
            throw DurableFile.WriteError(description: "\(file.path) is not a valid delivery progress file: \(error)")
        }
    }

    public func save(_ progress: DeliveryProgress) throws {
        try DurableFile.replace(
            entry(progress.incidentId).appendingPathComponent("progress.json"),
            with: Array(try Self.encoder.encode(progress)))
    }

    /// Writes the rendered files and the notification, then the progress that marks them prepared.
    func prepare(
        _ incidentId: String, files: [String: [UInt8]], notification: IncidentNotification?, reportURL: String?,
        historyEntry: IncidentHistory.Entry?, at now: Date
    ) throws -> DeliveryProgress {
        try write(incidentId, files: files, notification: notification)
        var progress = DeliveryProgress(
            incidentId: incidentId, token: UUID().uuidString.lowercased(), preparedAt: now, reportURL: reportURL,
            notification: notification == nil ? .skipped : .pending)
        progress.historyEntry = historyEntry
        try save(progress)
        return progress
    }

    /// Writes rendered files (names may start with `resolved/`, the resolved rendering's folder)
    /// and a notification.
    func write(
        _ incidentId: String, files: [String: [UInt8]], notification: IncidentNotification?,
        notificationName: String = "notification.json"
    ) throws {
        let folder = entry(incidentId)
        for (name, bytes) in files { try DurableFile.replace(folder.appendingPathComponent(name), with: bytes) }
        if let notification {
            try DurableFile.replace(
                folder.appendingPathComponent(notificationName), with: Array(try Self.encoder.encode(notification)))
        }
    }

    func file(_ incidentId: String, _ name: String) throws -> [UInt8] {
        let url = entry(incidentId).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DurableFile.WriteError(description: "the outbox lost \(url.path)")
        }
        return Array(data)
    }

    func notification(_ incidentId: String, name: String = "notification.json") throws -> IncidentNotification {
        try Self.decoder.decode(IncidentNotification.self, from: Data(try file(incidentId, name)))
    }

    /// Incidents with a prepared report that is not completely delivered.
    public func unfinished() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { name in
            guard let saved = try? progress(name) else { return false }
            return saved.completedAt == nil
        }
    }

    /// Incidents whose resolution follow-up is prepared but not completely delivered.
    public func unfinishedResolutions() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { name in
            guard let saved = try? progress(name), let resolution = saved.resolution else { return false }
            return resolution.completedAt == nil
        }
    }

    /// Removes entries completed (and resolved, if they were) before `cutoff`.
    public func prune(completedBefore cutoff: Date) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names {
            guard let saved = (try? progress(name)) ?? nil, let completed = saved.completedAt, completed < cutoff,
                saved.resolution.map({ ($0.completedAt ?? .distantFuture) < cutoff }) ?? true
            else { continue }
            try? FileManager.default.removeItem(at: entry(name))
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}
