import Foundation

/// Decides what each alarm event means — a new incident, part of an open one, a duplicate, a
/// resolution — and remembers it. A value-type state machine: `observe` returns a decision and the
/// caller carries it out; nothing here reads the clock or touches disk (`IncidentStore` persists it).
public struct IncidentTracker: Sendable, Codable, Equatable {
    /// One incident: the alarms that opened and joined it, and how far it has come.
    public struct Incident: Sendable, Codable, Equatable {
        public enum Phase: String, Sendable, Codable {
            /// Known, not yet being investigated (or released by a shutdown).
            case open
            /// A worker is on it.
            case investigating
            /// Its report went out.
            case delivered
        }

        /// The transition id of the alarm that opened it.
        public let id: String
        /// The opening alarm's state-change time.
        public let openedAt: Date
        public var alarms: [AlarmReference]
        public var correlationKeys: Set<String>
        public var phase: Phase
        /// When the last of its alarms returned to OK (the incident still gets its report, resolved).
        public var resolvedAt: Date?
        /// The ARNs of its alarms seen back in OK (all of them: resolved).
        public var okAlarms: Set<String>? = nil
        public var updatedAt: Date
        /// The event that opened it, so an incident resumed after a restart is investigated with
        /// the same alarm details (metric, dimensions) it arrived with.
        public var event: AlarmEvent? = nil
    }

    /// An alarm transition that is part of an incident.
    public struct AlarmReference: Sendable, Codable, Equatable {
        public var name: String
        public var arn: String
        public var stateChangeTime: Date
        public var reason: String
    }

    /// What an observed event means.
    public enum Decision: Sendable, Equatable, CustomStringConvertible {
        /// A new incident: investigate it.
        case open(Incident)
        /// Joined an incident not yet delivered (same load balancer or cluster within the window).
        case joined(incidentId: String)
        /// This transition is already known (both paths, redelivery, restart): nothing to do.
        case duplicate(incidentId: String, phase: Incident.Phase)
        /// An OK transition of an alarm of this incident.
        case resolved(incidentId: String)
        /// Not a reason to act (INSUFFICIENT_DATA, OK with no incident).
        case ignored(reason: String)

        public var description: String {
            switch self {
            case .open(let incident): return "open \(incident.id)"
            case .joined(let id): return "joined \(id)"
            case .duplicate(let id, let phase): return "duplicate of \(id) (\(phase.rawValue))"
            case .resolved(let id): return "resolved \(id)"
            case .ignored(let reason): return "ignored: \(reason)"
            }
        }
    }

    /// Alarms on the same load balancer or cluster within this window join one incident.
    public var correlationWindow: TimeInterval
    public private(set) var incidents: [String: Incident] = [:]
    /// Every transition id seen → its incident id.
    public private(set) var transitions: [String: String] = [:]

    public init(correlationWindow: TimeInterval) {
        self.correlationWindow = correlationWindow
    }

