import AWSCore
import Foundation
import Triage

/// The decisions of `triaged run`, apart from the threads that carry them out: which incidents are
/// queued and running, which queue messages wait on which incident, when READY, WATCHDOG and the
/// overdue warnings are due, whether a reload may run and when the drain is complete.
///
/// A value with no clock and no Dispatch: every event is a method that takes `now` where time
/// matters and returns the ``Action``s the daemon performs. `Daemon` keeps one inside a lock.
struct DaemonState: Sendable {
    /// What a queue message held for an incident becomes when it leaves the state.
    enum Disposition: Sendable, Equatable {
        /// The incident is delivered: delete the message.
        case delete
        /// Another instance holds the incident: stop extending its visibility; it comes back after
        /// its visibility timeout.
        case leave
        /// The incident failed: visible again after the retry delay, so it is retried.
        case retryLater
        /// Stopping: visible again at once, for another instance or the next start.
        case handBack
    }

    /// How an incident's run ended, as far as its held messages are concerned.
    enum Settlement: Sendable, Equatable {
        case delivered
        case claimedElsewhere
        case failed
    }

    /// What the daemon does next.
    enum Action: Sendable, Equatable {
        /// The first READY: log "triaged ready" with what made it and the time since start, send
        /// READY=1 with the STATUS line.
        case announceReady(after: String, elapsed: TimeInterval)
        /// READY=1 with the STATUS line, closing a reload.
        case notifyReady
        /// RELOADING=1, opening a reload.
        case notifyReloading
        /// Load the configuration file again and take it.
        case applyReload
        /// STATUS= with the status line.
        case status
        /// WATCHDOG=1.
        case watchdog
        /// The heartbeat metrics, with the number of incidents running.
        case heartbeat(running: Int)
        /// Log once that the incident runs longer than the deadline.
        case overdue(id: String, deadline: TimeInterval)
        /// Keep extending the message's visibility while its incident is open.
        case hold(QueueMessage)
        /// Stop holding these messages and do with them what the disposition says.
        case settle([QueueMessage], Disposition)
        /// The first stop request (`reason` names the signal): cancel the poll timer, log, send
        /// STOPPING=1 naming the incidents in flight, and start the drain.
        case stop(reason: String, inFlight: Int)
        /// Nothing runs any more while stopping: the drain may finish.
        case drained
        /// Hand an unfinished incident back (`open`) and its messages back to the queue.
        case releaseUnfinished(id: String, messages: [QueueMessage])
    }

    /// When the daemon started (READY reports the time since).
    let started: Date
    /// How long an incident may run before it is logged as overdue.
    let incidentDeadline: TimeInterval

    /// SIGTERM or SIGINT came: no new work.
    private(set) var stopping = false
    /// READY=1 went out.
    private(set) var ready = false
    /// `start()` has installed its timers; reloads asked for before wait for it.
    private(set) var startedUp = false
    /// A reload is being applied.
    private(set) var reloading = false
    /// A reload waits for start-up or for the one being applied.
    private var pendingReload = false
    private var drainReported = false
    private var leftoversCollected = false

    /// Incidents waiting for a worker.
    private(set) var queued: Set<String> = []
    /// Incidents on a worker, with when they started.
    private(set) var inProgress: [String: Date] = [:]
    private var overdue: Set<String> = []
    /// Delivered incidents whose resolution follow-up is queued or running, and the running ones.
    private var resolutions: Set<String> = []
    private var resolutionsRunning: Set<String> = []
    /// Queue messages waiting on their incident's delivery.
    private var held: [String: [QueueMessage]] = [:]
    /// Incidents on a worker whose run has settled its messages but not yet finished, with how.
    /// A message received in that window (intake still read the incident as running) has no run
    /// left to settle it: it is settled the same way at once instead of being held.
    private var settledRuns: [String: Settlement] = [:]
    private(set) var lastActivity: Date
    private(set) var lastPoll: Date?

