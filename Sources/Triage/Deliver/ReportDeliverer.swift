import AWSCore
import AWSServices
import Foundation
import Logging

/// Where and how reports go (the `report` section of the configuration).
public struct DeliverySettings: Sendable {
    public var bucket: String?
    public var prefix = "incidents/"
    /// Lifetime of the link to `report.html`; capped at 7 days (SigV4's limit).
    public var presignExpiry: TimeInterval = 86_400
    public var encryption: S3Encryption = .aes256
    public var topicArn: String?
    public var format = IncidentNotification.Format.text
    /// Also write every report here, under `<incident-id>/`.
    public var localDirectory: URL?
    /// Attempts per delivery before giving up for now (the outbox keeps it for later).
    public var attempts = 3
    /// Pause before the second attempt; doubled after each.
    public var backoff: TimeInterval = 2

    public init() {}

    /// The S3 key of an object: `<prefix><yyyy>/<mm>/<dd>/<incident-id>/<name>`, dated by the
    /// incident's opening (so every instance and every retry computes the same key).
    public func key(incidentId: String, openedAt: Date, name: String) -> String {
        let day = AWSTimestamp.format(openedAt).prefix(10).split(separator: "-").joined(separator: "/")
        return "\(prefix)\(day)/\(incidentId)/\(name)"
    }
}

/// One step of a delivery, for tests that simulate a crash between steps.
public enum DeliveryStep: String, Sendable {
    case prepared, localWritten, s3Written, published
    /// The resolution follow-up's steps.
    case resolutionPrepared, resolutionS3Written, resolutionPublished
}

/// What a delivery did.
public struct DeliveryResult: Sendable, Equatable {
    public var incidentId: String
    /// `s3://bucket/key` of report.json, when S3 is configured.
    public var reportObject: String?
    public var reportURL: String?
    /// Objects another writer had already delivered (412 on our conditional write, not our token).
    public var alreadyPresent: [String]
    public var notification: DeliveryProgress.NotificationState
    public var notificationMessageId: String?
}

/// A delivery that did not complete; the outbox keeps its progress.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public let incidentId: String
    public let step: String
    public let reason: String
    public var description: String { "delivery of incident \(incidentId) failed at \(step): \(reason)" }
}

/// What a resolution follow-up did.
public struct ResolutionResult: Sendable, Equatable {
    public var incidentId: String
    /// Objects rendered again, and those left alone because another writer had replaced them.
    public var rewritten: [String]
    public var refused: [String]
    public var notification: DeliveryProgress.NotificationState
    public var notificationMessageId: String?
}

/// Delivers reports through the outbox: prepare (render and save everything), then local copy,
/// S3 (`If-None-Match: *`, encrypted; a 412 means another writer already delivered it), the
/// shared history index, then SNS at most once. Each step is recorded before the next, so a crash
/// resumes where it stopped. Once every alarm is back to OK, `resolve` renders the report again
/// at the same keys (`If-Match` on the ETags we wrote) and publishes one follow-up the same way.
public struct ReportDeliverer: Sendable {
    // Internal, not private: the resolution steps (ReportDeliverer+Resolution.swift) use them.
    let s3: S3Client?
    let sns: SNSClient?
    /// The earlier incidents index, in the report bucket (nil without one).
    public let history: IncidentHistory?
    let settings: DeliverySettings
    public let outbox: ReportOutbox
    let clock: any WallClock
    let logger: Logger
    /// Called after each recorded step; a test throws here to stop the delivery as a crash would.
    let afterStep: @Sendable (DeliveryStep) throws -> Void

    public init(
        s3: S3Client?, sns: SNSClient?, settings: DeliverySettings, outbox: ReportOutbox, clock: any WallClock,
        logger: Logger, afterStep: @escaping @Sendable (DeliveryStep) throws -> Void = { _ in }
    ) {
        self.s3 = settings.bucket == nil ? nil : s3
        self.sns = settings.topicArn == nil ? nil : sns
        if let s3, let bucket = settings.bucket {
            history = IncidentHistory(
                s3: s3, bucket: bucket, prefix: settings.prefix, encryption: settings.encryption, logger: logger)
        } else {
            history = nil
        }
        self.settings = settings
        self.outbox = outbox
        self.clock = clock
        self.logger = logger
        self.afterStep = afterStep
    }

