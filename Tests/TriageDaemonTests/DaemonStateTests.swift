import Foundation
import Testing

@testable import Triage
@testable import TriageDaemon

/// The daemon's decisions, event by event, with time moved by hand: no threads, no sleeps.
@Suite("daemon state machine")
struct DaemonStateTests {
    typealias Action = DaemonState.Action

    let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    func fresh(deadline: TimeInterval = 600) -> DaemonState {
        var state = DaemonState(started: start, incidentDeadline: deadline)
        #expect(state.startCompleted().isEmpty)
        return state
    }

    /// An SQS message as ReceiveMessage returns it (message id a UUID, an opaque receipt handle),
    /// carrying an SNS-delivered alarm notification.
    func message(_ id: String, alarm: String = "prod-alb-5xx") -> QueueMessage {
        QueueMessage(
            messageId: id, receiptHandle: "AQEB\(id.replacingOccurrences(of: "-", with: ""))Mbz6wDWli+Jvww==",
            receiveCount: 1,
            event: AlarmEvent(
                alarmName: alarm, alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\(alarm)",
                state: .alarm, previousState: .ok, stateChangeTime: start, reason: "Threshold Crossed",
                region: "us-east-1", accountId: "123456789012", metric: nil, alarmRule: nil, triggeringChildren: [],
                source: .snsNotification, messageId: id))
    }

    @Test("READY once, after the first poll, with the time since start; the first receive after it adds nothing")
    func readyOnce() {
        var state = fresh()
        #expect(!state.ready)
        let first = state.pollCompleted(now: at(2.5))
        #expect(first == [.announceReady(after: "the first DescribeAlarms poll", elapsed: 2.5)])
        #expect(state.ready)
        #expect(state.lastPoll == at(2.5))
        #expect(state.pollCompleted(now: at(62.5)).isEmpty)
        #expect(state.receiveCompleted(now: at(63)).isEmpty)
        #expect(state.lastPoll == at(62.5))
    }

    @Test("READY after the first SQS receive when the queue answers first")
    func readyAfterReceive() {
        var state = fresh()
        #expect(state.receiveCompleted(now: at(0.5)) == [.announceReady(after: "the first SQS receive", elapsed: 0.5)])
        #expect(state.lastActivity == at(0.5))
        #expect(state.lastPoll == nil)
        #expect(state.pollCompleted(now: at(1)).isEmpty)
    }

    @Test("WATCHDOG while the intake made progress within the limit, withheld when older, sent while stopping")
    func watchdog() {
        var state = fresh()
        let limit = DaemonState.watchdogLimit(pollInterval: 60, receiveWait: 20)
        #expect(limit == 180)
        #expect(DaemonState.watchdogLimit(pollInterval: 3, receiveWait: 20) == 90)
        #expect(DaemonState.watchdogLimit(pollInterval: 0, receiveWait: 40) == 120)
        state.activity(now: at(100))
        #expect(state.watchdogTick(now: at(279), limit: limit) == .watchdog)
        #expect(state.watchdogTick(now: at(280), limit: limit) == nil)
        #expect(state.watchdogTick(now: at(900), limit: limit) == nil)
        // A receive is progress too.
        _ = state.receiveCompleted(now: at(900))
        #expect(state.watchdogTick(now: at(901), limit: limit) == .watchdog)
        // A drain keeps pinging, however long the intake has been quiet.
        _ = state.stopRequested(reason: "SIGTERM")
        #expect(state.watchdogTick(now: at(5000), limit: limit) == .watchdog)
    }

