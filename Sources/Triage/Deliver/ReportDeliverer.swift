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

/// Delivers reports through the outbox: prepare (render and save everything), then local copy,
/// S3 (`If-None-Match: *`, encrypted; a 412 means another writer already delivered it), then SNS
/// at most once. Each step is recorded before the next, so a crash resumes where it stopped.
public struct ReportDeliverer: Sendable {
    private let s3: S3Client?
    private let sns: SNSClient?
    private let settings: DeliverySettings
    public let outbox: ReportOutbox
    private let clock: any WallClock
    private let logger: Logger
    /// Called after each recorded step; a test throws here to stop the delivery as a crash would.
    private let afterStep: @Sendable (DeliveryStep) throws -> Void

    public init(
        s3: S3Client?, sns: SNSClient?, settings: DeliverySettings, outbox: ReportOutbox, clock: any WallClock,
        logger: Logger, afterStep: @escaping @Sendable (DeliveryStep) throws -> Void = { _ in }
    ) {
        self.s3 = settings.bucket == nil ? nil : s3
        self.sns = settings.topicArn == nil ? nil : sns
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
        let files: [String: [UInt8]] = [
            "report.json": try report.json(),
            "report.md": Array(MarkdownRenderer.render(report).utf8),
            "report.html": Array(HTMLRenderer.render(report).utf8),
        ]
        let notification = sns == nil ? nil : IncidentNotification(report: report, format: settings.format)
        _ = try outbox.prepare(
            id, files: files, notification: notification, reportURL: report.links.report, at: clock.now())
        logger.info(
            "report prepared", metadata: ["incident.id": "\(id)", "report.severity": "\(report.severity.rawValue)"])
        try afterStep(.prepared)
        return report
    }

    /// Runs the remaining steps of a prepared delivery, retrying failed steps with backoff.
    public func resume(_ incidentId: String, openedAt: Date) throws -> DeliveryResult {
        var attempt = 1
        while true {
            do {
                return try runSteps(incidentId, openedAt: openedAt)
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
                if try putOnce(s3, bucket: bucket, key: key, name: name, progress: progress) {
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
        }
        if let sns, let topic = settings.topicArn {
            switch progress.notification {
            case .attempting:
                progress.notification = .unknown
                try outbox.save(progress)
                logger.warning(
                    "a restart interrupted publishing this incident's notification; not publishing again (at most once)",
                    metadata: ["incident.id": "\(incidentId)", "sns.topic_arn": "\(topic)"])
            case .pending:
                let notification = try outbox.notification(incidentId)
                progress.notification = .attempting
                try outbox.save(progress)
                do {
                    let id = try sns.publish(
                        topicArn: topic, message: notification.message, subject: notification.subject,
                        attributes: notification.snsAttributes)
                    progress.notification = .published
                    progress.notificationMessageId = id
                    try outbox.save(progress)
                    logger.info(
                        "notification published",
                        metadata: [
                            "incident.id": "\(incidentId)", "sns.message_id": "\(id)", "sns.topic_arn": "\(topic)",
                        ])
                } catch {
                    // An answered call (an AWS error) or a failed connection published nothing.
                    progress.notification = .pending
                    try outbox.save(progress)
                    throw DeliveryError(incidentId: incidentId, step: "sns:Publish to \(topic)", reason: "\(error)")
                }
                try afterStep(.published)
            case .published, .skipped, .unknown, .deliveredElsewhere:
                break
            }
        }
        progress.completedAt = clock.now()
        try outbox.save(progress)
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

    /// One conditional PutObject; true when another writer's object was already there (412 and
    /// not our token; our own earlier write, cut short by a crash, counts as written). A 409 (a
    /// racing conditional write) is retried, and then finds the winner's object.
    func putOnce(_ s3: S3Client, bucket: String, key: String, name: String, progress: DeliveryProgress) throws -> Bool {
        let incidentId = progress.incidentId
        let body = try outbox.file(incidentId, name)
        let contentType: String
        switch name {
        case "report.json": contentType = "application/json"
        case "report.md": contentType = "text/markdown; charset=utf-8"
        default: contentType = "text/html; charset=utf-8"
        }
        for _ in 0..<3 {
            do {
                try s3.putObject(
                    bucket: bucket, key: key, body: body, contentType: contentType, ifNoneMatch: true,
                    encryption: settings.encryption,
                    metadata: ["incident-id": incidentId, "delivery-token": progress.token])
                return false
            } catch let error as S3ConditionalWriteError where error.reason == .preconditionFailed {
                let existing: S3ObjectInfo?
                do {
                    existing = try s3.headObject(bucket: bucket, key: key)
                } catch {
                    throw DeliveryError(incidentId: incidentId, step: "s3:HeadObject \(key)", reason: "\(error)")
                }
                if existing?.metadata["delivery-token"] == progress.token { return false }
                logger.info(
                    "report object already delivered; not overwritten",
                    metadata: ["incident.id": "\(incidentId)", "s3.key": "\(key)"])
                return true
            } catch let error as S3ConditionalWriteError {
                logger.info("conditional write raced another writer; retrying", metadata: ["s3.key": "\(error.key)"])
            } catch {
                throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "\(error)")
            }
        }
        throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "kept racing another writer")
    }
}
