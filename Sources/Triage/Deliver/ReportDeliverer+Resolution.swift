import AWSCore
import AWSServices
import Foundation

/// The follow-up once every alarm of a delivered incident is back to OK: report.json gets its
/// `resolution`, the three files are rendered again and written at the same keys, each only while
/// it still has the ETag we wrote (`If-Match`; a report someone else wrote is never replaced), and
/// one notification goes out at most once (`status` = `resolved`, the same chat `threadId`). The
/// steps are recorded in the outbox like the first delivery's, so a crash or a duplicate OK sends
/// nothing twice.
extension ReportDeliverer {
    /// Resolves a delivered incident (resuming a follow-up already prepared). Throws when the first
    /// report is not delivered yet, or a step keeps failing.
    public func resolve(_ incidentId: String, openedAt: Date, resolvedAt: Date) throws -> ResolutionResult {
        guard var progress = try outbox.progress(incidentId), progress.completedAt != nil else {
            throw DeliveryError(
                incidentId: incidentId, step: "resolution", reason: "the first report is not delivered yet")
        }
        if progress.resolution == nil {
            try prepareResolution(&progress, resolvedAt: resolvedAt)
        }
        return try retrying(incidentId) { try runResolutionSteps(incidentId, openedAt: openedAt) }
    }

    /// Renders the resolved report into the outbox's `resolved/` folder with its notification.
    func prepareResolution(_ progress: inout DeliveryProgress, resolvedAt: Date) throws {
        let id = progress.incidentId
        let original: Report
        do {
            original = try Report.decoder.decode(Report.self, from: Data(try outbox.file(id, "report.json")))
        } catch {
            throw DeliveryError(incidentId: id, step: "resolution", reason: "the outbox report.json: \(error)")
        }
        if original.resolution != nil || progress.notification == .deliveredElsewhere {
            // It went out resolved (the OK came before delivery), or another writer owns this
            // incident's report and its notifications: no follow-up from here.
            var done = ResolutionProgress(
                resolvedAt: original.resolution?.resolvedAt ?? resolvedAt, preparedAt: clock.now(),
                notification: .skipped)
            done.completedAt = clock.now()
            progress.resolution = done
            try outbox.save(progress)
            logger.info(
                "no resolution follow-up needed",
                metadata: [
                    "incident.id": "\(id)",
                    "reason":
                        "\(original.resolution != nil ? "delivered already resolved" : "delivered by another writer")",
                ])
            return
        }
        let report = original.resolved(at: resolvedAt)
        let notification = sns == nil ? nil : IncidentNotification(report: report, format: settings.format)
        try outbox.write(
            id, files: try Self.files(report, folder: ReportOutbox.resolvedFolder), notification: notification,
            notificationName: ReportOutbox.resolvedFolder + "notification.json")
        progress.resolution = ResolutionProgress(
            resolvedAt: resolvedAt, preparedAt: clock.now(), notification: notification == nil ? .skipped : .pending)
        try outbox.save(progress)
        logger.info(
            "resolution prepared",
            metadata: [
                "incident.id": "\(id)",
                "duration_s": "\(Int(report.resolution?.durationSeconds ?? 0))",
            ])
        try afterStep(.resolutionPrepared)
    }