    /// Prepares `report` (unless this incident's report is already in the outbox, in which case
    /// the saved one is kept) and delivers it.
    public func deliver(_ report: Report) throws -> DeliveryResult {
        if try outbox.progress(report.incident.id) == nil {
            try prepare(report)
        }
        return try resume(report.incident.id, openedAt: report.incident.openedAt)
    }

    /// Renders the three files with the links filled in and saves them with the notification.
    @discardableResult
    public func prepare(_ report: Report) throws -> Report {
        var report = report
        let id = report.incident.id
        if let bucket = settings.bucket {
            let key = { (name: String) in settings.key(incidentId: id, openedAt: report.incident.openedAt, name: name) }
            report.links.objects = .init(
                json: "s3://\(bucket)/\(key("report.json"))", markdown: "s3://\(bucket)/\(key("report.md"))",
                html: "s3://\(bucket)/\(key("report.html"))")
            if let s3 {
                let expiry = Int(min(max(1, settings.presignExpiry), 604_800))
                let link = try s3.presignedGetURLCapped(bucket: bucket, key: key("report.html"), expires: expiry)
                report.links.report = link.url
                if link.expires < expiry {
                    // Temporary credentials signed it: the link dies with them, and the report says so.
                    report.gaps.append(
                        Gap(
                            source: "s3",
                            reason: "the report link is valid for \(link.expires) s, not \(expiry) s: "
                                + "the credentials that signed it expire then"))
                }
            }
        }
        var historyEntry: IncidentHistory.Entry?
        if let history, let objects = report.links.objects, let alarmArn = report.openingAlarm?.arn {
            let fingerprint = report.fingerprint
            do {
                let earlier = try history.earlier(
                    alarmArn: alarmArn, fingerprint: fingerprint, incidentId: id, openedAt: report.incident.openedAt)
                report = ReportBuilder.withHistory(
                    report, IncidentHistory.history(fingerprint: fingerprint, earlier: earlier))
            } catch {
                report.gaps.append(Gap(source: "history", reason: "\(error)"))
                logger.warning("earlier incidents unreadable", metadata: ["incident.id": "\(id)", "error": "\(error)"])
            }
            historyEntry = IncidentHistory.Entry(
                alarmArn: alarmArn, fingerprint: fingerprint, incidentId: id, openedAt: report.incident.openedAt,
                category: report.topFinding?.category ?? .unknown, service: ReportBuilder.topService(report.findings),
                reportKey: objects.json, summary: report.summary)
        }
        let notification = sns == nil ? nil : IncidentNotification(report: report, format: settings.format)
        _ = try outbox.prepare(
            id, files: try Self.files(report), notification: notification, reportURL: report.links.report,
            historyEntry: historyEntry, at: clock.now())
        logger.info(
            "report prepared", metadata: ["incident.id": "\(id)", "report.severity": "\(report.severity.rawValue)"])
        try afterStep(.prepared)
        return report
    }

    /// The three rendered files of `report`, under `folder`.
    static func files(_ report: Report, folder: String = "") throws -> [String: [UInt8]] {
        [
            folder + "report.json": try report.json(),
            folder + "report.md": Array(MarkdownRenderer.render(report).utf8),
            folder + "report.html": Array(HTMLRenderer.render(report).utf8),
        ]
    }

    /// Runs the remaining steps of a prepared delivery, retrying failed steps with backoff.
    public func resume(_ incidentId: String, openedAt: Date) throws -> DeliveryResult {
        try retrying(incidentId) { try runSteps(incidentId, openedAt: openedAt) }
    }

