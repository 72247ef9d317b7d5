import AWSCore
import Foundation
import Triage

/// The incidents' side of `Daemon`: the worker pool, one incident from investigation to delivery,
/// and the resolution follow-ups. What is queued, running and held is `DaemonState`'s.
extension Daemon {
    /// Queues an incident for a worker unless it is already queued or running.
    func schedule(_ incident: IncidentTracker.Incident) {
        guard state.withLock({ $0.incidentQueued(incident.id) }) else { return }
        scheduler.async {
            self.slots.wait()
            guard self.state.withLock({ $0.incidentStarted(incident.id, now: self.clock.now()) }) else {
                self.slots.signal()
                return
            }
            self.workers.async {
                self.work(incident)
                let actions = self.state.withLock { $0.incidentFinished(incident.id) }
                self.slots.signal()
                self.perform(actions)
            }
        }
    }

    /// One incident on a worker: claimed, investigated (or resumed from the outbox), delivered, and
    /// its held messages settled; a failure hands it back for a retry.
    func work(_ incident: IncidentTracker.Incident) {
        let id = incident.id
        let current = runtime.withLock { $0 }
        do {
            guard try intake.begin(id) else {
                // Delivered meanwhile, or another instance holds it (its messages come back after
                // their visibility timeout).
                let delivered = intake.incident(id)?.phase == .delivered
                perform(state.withLock { $0.incidentSettled(id, delivered ? .delivered : .claimedElsewhere) })
                return
            }
            let deliverer = current.deliverer
            let started = clock.now()
            let result: DeliveryResult
            if let progress = try deliverer.outbox.progress(id) {
                logger.info(
                    "resuming the delivery of a prepared report",
                    metadata: ["incident.id": "\(id)", "sns.state": "\(progress.notification.rawValue)"])
                result = try deliverer.resume(id, openedAt: incident.openedAt)
            } else {
                // As it stands now: alarms may have joined since it was queued.
                let latest = intake.incident(id) ?? incident
                let event = try current.openingEvent(of: latest)
                var (report, durations) = current.investigator.investigate(latest, alarm: event)
                var values: [String: (Double, MetricsEmitter.Unit)] = [
                    "CollectDuration": (durations.collect * 1000, .milliseconds),
                    "AnalyseDuration": (durations.analyse * 1000, .milliseconds),
                    "ModelInputTokens": (Double(report.analysis.usage.inputTokens), .count),
                    "ModelOutputTokens": (Double(report.analysis.usage.outputTokens), .count),
                    "ModelCostUSD": (report.analysis.usage.estimatedCostUsd, .none),
                    "ModelCacheReadTokens": (Double(report.analysis.usage.cacheReadTokens ?? 0), .count),
                    "ModelCacheWriteTokens": (Double(report.analysis.usage.cacheWriteTokens ?? 0), .count),
                    "ModelAttempts": (Double(report.analysis.attempts ?? 0), .count),
                    "ModelTruncated": (report.analysis.truncated == true ? 1 : 0, .count),
                ]
                values["ModelCalls"] = (report.analysis.source == .bedrock ? 1 : 0, .count)
                var properties = ["incident.id": id, "analysis.source": report.analysis.source.rawValue]
                if let model = report.analysis.answeredBy { properties["model.id"] = model }
                metrics.emit(values, properties: properties)
                let delivering = clock.now()
                // Every alarm back to OK before the report went out: it goes out resolved, with one notification.
                if report.resolution == nil, let resolvedAt = intake.incident(id)?.resolvedAt {
                    report = report.resolved(at: resolvedAt)
                }
                result = try deliverer.deliver(report)
                metrics.emit(
                    ["DeliverDuration": (clock.now().timeIntervalSince(delivering) * 1000, .milliseconds)],
                    properties: ["incident.id": id])
            }
            try intake.finish(id)
            perform(state.withLock { $0.incidentSettled(id, .delivered) })
            metrics.emit(
                [
                    "IncidentsDelivered": (1, .count),
                    "IncidentDuration": (clock.now().timeIntervalSince(started) * 1000, .milliseconds),
                ], properties: ["incident.id": id, "sns.state": result.notification.rawValue])
            // An OK that came while it was investigated: the follow-up now that it is delivered.
            if intake.incident(id)?.resolvedAt != nil { resolve(id, deliverer: deliverer) }
        } catch {
            logger.error(
                "incident failed; it will be retried", metadata: ["incident.id": "\(id)", "error": "\(error)"])
            metrics.count("IncidentsFailed", properties: ["incident.id": id])
            reopen(id)
            perform(state.withLock { $0.incidentSettled(id, .failed) })
        }
    }

    /// Runs the resolution follow-up of a delivered incident on a worker, unless one is queued or running.
    func scheduleResolution(_ id: String) {
        guard state.withLock({ $0.resolutionQueued(id) }) else { return }
        workers.async {
            self.slots.wait()
            var actions: [DaemonState.Action] = []
            if self.state.withLock({ $0.resolutionStarted(id) }) {
                self.resolve(id, deliverer: self.runtime.withLock { $0.deliverer })
                actions = self.state.withLock { $0.resolutionFinished(id) }
            }
            self.slots.signal()
            self.perform(actions)
        }
    }

    /// The follow-up of a delivered, resolved incident through the outbox (nothing is sent twice).
    func resolve(_ id: String, deliverer: ReportDeliverer) {
        guard let incident = intake.incident(id), incident.phase == .delivered, let resolvedAt = incident.resolvedAt
        else { return }
        do {
            guard try deliverer.outbox.progress(id) != nil else {
                // Decision: the follow-up comes from the instance that delivered the report (its
                // outbox holds the ETags); without the entry there is nothing this one may replace.
                logger.warning(
                    "resolved incident has no delivery in this outbox; no follow-up from this instance",
                    metadata: ["incident.id": "\(id)"])
                return
            }
            let result = try deliverer.resolve(id, openedAt: incident.openedAt, resolvedAt: resolvedAt)
            metrics.emit(
                ["ResolutionsDelivered": (1, .count)],
                properties: ["incident.id": id, "sns.state": result.notification.rawValue])
        } catch {
            logger.error(
                "resolution follow-up failed; it is retried at the next start",
                metadata: ["incident.id": "\(id)", "error": "\(error)"])
        }
    }
}