    init(started: Date, incidentDeadline: TimeInterval) {
        self.started = started
        self.incidentDeadline = incidentDeadline
        lastActivity = started
    }

    /// The watchdog's patience: three poll intervals or three long polls, at least 90 s, so a slow
    /// but living intake is never mistaken for a hung one.
    static func watchdogLimit(pollInterval: TimeInterval, receiveWait: Int) -> TimeInterval {
        max(90, 3 * pollInterval, Double(receiveWait) * 3)
    }

    // MARK: start

    /// `start()` finished installing its timers. A reload asked for earlier
    /// (a SIGHUP during start-up) runs now, once.
    mutating func startCompleted() -> [Action] {
        startedUp = true
        guard pendingReload else { return [] }
        pendingReload = false
        return reloadRequested()
    }

    // MARK: intake

    /// An intake loop made progress (a poll or a receive answered or failed): the watchdog may ping.
    mutating func activity(now: Date) {
        lastActivity = now
    }

    /// A DescribeAlarms poll answered.
    mutating func pollCompleted(now: Date) -> [Action] {
        lastPoll = now
        return markReady(after: "the first DescribeAlarms poll", now: now)
    }

    /// An SQS receive answered.
    mutating func receiveCompleted(now: Date) -> [Action] {
        lastActivity = now
        return markReady(after: "the first SQS receive", now: now)
    }

    /// READY once, after the first intake answer; later calls return nothing.
    mutating func markReady(after what: String, now: Date) -> [Action] {
        guard !ready else { return [] }
        ready = true
        return [.announceReady(after: what, elapsed: now.timeIntervalSince(started))]
    }

    /// A queue message waits on `id`'s delivery. Once the drain has collected what is left it is
    /// handed straight back, as nothing would release it later.
    mutating func messageHeld(_ message: QueueMessage, for id: String) -> Action {
        guard !leftoversCollected else { return .settle([message], .handBack) }
        if let settlement = settledRuns[id] { return .settle([message], Self.disposition(settlement)) }
        held[id, default: []].append(message)
        return .hold(message)
    }

    /// The messages held for `id` leave the state: deleted only when it was delivered.
    mutating func incidentSettled(_ id: String, _ settlement: Settlement) -> [Action] {
        if inProgress[id] != nil { settledRuns[id] = settlement }
        guard let messages = held.removeValue(forKey: id), !messages.isEmpty else { return [] }
        return [.settle(messages, Self.disposition(settlement))]
    }

    static func disposition(_ settlement: Settlement) -> Disposition {
        switch settlement {
        case .delivered: .delete
        case .claimedElsewhere: .leave
        case .failed: .retryLater
        }
    }

    // MARK: workers

    /// Whether `id` goes on the worker queue: not while stopping, not when queued or running.
    mutating func incidentQueued(_ id: String) -> Bool {
        guard !stopping, !queued.contains(id), inProgress[id] == nil else { return false }
        queued.insert(id)
        return true
    }

    /// A worker is free for `id`: whether it runs (not once stopping; it stays queued and the drain
    /// hands it back).
    mutating func incidentStarted(_ id: String, now: Date) -> Bool {
        guard !stopping else { return false }
        queued.remove(id)
        inProgress[id] = now
        return true
    }

    /// `id`'s worker is done, whatever the outcome.
    mutating func incidentFinished(_ id: String) -> [Action] {
        inProgress[id] = nil
        settledRuns[id] = nil
        overdue.remove(id)
        return [.status] + drainIfComplete()
    }

    /// Whether the resolution follow-up of `id` goes on the worker queue: not while stopping, not
    /// when one is queued or running.
    mutating func resolutionQueued(_ id: String) -> Bool {
        guard !stopping else { return false }
        return resolutions.insert(id).inserted
    }