    @Test("an incident past its deadline is reported once per run, again if it runs again")
    func overdueOnce() {
        var state = fresh(deadline: 600)
        #expect(state.incidentQueued("inc-a") == true)
        #expect(state.incidentQueued("inc-b") == true)
        #expect(state.incidentStarted("inc-a", now: at(0)) == true)
        #expect(state.incidentStarted("inc-b", now: at(300)) == true)
        #expect(state.heartbeat(now: at(600)) == [.heartbeat(running: 2), .status])
        #expect(
            state.heartbeat(now: at(660)) == [.heartbeat(running: 2), .overdue(id: "inc-a", deadline: 600), .status])
        #expect(state.heartbeat(now: at(720)) == [.heartbeat(running: 2), .status])
        #expect(
            state.heartbeat(now: at(960)) == [.heartbeat(running: 2), .overdue(id: "inc-b", deadline: 600), .status])
        #expect(state.heartbeat(now: at(1020)) == [.heartbeat(running: 2), .status])
        #expect(state.incidentFinished("inc-a") == [.status])
        #expect(state.heartbeat(now: at(1080)) == [.heartbeat(running: 1), .status])
        // Retried later: a new run, a new deadline.
        #expect(state.incidentQueued("inc-a") == true)
        #expect(state.incidentStarted("inc-a", now: at(2000)) == true)
        #expect(state.heartbeat(now: at(2599)) == [.heartbeat(running: 2), .status])
        #expect(
            state.heartbeat(now: at(2601)) == [.heartbeat(running: 2), .overdue(id: "inc-a", deadline: 600), .status])
    }

    @Test("an incident is never queued twice, nor while it runs")
    func queuedOnce() {
        var state = fresh()
        #expect(state.incidentQueued("inc-a") == true)
        #expect(state.incidentQueued("inc-a") == false)
        #expect(state.queued == ["inc-a"])
        #expect(state.incidentStarted("inc-a", now: at(1)) == true)
        #expect(state.queued.isEmpty && state.inProgress == ["inc-a": at(1)])
        #expect(state.incidentQueued("inc-a") == false)
        _ = state.incidentFinished("inc-a")
        #expect(state.incidentQueued("inc-a") == true)
    }

    @Test("held messages are deleted only when their incident is delivered; a failure retries them later")
    func heldMessages() {
        var state = fresh()
        let opening = message("5fea7756-0ea4-451a-a703-a558b933e274")
        let joined = message("c8b3e2d1-7f4a-4b8e-9a61-3d2f0e1b9c47", alarm: "prod-ecs-cpu")
        let other = message("0b1d9a3e-2c4f-4e6a-8b7d-9f1e2a3c4d5e")
        #expect(state.messageHeld(opening, for: "inc-a") == .hold(opening))
        #expect(state.messageHeld(joined, for: "inc-a") == .hold(joined))
        #expect(state.messageHeld(other, for: "inc-b") == .hold(other))
        // Nothing held for an incident without messages (the poller's).
        #expect(state.incidentSettled("inc-c", .delivered).isEmpty)
        #expect(state.incidentSettled("inc-b", .failed) == [.settle([other], .retryLater)])
        #expect(state.incidentSettled("inc-a", .delivered) == [.settle([opening, joined], .delete)])
        // Gone once settled: a second delivery deletes nothing twice.
        #expect(state.incidentSettled("inc-a", .delivered).isEmpty)
        #expect(state.incidentSettled("inc-b", .delivered).isEmpty)
        // Held by another instance: left to their visibility timeout, never deleted here.
        #expect(state.messageHeld(other, for: "inc-b") == .hold(other))
        #expect(state.incidentSettled("inc-b", .claimedElsewhere) == [.settle([other], .leave)])
    }

    @Test("a message that comes while a run ends is settled as that run settled, not held with no run left")
    func lateMessageSettled() {
        var state = fresh()
        let opening = message("5f0c6a1e-7d2b-4c39-9a84-2e61b0d7c3f5")
        let late = message("a8d3e9b2-41c7-4f06-b5e1-9c72d4a0f618")
        let later = message("0c4e7b19-d2a6-4f83-8e5b-61f9a3c7d240")
        #expect(state.incidentQueued("inc-a") && state.incidentStarted("inc-a", now: at(1)))
        #expect(state.messageHeld(opening, for: "inc-a") == .hold(opening))
        #expect(state.incidentSettled("inc-a", .delivered) == [.settle([opening], .delete)])
        // Received while the run was ending (intake still read it as running): deleted at once.
        #expect(state.messageHeld(late, for: "inc-a") == .settle([late], .delete))
        #expect(state.incidentFinished("inc-a") == [.status])
        // Once the run is over a message waits for the next run again.
        #expect(state.messageHeld(later, for: "inc-a") == .hold(later))

        // A failed run: the late message gets the retry delay, a claimed one is left alone.
        #expect(state.incidentQueued("inc-b") && state.incidentStarted("inc-b", now: at(2)))
        #expect(state.incidentSettled("inc-b", .failed).isEmpty)
        #expect(state.messageHeld(late, for: "inc-b") == .settle([late], .retryLater))
        #expect(state.incidentQueued("inc-c") && state.incidentStarted("inc-c", now: at(3)))
        #expect(state.incidentSettled("inc-c", .claimedElsewhere).isEmpty)
        #expect(state.messageHeld(late, for: "inc-c") == .settle([late], .leave))

        // Settled outside a run (nothing in progress): no window to remember.
        #expect(state.incidentSettled("inc-d", .delivered).isEmpty)
        #expect(state.messageHeld(late, for: "inc-d") == .hold(late))
    }

    @Test("stopping refuses new work; the drain completes when the last running incident finishes")
    func stoppingDrains() {
        var state = fresh()
        #expect(state.incidentQueued("inc-a") == true)
        #expect(state.incidentStarted("inc-a", now: at(0)) == true)
        #expect(state.incidentQueued("inc-b") == true)  // waits for a worker
        #expect(state.resolutionQueued("inc-r") == true)
        #expect(state.resolutionStarted("inc-r") == true)
        #expect(state.stopRequested(reason: "SIGTERM") == [.stop(reason: "SIGTERM", inFlight: 2)])
        #expect(state.stopRequested(reason: "SIGINT").isEmpty)
        #expect(state.stopping)
        #expect(state.incidentQueued("inc-c") == false)
        #expect(state.incidentStarted("inc-b", now: at(1)) == false)
        #expect(state.resolutionQueued("inc-s") == false)
        #expect(state.incidentFinished("inc-a") == [.status])
        #expect(state.resolutionFinished("inc-r") == [.drained])
        // Reported once.
        #expect(state.resolutionFinished("inc-r").isEmpty)
        // The incident that never got a worker is handed back, with its message.
        let waiting = message("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d")
        let joined = message("1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9", alarm: "prod-ecs-cpu")
        _ = state.messageHeld(waiting, for: "inc-b")
        _ = state.messageHeld(joined, for: "inc-z")
        #expect(
            state.collectLeftovers() == [
                .releaseUnfinished(id: "inc-b", messages: [waiting]), .settle([joined], .handBack),
            ])
        // A message that comes after the drain collected goes straight back.
        #expect(state.messageHeld(joined, for: "inc-z") == .settle([joined], .handBack))
    }

    @Test("a stop with nothing running is drained at once")
    func stopIdle() {
        var state = fresh()
        #expect(state.stopRequested(reason: "SIGINT") == [.stop(reason: "SIGINT", inFlight: 0), .drained])
        #expect(state.collectLeftovers().isEmpty)
    }

    @Test("a reload during running work keeps the work; RELOADING, then READY when it is done")
    func reloadDuringWork() {
        var state = fresh()
        _ = state.pollCompleted(now: at(1))
        #expect(state.incidentQueued("inc-a") == true)
        #expect(state.incidentStarted("inc-a", now: at(2)) == true)
        #expect(state.incidentQueued("inc-b") == true)
        let held = message("5fea7756-0ea4-451a-a703-a558b933e274")
        _ = state.messageHeld(held, for: "inc-a")
        #expect(state.reloadRequested() == [.notifyReloading, .applyReload])
        #expect(state.reloading)
        // A second SIGHUP while the first is applied runs after it, once.
        #expect(state.reloadRequested().isEmpty)
        #expect(state.reloadRequested().isEmpty)
        #expect(state.reloadFinished() == [.notifyReady, .notifyReloading, .applyReload])
        #expect(state.reloadFinished() == [.notifyReady])
        #expect(!state.reloading)
        #expect(state.inProgress == ["inc-a": at(2)] && state.queued == ["inc-b"])
        #expect(state.incidentSettled("inc-a", .delivered) == [.settle([held], .delete)])
        #expect(state.incidentFinished("inc-a") == [.status])
    }

    @Test("a SIGHUP before start-up finished waits for it and runs once; before READY it sends no READY")
    func earlyReload() {
        var state = DaemonState(started: start, incidentDeadline: 600)
        #expect(state.reloadRequested().isEmpty)
        #expect(state.reloadRequested().isEmpty)
        #expect(!state.reloading)
        #expect(state.startCompleted() == [.applyReload])
        #expect(state.reloading)
        // Not ready yet: the first poll announces READY, not the reload.
        #expect(state.reloadFinished().isEmpty)
        #expect(state.pollCompleted(now: at(3)) == [.announceReady(after: "the first DescribeAlarms poll", elapsed: 3)])
    }

    @Test("a SIGHUP while stopping is ignored, and one waiting for start-up is dropped by the stop")
    func reloadWhileStopping() {
        var state = DaemonState(started: start, incidentDeadline: 600)
        _ = state.reloadRequested()
        _ = state.stopRequested(reason: "SIGTERM")
        #expect(state.startCompleted().isEmpty)
        #expect(state.reloadRequested().isEmpty)
        var running = fresh()
        _ = running.pollCompleted(now: at(1))
        #expect(running.reloadRequested() == [.notifyReloading, .applyReload])
        _ = running.stopRequested(reason: "SIGTERM")
        // No READY=1 after STOPPING=1.
        #expect(running.reloadFinished().isEmpty)
    }

    @Test("the STATUS line counts running and queued incidents and names the last poll")
    func statusLine() {
        var state = fresh()
        #expect(
            state.statusLine(delivered: 0, failed: 0, alarmsSeen: 0)
                == "incidents: 0 running, 0 queued, 0 delivered, 0 failed; alarms seen 0")
        _ = state.incidentQueued("inc-a")
        _ = state.incidentQueued("inc-b")
        _ = state.incidentStarted("inc-a", now: at(1))
        _ = state.pollCompleted(now: at(90))
        #expect(
            state.statusLine(delivered: 4, failed: 1, alarmsSeen: 7)
                == "incidents: 1 running, 1 queued, 4 delivered, 1 failed; alarms seen 7; last poll 2026-01-01T00:01:30Z"
        )
    }
}
