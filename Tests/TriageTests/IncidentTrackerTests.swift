import AWSCore
import Foundation
import Logging
import Testing

@testable import Triage

@Suite("incident tracking")
struct IncidentTrackerTests {
    let base = Date(timeIntervalSince1970: 1_736_942_400)

    func event(
        _ name: String, _ state: AlarmState, at offset: TimeInterval,
        dimensions: [String: String] = ["LoadBalancer": "app/prod/1"],
        source: AlarmEvent.Source = .snsNotification
    ) -> AlarmEvent {
        AlarmEvent(
            alarmName: name, alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\(name)", state: state,
            previousState: nil, stateChangeTime: base.addingTimeInterval(offset), reason: "r", region: "us-east-1",
            accountId: "123456789012",
            metric: AlarmEvent.Metric(
                namespace: "AWS/ApplicationELB", name: "HTTPCode_ELB_5XX_Count", statistic: "Sum",
                dimensions: dimensions,
                period: 60, threshold: 5, comparisonOperator: nil, thresholdMetricId: nil),
            alarmRule: nil, triggeringChildren: [], source: source, messageId: nil)
    }

    @Test("the same transition from both paths, twice on the queue, is one incident")
    func deduplication() {
        var tracker = IncidentTracker(correlationWindow: 300)
        guard case .open(let incident) = tracker.observe(event("alb-5xx", .alarm, at: 0), now: base) else {
            Issue.record("first observation must open an incident")
            return
        }
        #expect(
            tracker.observe(event("alb-5xx", .alarm, at: 0), now: base)
                == .duplicate(incidentId: incident.id, phase: .open))
        #expect(
            tracker.observe(event("alb-5xx", .alarm, at: 0, source: .describeAlarms), now: base)
                == .duplicate(incidentId: incident.id, phase: .open))
        #expect(tracker.incidents.count == 1)
        // A later transition of the same alarm after delivery is a new incident.
        tracker.markDelivered(incident.id, now: base)
        guard case .open = tracker.observe(event("alb-5xx", .alarm, at: 3600), now: base) else {
            Issue.record("a new transition after delivery opens a new incident")
            return
        }
    }

    @Test("alarms on the same load balancer within the window join; others do not")
    func correlation() throws {
        var tracker = IncidentTracker(correlationWindow: 300)
        let first = try #require(tracker.observe(event("alb-5xx", .alarm, at: 0), now: base).opened, "a new incident")
        #expect(tracker.observe(event("alb-latency", .alarm, at: 120), now: base) == .joined(incidentId: first.id))
        guard case .open = tracker.observe(event("alb-latency-2", .alarm, at: 900), now: base) else {
            Issue.record("outside the window: a new incident")
            return
        }
        guard
            case .open = tracker.observe(
                event("other-lb", .alarm, at: 60, dimensions: ["LoadBalancer": "app/other/2"]), now: base)
        else {
            Issue.record("another load balancer: a new incident")
            return
        }
        #expect(tracker.incidents[first.id]?.alarms.map(\.name) == ["alb-5xx", "alb-latency"])
    }

    @Test("alarms of different accounts never join, even on a load balancer of the same name")
    func accountsDoNotCorrelate() {
        var tracker = IncidentTracker(correlationWindow: 300)
        guard case .open(let first) = tracker.observe(event("alb-5xx", .alarm, at: 0), now: base) else { return }
        var other = event("alb-5xx", .alarm, at: 30)
        other.alarmArn = "arn:aws:cloudwatch:us-east-1:210987654321:alarm:alb-5xx"
        other.accountId = "210987654321"
        guard case .open(let second) = tracker.observe(other, now: base) else {
            Issue.record("another account's alarm opens its own incident")
            return
        }
        #expect(second.id != first.id)
        var sameAccount = event("alb-latency", .alarm, at: 60)
        sameAccount.alarmArn = "arn:aws:cloudwatch:us-east-1:210987654321:alarm:alb-latency"
        sameAccount.accountId = "210987654321"
        #expect(tracker.observe(sameAccount, now: base) == .joined(incidentId: second.id))
    }

    @Test("resolved only when every alarm is back to OK; a duplicate OK, or an OK with no incident, is not news")
    func everyAlarmBackToOK() throws {
        var tracker = IncidentTracker(correlationWindow: 300)
        let incident = try #require(
            tracker.observe(event("alb-5xx", .alarm, at: 0), now: base).opened, "a new incident")
        #expect(tracker.observe(event("alb-latency", .alarm, at: 60), now: base) == .joined(incidentId: incident.id))
        guard case .ignored = tracker.observe(event("alb-5xx", .ok, at: 200), now: base) else {
            Issue.record("one alarm of two back to OK does not resolve")
            return
        }
        #expect(tracker.incidents[incident.id]?.resolvedAt == nil)
        // The first alarm fires again, then both return to OK: resolved at the last OK.
        #expect(tracker.observe(event("alb-5xx", .alarm, at: 250), now: base) == .joined(incidentId: incident.id))
        guard case .ignored = tracker.observe(event("alb-latency", .ok, at: 400), now: base) else {
            Issue.record("alb-5xx is in ALARM again")
            return
        }
        #expect(tracker.observe(event("alb-5xx", .ok, at: 500), now: base) == .resolved(incidentId: incident.id))
        #expect(tracker.incidents[incident.id]?.resolvedAt == base.addingTimeInterval(500))
        guard case .ignored = tracker.observe(event("alb-5xx", .ok, at: 500), now: base) else {
            Issue.record("a duplicate OK is ignored")
            return
        }
        guard case .ignored = tracker.observe(event("unrelated", .ok, at: 500), now: base) else {
            Issue.record("an OK with no incident is ignored")
            return
        }
        #expect(tracker.incidents[incident.id]?.resolvedAt == base.addingTimeInterval(500))
    }

    @Test("OK resolves the incident without cancelling its report; INSUFFICIENT_DATA is ignored")
    func resolution() throws {
        var tracker = IncidentTracker(correlationWindow: 300)
        let incident = try #require(
            tracker.observe(event("alb-5xx", .alarm, at: 0), now: base).opened, "a new incident")
        #expect(tracker.observe(event("alb-5xx", .ok, at: 600), now: base) == .resolved(incidentId: incident.id))
        #expect(tracker.incidents[incident.id]?.phase == .open)
        #expect(tracker.unfinished.map(\.id) == [incident.id])
        guard case .ignored = tracker.observe(event("never-fired", .ok, at: 10), now: base) else {
            Issue.record("OK without an incident is ignored")
            return
        }
        guard case .ignored = tracker.observe(event("alb-5xx", .insufficientData, at: 700), now: base) else {
            Issue.record("INSUFFICIENT_DATA is ignored")
            return
        }
    }

    @Test("a crash between any two steps loses no incident and never repeats a delivered one")
    func crashBetweenSteps() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let incoming = event("alb-5xx", .alarm, at: 0)
        // The daemon's steps, each followed by a save; a crash after step k restarts from the state saved by step k.
        let steps: [(inout IncidentTracker, String) -> Void] = [
            { tracker, _ in _ = tracker.observe(incoming, now: self.base) },
            { tracker, id in tracker.markInvestigating(id, now: self.base) },
            { tracker, id in tracker.markDelivered(id, now: self.base) },
        ]
        for crashAfter in 0...steps.count {
            let store = IncidentStore(directory: directory.appendingPathComponent("crash-\(crashAfter)"))
            var tracker = IncidentTracker(correlationWindow: 300)
            for step in steps.prefix(crashAfter) {
                step(&tracker, incoming.transitionId)
                try store.save(tracker)
            }
            // Restart: load what reached the disk, and the message is redelivered.
            var restarted = try store.load() ?? IncidentTracker(correlationWindow: 300)
            let decision = restarted.observe(incoming, now: base)
            switch crashAfter {
            case 0:
                #expect(decision == .open(restarted.incidents[incoming.transitionId]!))
            case steps.count:
                #expect(decision == .duplicate(incidentId: incoming.transitionId, phase: .delivered))
                #expect(restarted.unfinished.isEmpty)
            default:
                // Known but unfinished: the restart resumes it from `unfinished`, not from the message.
                #expect(restarted.unfinished.map(\.id) == [incoming.transitionId])
            }
        }
    }

    @Test("the store writes atomically and refuses a corrupt file with its path")
    func store() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = IncidentStore(directory: directory)
        #expect(try store.load() == nil)
        var tracker = IncidentTracker(correlationWindow: 60)
        _ = tracker.observe(event("a", .alarm, at: 0), now: base)
        try store.save(tracker)
        #expect(try store.load() == tracker)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
        try Data("{ torn".utf8).write(to: store.file)
        #expect { try store.load() } throws: { "\($0)".contains(store.file.path) }
    }

    @Test("pruning forgets old delivered incidents only")
    func pruning() throws {
        var tracker = IncidentTracker(correlationWindow: 60)
        let old = try #require(tracker.observe(event("a", .alarm, at: 0), now: base).opened, "a new incident")
        let fresh = try #require(tracker.observe(event("b", .alarm, at: 10, dimensions: [:]), now: base).opened)
        tracker.markDelivered(old.id, now: base)
        tracker.prune(deliveredBefore: base.addingTimeInterval(1))
        #expect(tracker.incidents[old.id] == nil)
        #expect(tracker.transitions[old.id] == nil)
        #expect(tracker.incidents[fresh.id] != nil)
    }

    /// A clock the test moves.
    final class SteppedClock: WallClock, @unchecked Sendable {
        var date: Date
        init(_ date: Date) { self.date = date }
        func now() -> Date { date }
    }

    @Test("the daemon's intake forgets incidents delivered longer ago than the retention, in the saved state too")
    func retentionOnFinish() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = SteppedClock(base)
        let intake = try Intake(
            store: IncidentStore(directory: directory), correlationWindow: 60, claims: LocalClaims(), clock: clock,
            logger: Logger(label: "t"))
        func deliver(_ name: String, at offset: TimeInterval) throws -> String {
            guard case .investigate(let incident) = try intake.record(event(name, .alarm, at: offset, dimensions: [:]))
            else { throw AlarmMessageError("\(name) opened no incident") }
            #expect(try intake.begin(incident.id))
            try intake.finish(incident.id)
            return incident.id
        }
        let old = try deliver("a", at: 0)
        clock.date = base.addingTimeInterval(IncidentTracker.retention - 60)
        let recent = try deliver("b", at: IncidentTracker.retention - 60)
        #expect(intake.incident(old) != nil, "still within the retention")
        clock.date = base.addingTimeInterval(IncidentTracker.retention + 60)
        let last = try deliver("c", at: IncidentTracker.retention + 60)
        #expect(intake.incident(old) == nil)
        #expect(intake.incident(recent) != nil && intake.incident(last) != nil)
        let saved = try #require(try IncidentStore(directory: directory).load())
        #expect(Set(saved.incidents.keys) == [recent, last])
    }
}

extension IncidentTracker.Decision {
    /// The incident this decision opened, nil for any other decision (tests `#require` it).
    var opened: IncidentTracker.Incident? {
        guard case .open(let incident) = self else { return nil }
        return incident
    }
}