    /// A worker is free for the follow-up of `id`: whether it runs (not once stopping).
    mutating func resolutionStarted(_ id: String) -> Bool {
        guard !stopping else {
            resolutions.remove(id)
            return false
        }
        resolutionsRunning.insert(id)
        return true
    }

    /// The follow-up of `id` is done.
    mutating func resolutionFinished(_ id: String) -> [Action] {
        resolutions.remove(id)
        resolutionsRunning.remove(id)
        return drainIfComplete()
    }

    // MARK: timers

    /// The minute's heartbeat: the metrics, each incident past its deadline once per run, STATUS.
    mutating func heartbeat(now: Date) -> [Action] {
        var actions: [Action] = [.heartbeat(running: inProgress.count)]
        for (id, since) in inProgress.sorted(by: { $0.key < $1.key })
        where now.timeIntervalSince(since) > incidentDeadline && overdue.insert(id).inserted {
            actions.append(.overdue(id: id, deadline: incidentDeadline))
        }
        return actions + [.status]
    }

    /// WATCHDOG=1 while the intake made progress within `limit`; always while stopping, so a long
    /// drain is not killed. A hung intake misses the pings and systemd restarts the service.
    func watchdogTick(now: Date, limit: TimeInterval) -> Action? {
        stopping || now.timeIntervalSince(lastActivity) < limit ? .watchdog : nil
    }

    /// The STATUS text; the totals come from the metrics.
    func statusLine(delivered: Int, failed: Int, alarmsSeen: Int) -> String {
        var line =
            "incidents: \(inProgress.count) running, \(queued.count) queued, \(delivered) delivered, \(failed) failed; alarms seen \(alarmsSeen)"
        if let lastPoll { line += "; last poll \(AWSTimestamp.format(lastPoll))" }
        return line
    }

    // MARK: reload

    /// SIGHUP. Before start-up finished it waits for `startCompleted()`; while a reload runs, one
    /// more follows it; while stopping it is ignored (a reload would send READY=1 after
    /// STOPPING=1). RELOADING=1 and the closing READY=1 are sent only once READY was: before, the
    /// first poll or receive still announces READY.
    mutating func reloadRequested() -> [Action] {
        guard !stopping else { return [] }
        guard startedUp, !reloading else {
            pendingReload = true
            return []
        }
        reloading = true
        return (ready ? [.notifyReloading] : []) + [.applyReload]
    }

    /// The reload is done (taken or rejected).
    mutating func reloadFinished() -> [Action] {
        reloading = false
        var actions: [Action] = ready && !stopping ? [.notifyReady] : []
        if pendingReload {
            pendingReload = false
            actions += reloadRequested()
        }
        return actions
    }

    // MARK: stop

    /// SIGTERM or SIGINT: no new work from now on. The first request returns `.stop` (and
    /// `.drained` when nothing runs); later ones nothing.
    mutating func stopRequested(reason: String) -> [Action] {
        guard !stopping else { return [] }
        stopping = true
        pendingReload = false
        return [.stop(reason: reason, inFlight: inProgress.count + queued.count)] + drainIfComplete()
    }

    /// The drain is over (complete or out of time): unfinished incidents with their messages, then
    /// the messages of incidents not in flight (joined or duplicate alarms), all handed back.
    mutating func collectLeftovers() -> [Action] {
        leftoversCollected = true
        let unfinished = Set(inProgress.keys).union(queued)
        var actions: [Action] = unfinished.sorted().map { id in
            .releaseUnfinished(id: id, messages: held.removeValue(forKey: id) ?? [])
        }
        let others = held.sorted { $0.key < $1.key }.flatMap(\.value)
        held = [:]
        if !others.isEmpty { actions.append(.settle(others, .handBack)) }
        return actions
    }

    private mutating func drainIfComplete() -> [Action] {
        guard stopping, !drainReported, inProgress.isEmpty, resolutionsRunning.isEmpty else { return [] }
        drainReported = true
        return [.drained]
    }
}
