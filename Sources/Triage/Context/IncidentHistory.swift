import AWSCore
import AWSServices
import Foundation
import Logging

/// The memory of earlier incidents, kept in the report bucket so every instance shares it: one
/// small index object per alarm, `<prefix>history/<hash of the alarm ARN>.json`, holding the
/// incidents of the last 30 days. Written with conditional writes (`If-None-Match: *` for the
/// first, `If-Match: <ETag>` after), re-read and merged on 412/409, so concurrent writers never
/// lose each other's entries.
public struct IncidentHistory: Sendable {
    public static let window: TimeInterval = 30 * 86_400
    public static let maxPrevious = 5
    /// Entries kept per alarm (the index stays small whatever the alarm does).
    public static let maxEntries = 200
    static let attempts = 6

    /// One delivered incident in the index.
    public struct Entry: Sendable, Equatable, Codable {
        public var alarmArn: String
        public var fingerprint: String
        public var incidentId: String
        public var openedAt: Date
        public var category: FindingCategory
        public var service: String?
        /// `s3://bucket/key` of its report.json.
        public var reportKey: String
        /// Its summary, cut to `maxSummary`, for the model.
        public var summary: String

        public init(
            alarmArn: String, fingerprint: String, incidentId: String, openedAt: Date, category: FindingCategory,
            service: String?,
            reportKey: String, summary: String
        ) {
            self.alarmArn = alarmArn
            self.fingerprint = fingerprint
            self.incidentId = incidentId
            self.openedAt = openedAt
            self.category = category
            self.service = service
            self.reportKey = reportKey
            self.summary = String(summary.prefix(IncidentHistory.maxSummary))
        }
    }

    static let maxSummary = 600

    struct Index: Codable {
        var version = 1
        var alarmArn: String
        var entries: [Entry]
    }

    /// An index that cannot be used.
    public struct HistoryError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private let s3: S3Client
    public let bucket: String
    public let prefix: String
    private let encryption: S3Encryption?
    private let logger: Logger

    public init(s3: S3Client, bucket: String, prefix: String, encryption: S3Encryption? = nil, logger: Logger) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.encryption = encryption
        self.logger = logger
    }

    /// A stable hash of (alarm ARN, top finding category, top finding service).
    public static func fingerprint(alarmArn: String, category: FindingCategory, service: String?) -> String {
        String(Digest.hex(Digest.sha256("\(alarmArn)|\(category.rawValue)|\(service ?? "")")).prefix(24))
    }

    public func key(alarmArn: String) -> String {
        "\(prefix)history/\(Digest.hex(Digest.sha256(alarmArn)).prefix(32)).json"
    }

    /// Earlier incidents with `fingerprint` opened in the 30 days before `openedAt` (not `incidentId`
    /// itself), newest first.
    public func earlier(alarmArn: String, fingerprint: String, incidentId: String, openedAt: Date) throws -> [Entry] {
        let entries = try load(alarmArn: alarmArn)?.index.entries ?? []
        return entries.filter {
            $0.fingerprint == fingerprint && $0.incidentId != incidentId && $0.openedAt <= openedAt
                && openedAt.timeIntervalSince($0.openedAt) <= Self.window
        }
        .sorted { $0.openedAt > $1.openedAt }
    }

    /// The report's `history` from `earlier` entries.
    public static func history(fingerprint: String, earlier: [Entry]) -> Report.History {
        Report.History(
            fingerprint: fingerprint, count30d: earlier.count,
            previous: earlier.prefix(maxPrevious).map {
                .init(
                    incidentId: $0.incidentId, openedAt: $0.openedAt, category: $0.category, service: $0.service,
                    reportKey: $0.reportKey)
            })
    }

    /// Adds `entry` (once: an incident already in the index is left as it is) and drops entries
    /// older than 30 days before `now`.
    public func record(_ entry: Entry, now: Date) throws {
        let alarmArn = entry.alarmArn
        let key = key(alarmArn: alarmArn)
        for _ in 0..<Self.attempts {
            let current = try load(alarmArn: alarmArn)
            var index = current?.index ?? Index(alarmArn: alarmArn, entries: [])
            if index.entries.contains(where: { $0.incidentId == entry.incidentId }) { return }
            index.entries.append(entry)
            index.entries = Array(
                index.entries.filter { now.timeIntervalSince($0.openedAt) <= Self.window }
                    .sorted { $0.openedAt > $1.openedAt }.prefix(Self.maxEntries))
            let body = Array(try Report.encoder.encode(index))
            do {
                try s3.putObject(
                    bucket: bucket, key: key, body: body, contentType: "application/json",
                    ifNoneMatch: current == nil, ifMatch: current?.etag, encryption: encryption)
                return
            } catch let error as S3ConditionalWriteError {
                // Another instance wrote the index in between: read it again and merge.
                logger.info(
                    "history index changed under us; merging again",
                    metadata: ["s3.key": "\(key)", "reason": "\(error.reason)"])
            }
        }
        throw HistoryError(description: "the history index \(key) kept changing under \(Self.attempts) attempts")
    }

    func load(alarmArn: String) throws -> (index: Index, etag: String?)? {
        let key = key(alarmArn: alarmArn)
        guard let (body, info) = try s3.getObjectIfPresent(bucket: bucket, key: key) else { return nil }
        do {
            return (try Report.decoder.decode(Index.self, from: Data(body)), info.etag)
        } catch {
            throw HistoryError(description: "s3://\(bucket)/\(key) is not a history index: \(error)")
        }
    }
}
