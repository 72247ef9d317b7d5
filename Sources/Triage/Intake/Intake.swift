import AWSCore
import Foundation
import Logging
import Synchronization

/// The tracker, its store and the claims behind one lock: every decision is saved before it is
/// acted on, so a crash at any point loses no incident and repeats no delivery.
public final class Intake: Sendable {
    /// What the caller should do with an event.
    public enum Outcome: Sendable, Equatable {
        /// A new incident to investigate.
        case investigate(IncidentTracker.Incident)
        /// Nothing to investigate; the message (if any) can be acknowledged.
        case done(IncidentTracker.Decision)
    }

    private let state: Mutex<IncidentTracker>
    private let store: IncidentStore
    private let claims: any IncidentClaims
    private let clock: any WallClock
    private let logger: Logger

    /// Loads the saved state from `store`, or starts empty.
    public init(
        store: IncidentStore, correlationWindow: TimeInterval, claims: any IncidentClaims, clock: any WallClock,
        logger: Logger
    ) throws {
        var tracker = try store.load() ?? IncidentTracker(correlationWindow: correlationWindow)
        tracker.correlationWindow = correlationWindow
        // Nothing is being investigated when a process starts: what a crash left "investigating"
        // is handed back, so it is taken up again.
        for incident in tracker.unfinished where incident.phase == .investigating {
            tracker.release(incident.id, now: clock.now())
        }
        state = Mutex(tracker)
        self.store = store
        self.claims = claims
        self.clock = clock
        self.logger = logger
    }

    /// Records an event and saves the result before answering.
    public func record(_ event: AlarmEvent) throws -> Outcome {
        let now = clock.now()
        let decision = try state.withLock { tracker -> IncidentTracker.Decision in
            let decision = tracker.observe(event, now: now)
            try store.save(tracker)
            return decision
        }
        var metadata: Logger.Metadata = [
            "alarm.name": "\(event.alarmName)", "alarm.state": "\(event.state.rawValue)",
            "intake.source": "\(event.source.rawValue)", "aws.account": "\(event.accountId)",
            "aws.region": "\(event.region)",
        ]
        if let id = event.messageId { metadata["sqs.message_id"] = "\(id)" }
        switch decision {
        case .open(let incident):
            metadata["incident.id"] = "\(incident.id)"
            logger.info("incident opened", metadata: metadata)
            return .investigate(incident)
        case .duplicate(let id, _) where event.source == .describeAlarms:
            // The poller sees an alarm that stays in ALARM on every poll: not news.
            metadata["incident.id"] = "\(id)"
            logger.debug("alarm still in ALARM", metadata: metadata)
        case .joined(let id), .duplicate(let id, _), .resolved(let id):
            metadata["incident.id"] = "\(id)"
            logger.info("alarm event recorded", metadata: metadata.merging(["intake.decision": "\(decision)"]) { $1 })
        case .ignored(let reason):
            logger.debug("alarm event ignored", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
        }
        return .done(decision)
    }

    /// Takes an incident for investigation: false when another instance's claim holds it or it is
    /// already being investigated or delivered.
    public func begin(_ incidentId: String) throws -> Bool {
        let phase = state.withLock { $0.incidents[incidentId]?.phase }
        guard phase == .open else { return false }
        guard try claims.claim(incidentId, now: clock.now()) else {
            logger.info("incident claimed by another instance", metadata: ["incident.id": "\(incidentId)"])
            return false
        }
        return try state.withLock { tracker in
            guard tracker.incidents[incidentId]?.phase == .open else { return false }
            tracker.markInvestigating(incidentId, now: clock.now())
            try store.save(tracker)
            return true
        }
    }

    /// The incident's report is delivered. Incidents delivered longer ago than
    /// `IncidentTracker.retention` are forgotten in the same save, so the state stays small.
    public func finish(_ incidentId: String) throws {
        let now = clock.now()
        try state.withLock { tracker in
            tracker.markDelivered(incidentId, now: now)
            tracker.prune(deliveredBefore: now.addingTimeInterval(-IncidentTracker.retention))
            try store.save(tracker)
        }
    }

    /// Hands an incident back unfinished (shutdown).
    public func release(_ incidentId: String) throws {
        try state.withLock { tracker in
            tracker.release(incidentId, now: clock.now())
            try store.save(tracker)
        }
    }

    /// Incidents to resume after a restart.
    public var unfinished: [IncidentTracker.Incident] { state.withLock { $0.unfinished } }

    /// Delivered incidents whose alarms are all back to OK.
    public var resolvedDelivered: [IncidentTracker.Incident] { state.withLock { $0.resolvedDelivered } }

    /// One incident as it stands now.
    public func incident(_ id: String) -> IncidentTracker.Incident? {
        state.withLock { $0.incidents[id] }
    }

    /// A copy of the current state (for status lines and tests).
    public var snapshot: IncidentTracker { state.withLock { $0 } }
}