    /// Takes in one event.
    public mutating func observe(_ event: AlarmEvent, now: Date) -> Decision {
        switch event.state {
        case .insufficientData:
            return .ignored(reason: "INSUFFICIENT_DATA transitions open no incident")
        case .ok:
            let candidates = incidents.values.filter { incident in
                incident.alarms.contains { $0.arn == event.alarmArn } && incident.resolvedAt == nil
                    && incident.openedAt <= event.stateChangeTime
            }
            guard let latest = candidates.max(by: { $0.openedAt < $1.openedAt }) else {
                return .ignored(reason: "OK transition with no unresolved incident of this alarm")
            }
            var ok = latest.okAlarms ?? []
            guard ok.insert(event.alarmArn).inserted else {
                return .ignored(reason: "this alarm's OK transition is already recorded")
            }
            incidents[latest.id]?.okAlarms = ok
            incidents[latest.id]?.updatedAt = now
            // Resolved when every alarm of the incident is back to OK; a redelivered OK is not news.
            guard Set(latest.alarms.map(\.arn)).isSubset(of: ok) else {
                return .ignored(reason: "other alarms of incident \(latest.id) are still in ALARM")
            }
            incidents[latest.id]?.resolvedAt = event.stateChangeTime
            return .resolved(incidentId: latest.id)
        case .alarm:
            let transition = event.transitionId
            if let known = transitions[transition] {
                return .duplicate(incidentId: known, phase: incidents[known]?.phase ?? .delivered)
            }
            let reference = AlarmReference(
                name: event.alarmName, arn: event.alarmArn, stateChangeTime: event.stateChangeTime, reason: event.reason
            )
            let keys = event.correlationKeys
            let joinable = incidents.values.filter { incident in
                // Alarms of different accounts never join: equal names there are different resources.
                incident.phase != .delivered && incident.resolvedAt == nil
                    && incident.alarms.allSatisfy({ Self.account(ofArn: $0.arn) == event.accountId })
                    && abs(incident.openedAt.timeIntervalSince(event.stateChangeTime)) <= correlationWindow
                    && (!incident.correlationKeys.isDisjoint(with: keys)
                        || incident.alarms.contains { $0.arn == event.alarmArn })
            }
            if let target = joinable.min(by: { $0.openedAt < $1.openedAt }) {
                incidents[target.id]?.alarms.append(reference)
                // An alarm back in ALARM is no longer OK.
                incidents[target.id]?.okAlarms?.remove(event.alarmArn)
                incidents[target.id]?.correlationKeys.formUnion(keys)
                incidents[target.id]?.updatedAt = now
                transitions[transition] = target.id
                return .joined(incidentId: target.id)
            }
            let incident = Incident(
                id: transition, openedAt: event.stateChangeTime, alarms: [reference], correlationKeys: keys,
                phase: .open,
                resolvedAt: nil, updatedAt: now, event: event)
            incidents[incident.id] = incident
            transitions[transition] = incident.id
            return .open(incident)
        }
    }

    /// A worker took the incident.
    public mutating func markInvestigating(_ id: String, now: Date) {
        guard incidents[id]?.phase == .open else { return }
        incidents[id]?.phase = .investigating
        incidents[id]?.updatedAt = now
    }

    /// Its report is out; it will not be investigated again.
    public mutating func markDelivered(_ id: String, now: Date) {
        incidents[id]?.phase = .delivered
        incidents[id]?.updatedAt = now
    }

    /// Hands an unfinished incident back (shutdown before delivery), so it is picked up again.
    public mutating func release(_ id: String, now: Date) {
        guard incidents[id]?.phase == .investigating else { return }
        incidents[id]?.phase = .open
        incidents[id]?.updatedAt = now
    }

    /// Incidents to (re)start after a restart: open ones and those a crash left investigating.
    public var unfinished: [Incident] {
        incidents.values.filter { $0.phase != .delivered }.sorted { $0.openedAt < $1.openedAt }
    }

    /// Delivered and resolved incidents (their resolution may still need sending).
    public var resolvedDelivered: [Incident] {
        incidents.values.filter { $0.phase == .delivered && $0.resolvedAt != nil }.sorted { $0.openedAt < $1.openedAt }
    }

    /// How long a delivered incident is remembered after its last change: 14 days, SQS's longest
    /// message retention, so no message a queue can still hold refers to a forgotten incident (and the
    /// poller ignores transitions older than a day). An alarm that returns to OK after that gets no
    /// resolution notice.
    public static let retention: TimeInterval = 14 * 86_400

    /// Forgets delivered incidents last updated before `cutoff` (and their transitions), keeping the
    /// state small; a redelivered message older than that is then caught by S3's conditional write.
    public mutating func prune(deliveredBefore cutoff: Date) {
        let gone = Set(incidents.values.filter { $0.phase == .delivered && $0.updatedAt < cutoff }.map(\.id))
        guard !gone.isEmpty else { return }
        for id in gone { incidents[id] = nil }
        transitions = transitions.filter { !gone.contains($0.value) }
    }

    /// The account of an alarm ARN (`arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME`).
    static func account(ofArn arn: String) -> String? {
        AccountRole.accountAndRegion(ofArn: arn)?.account
    }
}