    func runResolutionSteps(_ incidentId: String, openedAt: Date) throws -> ResolutionResult {
        guard var progress = try outbox.progress(incidentId), let resolution = progress.resolution else {
            throw DeliveryError(incidentId: incidentId, step: "outbox", reason: "no prepared resolution")
        }
        let folder = ReportOutbox.resolvedFolder
        if resolution.completedAt == nil {
            if let local = settings.localDirectory, !resolution.localWritten {
                let target = local.appendingPathComponent(incidentId, isDirectory: true)
                do {
                    for name in ReportOutbox.files {
                        try DurableFile.replace(
                            target.appendingPathComponent(name), with: try outbox.file(incidentId, folder + name),
                            mode: 0o644)
                    }
                } catch {
                    throw DeliveryError(
                        incidentId: incidentId, step: "local copy to \(target.path)", reason: "\(error)")
                }
                progress.resolution?.localWritten = true
                try outbox.save(progress)
            }
            if let s3, let bucket = settings.bucket {
                for name in ["report.html", "report.md", "report.json"] {
                    let done = progress.resolution.map { $0.s3Rewritten + $0.s3Refused } ?? []
                    guard !done.contains(name) else { continue }
                    let key = settings.key(incidentId: incidentId, openedAt: openedAt, name: name)
                    if let etag = try replaceOwn(s3, bucket: bucket, key: key, name: name, progress: progress) {
                        progress.resolution?.s3Rewritten.append(name)
                        if !etag.isEmpty { progress.etags = (progress.etags ?? [:]).merging([name: etag]) { $1 } }
                    } else {
                        progress.resolution?.s3Refused.append(name)
                    }
                    try outbox.save(progress)
                }
                try afterStep(.resolutionS3Written)
            }
            if try publishOnce(
                &progress, state: \.resolution!.notification, messageId: \.resolution!.notificationMessageId,
                file: folder + "notification.json")
            {
                try afterStep(.resolutionPublished)
            }
            progress.resolution?.completedAt = clock.now()
            try outbox.save(progress)
            logger.info(
                "resolution delivered",
                metadata: [
                    "incident.id": "\(incidentId)",
                    "sns.state": "\(progress.resolution?.notification.rawValue ?? "-")",
                    "s3.refused": "\(progress.resolution?.s3Refused ?? [])",
                ])
        }
        let final = progress.resolution ?? resolution
        return ResolutionResult(
            incidentId: incidentId, rewritten: final.s3Rewritten, refused: final.s3Refused,
            notification: final.notification, notificationMessageId: final.notificationMessageId)
    }

    /// Writes the resolved rendering of `name` over our own object only (`If-Match` on the ETag we
    /// wrote). Returns the new ETag (empty when S3 sent none), or nil when the object is not ours
    /// any more: replaced by someone else (412), deleted (404), or never written by us.
    func replaceOwn(_ s3: S3Client, bucket: String, key: String, name: String, progress: DeliveryProgress) throws
        -> String?
    {
        let incidentId = progress.incidentId
        guard let etag = progress.etags?[name] else {
            logger.warning(
                "report object not written by this instance; not replaced",
                metadata: ["incident.id": "\(incidentId)", "s3.key": "\(key)"])
            return nil
        }
        let body = try outbox.file(incidentId, ReportOutbox.resolvedFolder + name)
        for _ in 0..<3 {
            do {
                return try s3.putObject(
                    bucket: bucket, key: key, body: body, contentType: Self.contentType(name), ifMatch: etag,
                    encryption: settings.encryption,
                    metadata: ["incident-id": incidentId, "delivery-token": progress.token, "rendering": "resolved"])
                    ?? ""
            } catch let error as S3ConditionalWriteError where error.reason == .preconditionFailed {
                // Our own resolved write, cut short by a crash before it was recorded, is ours.
                let existing = try head(s3, bucket: bucket, key: key, incidentId: incidentId)
                if let existing, existing.metadata["delivery-token"] == progress.token,
                    existing.metadata["rendering"] == "resolved"
                {
                    return existing.etag ?? ""
                }
                logger.warning(
                    "report object replaced by another writer since we wrote it; not overwritten",
                    metadata: ["incident.id": "\(incidentId)", "s3.key": "\(key)"])
                return nil
            } catch let error as S3ConditionalWriteError {
                logger.info("conditional write raced another writer; retrying", metadata: ["s3.key": "\(error.key)"])
            } catch let error as AWSError where error.httpStatus == 404 {
                logger.warning(
                    "report object deleted since we wrote it; not written again",
                    metadata: [
                        "incident.id": "\(incidentId)", "s3.key": "\(key)",
                        "aws.request_id": "\(error.requestId ?? "-")",
                    ])
                return nil
            } catch {
                throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "\(error)")
            }
        }
        throw DeliveryError(incidentId: incidentId, step: "s3:PutObject \(key)", reason: "kept racing another writer")
    }
}