    /// Runs `steps` until they succeed or `settings.attempts` have failed, recording each failure.
    func retrying<T>(_ incidentId: String, _ steps: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try steps()
            } catch let error as DeliveryError {
                if var progress = try outbox.progress(incidentId) {
                    progress.failures += 1
                    progress.lastError = error.description
                    try outbox.save(progress)
                }
                guard attempt < settings.attempts else { throw error }
                logger.warning(
                    "delivery step failed; retrying",
                    metadata: ["incident.id": "\(incidentId)", "error": "\(error.reason)", "attempt": "\(attempt)"])
                Thread.sleep(forTimeInterval: settings.backoff * pow(2, Double(attempt - 1)))
                attempt += 1
            }
        }
    }

    func runSteps(_ incidentId: String, openedAt: Date) throws -> DeliveryResult {
        guard var progress = try outbox.progress(incidentId) else {
            throw DeliveryError(incidentId: incidentId, step: "outbox", reason: "no prepared report")
        }
        var result = DeliveryResult(
            incidentId: incidentId, reportObject: nil, reportURL: progress.reportURL, alreadyPresent: [],
            notification: progress.notification, notificationMessageId: progress.notificationMessageId)
        if let local = settings.localDirectory, !progress.localWritten {
            let folder = local.appendingPathComponent(incidentId, isDirectory: true)
            do {
                for name in ReportOutbox.files {
                    try DurableFile.replace(
                        folder.appendingPathComponent(name), with: try outbox.file(incidentId, name), mode: 0o644)
                }
            } catch {
                throw DeliveryError(incidentId: incidentId, step: "local copy to \(folder.path)", reason: "\(error)")
            }
            progress.localWritten = true
            try outbox.save(progress)
            try afterStep(.localWritten)
        }
        if let s3, let bucket = settings.bucket {
            // report.json last: its presence means the set is complete.
            for name in ["report.html", "report.md", "report.json"] where !progress.s3Delivered.contains(name) {
                let key = settings.key(incidentId: incidentId, openedAt: openedAt, name: name)
                let (present, etag) = try putOnce(s3, bucket: bucket, key: key, name: name, progress: progress)
                if let etag, !present { progress.etags = (progress.etags ?? [:]).merging([name: etag]) { $1 } }
                if present {
                    result.alreadyPresent.append(name)
                    if name == "report.json" && progress.notification == .pending {
                        progress.notification = .deliveredElsewhere
                        logger.warning(
                            "this incident's report was already delivered by another writer; not notifying again",
                            metadata: ["incident.id": "\(incidentId)", "s3.key": "\(key)"])
                    }
                }
                progress.s3Delivered.append(name)
                try outbox.save(progress)
            }
            result.reportObject =
                "s3://\(bucket)/\(settings.key(incidentId: incidentId, openedAt: openedAt, name: "report.json"))"
            try afterStep(.s3Written)
            recordHistory(&progress)
        }
        if try publishOnce(
            &progress, state: \.notification, messageId: \.notificationMessageId, file: "notification.json")
        {
            try afterStep(.published)
        }
        progress.completedAt = clock.now()
        try outbox.save(progress)
        // Entries completed longer ago than the incidents are remembered go with them.
        outbox.prune(completedBefore: clock.now().addingTimeInterval(-IncidentTracker.retention))
        result.notification = progress.notification
        result.notificationMessageId = progress.notificationMessageId
        logger.info(
            "report delivered",
            metadata: [
                "incident.id": "\(incidentId)", "s3.object": "\(result.reportObject ?? "-")",
                "sns.state": "\(progress.notification.rawValue)",
            ])
        return result
    }

    /// Adds this incident to the shared history index once its report.json is in S3. Not fatal: a
    /// failure is logged and tried again on the next resume; the report is delivered regardless.
    func recordHistory(_ progress: inout DeliveryProgress) {
        guard let history, let entry = progress.historyEntry, progress.historyRecorded != true,
            progress.notification != .deliveredElsewhere
        else { return }
        do {
            try history.record(entry, now: clock.now())
            progress.historyRecorded = true
            try outbox.save(progress)
        } catch {
            logger.warning(
                "incident not added to the history index",
                metadata: ["incident.id": "\(progress.incidentId)", "error": "\(error)"])
        }
    }

    /// Publishes the notification saved as `file` at most once: `attempting` is saved before the
    /// call, so a restart that finds it does not publish again (`unknown`). True when published now.
    func publishOnce(
        _ progress: inout DeliveryProgress,
        state: WritableKeyPath<DeliveryProgress, DeliveryProgress.NotificationState>,
        messageId: WritableKeyPath<DeliveryProgress, String?>, file: String
    ) throws -> Bool {
        guard let sns, let topic = settings.topicArn else { return false }
        let incidentId = progress.incidentId
        switch progress[keyPath: state] {
        case .attempting:
            progress[keyPath: state] = .unknown
            try outbox.save(progress)
            logger.warning(
                "a restart interrupted publishing this incident's notification; not publishing again (at most once)",
                metadata: ["incident.id": "\(incidentId)", "sns.topic_arn": "\(topic)", "outbox.file": "\(file)"])
            return false
        case .pending:
            let notification = try outbox.notification(incidentId, name: file)
            progress[keyPath: state] = .attempting
            try outbox.save(progress)
            do {
                let id = try sns.publish(
                    topicArn: topic, message: notification.message, subject: notification.subject,
                    attributes: notification.snsAttributes)
                progress[keyPath: state] = .published
                progress[keyPath: messageId] = id
                try outbox.save(progress)
                logger.info(
                    "notification published",
                    metadata: [
                        "incident.id": "\(incidentId)", "sns.message_id": "\(id)", "sns.topic_arn": "\(topic)",
                        "outbox.file": "\(file)",
                    ])
                return true
            } catch {
                // An answered call (an AWS error) or a failed connection published nothing.
                progress[keyPath: state] = .pending
                try outbox.save(progress)
                throw DeliveryError(incidentId: incidentId, step: "sns:Publish to \(topic)", reason: "\(error)")
            }
        case .published, .skipped, .unknown, .deliveredElsewhere:
            return false
        }
    }

    /// One conditional PutObject; `present` when another writer's object was already there (412
    /// and not our token; our own earlier write, cut short by a crash, counts as written), with the
    /// ETag of our object. A 409 (a racing conditional write) is retried, and then finds the
    /// winner's object.
    func putOnce(_ s3: S3Client, bucket: String, key: String, name: String, progress: DeliveryProgress) throws -> (
        present: Bool, etag: String?
    ) {
        let incidentId = progress.incidentId
        let body = try outbox.file(incidentId, name)
        for _ in 0..<3 {
            do {
                let etag = try s3.putObject(
                    bucket: bucket, key: key, body: body, contentType: Self.contentType(name), ifNoneMatch: true,
                    encryption: settings.encryption,
                    metadata: ["incident-id": incidentId, "delivery-token": progress.token])
                return (false, etag)
            } catch let error as S3ConditionalWriteError where error.reason == .preconditionFailed {
                let existing = try head(s3, bucket: bucket, key: key, incidentId: incidentId)
                if existing?.metadata["delivery-token"] == progress.token { return (false, existing?.etag) }
                logger.info(
                    "report object already delivered; not overwritten",
                    metadata: ["incident.id": "\(incidentId)", "s3.key": "\(key)"])
                return (true, nil)
            } catch let error as S3ConditionalWriteError {
                logger.info("conditional write raced another writer; retrying", metadata: ["s3.key": "\(error.key)"])
            } catch {
                throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "\(error)")
            }
        }
        throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "kept racing another writer")
    }

    /// HeadObject after a refused conditional write, to see whose object is there.
    func head(_ s3: S3Client, bucket: String, key: String, incidentId: String) throws -> S3ObjectInfo? {
        do {
            return try s3.headObject(bucket: bucket, key: key)
        } catch {
            throw DeliveryError(incidentId: incidentId, step: "s3:HeadObject \(key)", reason: "\(error)")
        }
    }

    static func contentType(_ name: String) -> String {
        switch name {
        case "report.json": return "application/json"
        case "report.md": return "text/markdown; charset=utf-8"
        default: return "text/html; charset=utf-8"
        }
    }
}
