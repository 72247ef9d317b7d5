import AWSCore
import AWSServices
import Dispatch
import Foundation
import Logging
import Synchronization
import Triage

/// `triaged run`: the Dispatch-based service of `docs/daemon.md`. A timer polls DescribeAlarms, a
/// serial queue long-polls SQS, incidents run on a bounded worker pool, signal sources handle
/// SIGTERM/SIGINT (drain) and SIGHUP (reload), and systemd hears READY, STATUS, WATCHDOG and
/// STOPPING over `$NOTIFY_SOCKET`.
///
/// The decisions (what is queued, running, overdue or held, when READY, WATCHDOG and the drain are
/// due) are ``DaemonState``'s; this class owns the Dispatch objects and carries out its actions.
/// Every mutable member sits behind a `Mutex`: the state, the runtime that SIGHUP replaces, and the
/// timers (`start()` installs them on the caller's thread, a reload replaces the poll timer, the
/// drain cancels them on a global queue). Timer handlers and reloads run on the serial control
/// queue, so two reloads never overlap.
///
/// Signals are taken over by a ``SignalRelay`` before the daemon is built (`triaged run` creates it
/// first thing) and handled from the end of `init`, on the relay's queue. A SIGHUP that comes
/// before `start()` has installed its timers is neither lost nor able to race it: ``DaemonState``
/// keeps it and the reload runs once, when `start()` is done. A SIGTERM that early stops the daemon
/// as usual (nothing runs yet, so the drain is immediate).
public final class Daemon: Sendable {
    public struct Options: Sendable {
        /// The dead-man's-switch metric and the STATUS line.
        public var heartbeatInterval: TimeInterval = 60
        /// An incident running longer than this is logged (each stage has its own budget).
        public var incidentDeadline: TimeInterval = 600
        /// SQS long-poll wait (seconds).
        public var receiveWait = 20
        /// Visibility given back to the messages of an incident that failed, before a retry.
        public var retryDelay = 60
        public init() {}
    }

    /// The timers, cancelled all at once by the drain; a timer installed after that (a start-up
    /// that a SIGTERM overtook) is cancelled at once.
    private struct Sources {
        var timers: [any DispatchSourceTimer] = []
        var poll: (any DispatchSourceTimer)?
        var closed = false
    }

    private let configurationPath: String
    private let environment: [String: String]
    let options: Options
    let logger: Logger
    private let notifier: SystemdNotifier
    public let metrics: MetricsEmitter
    let intake: Intake
    let runtime: Mutex<Runtime>
    private let heartbeat: VisibilityHeartbeat?
    /// The one clock every decision reads, through `DaemonState`.
    let clock: any WallClock
    let state: Mutex<DaemonState>
    private let owner: String
    /// Outlive reloads: the day's model spend and where state lives.
    private let ledger: SpendLedger
    private let stateDirectory: URL

    let workers = DispatchQueue(label: "triaged.workers", attributes: .concurrent)
    let scheduler = DispatchQueue(label: "triaged.scheduler")
    let slots: DispatchSemaphore
    /// Signalled once by `DaemonState`'s `.drained`: nothing runs any more while stopping.
    private let drainComplete = DispatchSemaphore(value: 0)
    private let pollQueue = DispatchQueue(label: "triaged.poll")
    private let receiveQueue = DispatchQueue(label: "triaged.receive")
    private let receiveStopped = DispatchSemaphore(value: 0)
    /// Timer handlers and reloads.
    private let control = DispatchQueue(label: "triaged.control")
    /// Kept for the daemon's lifetime: releasing it would give the signals back.
    private let signals: SignalRelay
    private let finished = DispatchSemaphore(value: 0)
    private let sources = Mutex(Sources())

    /// Builds the service from a loaded configuration and handles SIGTERM, SIGINT and SIGHUP from
    /// `signals` (what came before is handled now); throws what keeps it from starting (AWS
    /// settings, an unreadable state directory).
    public init(
        configuration: Configuration, configurationPath: String, environment: [String: String],
        options: Options = Options(), metrics: MetricsEmitter = MetricsEmitter(),
        clock: any WallClock = SystemWallClock(), signals: SignalRelay = SignalRelay(), logger: Logger
    ) throws {
        self.signals = signals
        self.clock = clock
        state = Mutex(DaemonState(started: clock.now(), incidentDeadline: options.incidentDeadline))
        self.configurationPath = configurationPath
        self.environment = environment
        self.options = options
        self.logger = logger
        self.metrics = metrics
        notifier = SystemdNotifier(environment: environment)
        let directory = configuration.stateDirectory(environment: environment)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledger = SpendLedger(file: directory.appendingPathComponent("spend.json"))
        let built = try Runtime.make(
            configuration: configuration, environment: environment, stateDirectory: directory, ledger: ledger,
            clock: clock, logger: logger)
        // Stable across restarts of this installation (a restarted instance still owns its claims),
        // distinct for two installations on one host.
        owner = "\(ProcessInfo.processInfo.hostName):\(directory.path)"
        intake = try Intake(
            store: IncidentStore(directory: directory), correlationWindow: configuration.intake.correlationWindow,
            claims: built.claims(owner: owner), clock: clock, logger: logger)
        runtime = Mutex(built)
        slots = DispatchSemaphore(value: max(1, configuration.workers))
        let visibility = configuration.intake.visibilityTimeout
        heartbeat = built.consumer.map { consumer in
            VisibilityHeartbeat(
                consumer: consumer, interval: visibility / 5, extension: Int(visibility), logger: logger)
        }
        self.ledger = ledger
        self.stateDirectory = directory
        signals.attach { [weak self] number in self?.signalled(number) }
    }

    /// Runs until SIGTERM/SIGINT and the drain; returns the exit status (0).
    public func run() -> Int32 {
        start()
        finished.wait()
        return 0
    }

    // MARK: start

    func start() {
        let current = runtime.withLock { $0 }
        let configuration = current.configuration
        logger.info(
            "triaged starting",
            metadata: [
                "version": "\(TriagedVersion.current)", "config.path": "\(configurationPath)",
                "state.dir": "\(stateDirectory.path)", "aws.region": "\(current.context.region)",
                "workers": "\(configuration.workers)", "intake.poll": "\(current.poller != nil)",
                "intake.queue": "\(current.consumer?.queueURL ?? "-")",
            ])
        for incident in intake.unfinished {
            logger.info("resuming an unfinished incident", metadata: ["incident.id": "\(incident.id)"])
            schedule(incident)
        }
        // Resolutions a crash or a failure left unsent, for reports this outbox delivered.
        for incident in intake.resolvedDelivered {
            guard let progress = (try? current.deliverer.outbox.progress(incident.id)) ?? nil,
                progress.resolution?.completedAt == nil
            else { continue }
            scheduleResolution(incident.id)
        }
        if current.poller != nil { schedulePolling(every: configuration.intake.pollInterval) }
        if current.consumer != nil { receiveQueue.async { self.receiveLoop() } } else { receiveStopped.signal() }
        if let interval = notifier.watchdogInterval {
            repeating(interval) { self.watchdogTick() }
        }
        repeating(options.heartbeatInterval) { self.heartbeatTick() }
        perform(state.withLock { $0.startCompleted() })
    }

    /// A timer on the control queue, first fired one interval from now.
    private func repeating(_ interval: TimeInterval, _ body: @escaping @Sendable () -> Void) {
        sources.withLock { sources in
            let timer = DispatchSource.makeTimerSource(queue: control)
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(200))
            timer.setEventHandler(handler: body)
            timer.resume()
            if sources.closed { timer.cancel() } else { sources.timers.append(timer) }
        }
    }

    /// Replaces the poll timer (the first poll at once), or only cancels it when `interval` is nil.
    private func schedulePolling(every interval: TimeInterval?) {
        sources.withLock { sources in
            sources.poll?.cancel()
            sources.poll = nil
            guard let interval, !sources.closed else { return }
            let timer = DispatchSource.makeTimerSource(queue: pollQueue)
            timer.schedule(deadline: .now(), repeating: interval, leeway: .seconds(1))
            timer.setEventHandler { [weak self] in self?.pollOnce() }
            timer.resume()
            sources.poll = timer
        }
    }

    private func signalled(_ number: Int32) {
        switch number {
        case SIGHUP: perform(state.withLock { $0.reloadRequested() })
        case SIGINT: shutdown("SIGINT")
        default: shutdown("SIGTERM")
        }
    }

    // MARK: intake

    private func pollOnce() {
        guard !state.withLock({ $0.stopping }), let poller = runtime.withLock({ $0.poller }) else { return }
        do {
            let events = try poller.poll(now: clock.now())
            perform(state.withLock { $0.pollCompleted(now: clock.now()) })
            for event in events { handle(event, message: nil) }
        } catch {
            logger.warning("DescribeAlarms poll failed", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.activity(now: clock.now()) }
    }

    private func receiveLoop() {
        defer { receiveStopped.signal() }
        var failures = 0
        var first = true
        while !state.withLock({ $0.stopping }) {
            guard let consumer = runtime.withLock({ $0.consumer }) else { break }
            do {
                // The first receive does not wait, so an empty queue does not hold READY back.
                let messages = try consumer.receive(wait: first ? 0 : options.receiveWait)
                first = false
                failures = 0
                perform(state.withLock { $0.receiveCompleted(now: clock.now()) })
                if state.withLock({ $0.stopping }) {
                    // Received while stopping: hand them straight back.
                    settle(messages, .handBack)
                    break
                }
                for message in messages {
                    metrics.emit(
                        ["QueueLag": (max(0, clock.now().timeIntervalSince(message.event.stateChangeTime)), .seconds)],
                        properties: ["alarm.name": message.event.alarmName])
                    handle(message.event, message: message)
                }
            } catch {
                failures += 1
                state.withLock { $0.activity(now: clock.now()) }
                var metadata: Logger.Metadata = [
                    "error": "\(error)", "attempt": "\(failures)", "sqs.queue_url": "\(consumer.queueURL)",
                    "aws.region": "\(consumer.region)",
                ]
                // A queue in another region than the one signed for answers exactly like a deleted one.
                if let error = error as? AWSError,
                    ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"].contains(error.code)
                {
                    metadata["hint"] =
                        "the queue does not exist in \(consumer.region): check intake.queue_url (its host names the region)"
                }
                logger.warning("SQS receive failed", metadata: metadata)
                Thread.sleep(forTimeInterval: min(30, Double(failures) * 2))
            }
        }
    }

    /// Records one alarm event and acts on the decision.
    func handle(_ event: AlarmEvent, message: QueueMessage?) {
        let outcome: Intake.Outcome
        do {
            outcome = try intake.record(event)
        } catch {
            // Not recorded: the message stays on the queue and comes back after its visibility timeout.
            logger.error(
                "alarm event could not be recorded",
                metadata: ["alarm.name": "\(event.alarmName)", "error": "\(error)"])
            return
        }
        // A poll that finds an alarm still in ALARM for a known transition, or still in OK, is not
        // a new sighting.
        let stillInAlarm: Bool
        switch outcome {
        case .done(.duplicate), .done(.ignored): stillInAlarm = message == nil
        default: stillInAlarm = false
        }
        if !stillInAlarm { metrics.count("AlarmsSeen", properties: ["alarm.name": event.alarmName]) }
        switch outcome {
        case .investigate(let incident):
            metrics.count("IncidentsOpened", properties: ["incident.id": incident.id])
            attach(message, to: incident.id)
            schedule(incident)
        case .done(.duplicate(let id, let phase)):
            if !stillInAlarm { metrics.count("IncidentsDeduplicated", properties: ["incident.id": id]) }
            if phase == .delivered {
                acknowledge(message)
            } else {
                attach(message, to: id)
                if let incident = intake.incident(id) { schedule(incident) }
            }
        case .done(.joined(let id)):
            metrics.count("IncidentsCorrelated", properties: ["incident.id": id])
            attach(message, to: id)
            // As for a duplicate: an incident that is not queued or running (it failed and waits
            // for its retry, or another instance claimed it) runs now, so the message is settled.
            if let incident = intake.incident(id) { schedule(incident) }
        case .done(.resolved(let id)):
            // Recorded durably: the follow-up is the outbox's job from here. An incident not yet
            // delivered goes out resolved, or gets its follow-up right after delivery (`work`).
            acknowledge(message)
            metrics.count("IncidentsResolved", properties: ["incident.id": id])
            if intake.incident(id)?.phase == .delivered { scheduleResolution(id) }
        case .done(.ignored), .done(.open):
            acknowledge(message)
        }
    }

    private func attach(_ message: QueueMessage?, to id: String) {
        guard let message else { return }
        perform([state.withLock { $0.messageHeld(message, for: id) }])
    }

    private func acknowledge(_ message: QueueMessage?) {
        guard let message, let consumer = runtime.withLock({ $0.consumer }) else { return }
        attempt("could not delete a handled message; it will come back and be recognised", message) {
            try consumer.acknowledge(message)
        }
    }

    // MARK: actions

    /// Carries out what `DaemonState` decided, outside its lock.
    func perform(_ actions: [DaemonState.Action]) {
        for action in actions {
            switch action {
            case .announceReady(let what, let elapsed):
                logger.info("triaged ready", metadata: ["after": "\(what)", "duration_ms": "\(Int(elapsed * 1000))"])
                notifier.ready(status: statusLine())
            case .notifyReady:
                notifier.ready(status: statusLine())
            case .notifyReloading:
                notifier.reloading()
            case .applyReload:
                // Reloads run on the control queue, one after the other.
                control.async { self.reload() }
            case .status:
                notifier.status(statusLine())
            case .watchdog:
                notifier.watchdog()
            case .heartbeat(let running):
                metrics.emit(
                    ["Heartbeat": (1, .count), "IncidentsRunning": (Double(running), .count)], properties: [:])
            case .overdue(let id, let deadline):
                logger.warning(
                    "incident past its deadline", metadata: ["incident.id": "\(id)", "deadline_s": "\(Int(deadline))"])
            case .hold(let message):
                heartbeat?.hold(message)
            case .settle(let messages, let disposition):
                settle(messages, disposition)
            case .stop(let reason, let inFlight):
                schedulePolling(every: nil)
                logger.notice("stopping", metadata: ["signal": "\(reason)", "incidents.in_flight": "\(inFlight)"])
                notifier.stopping(status: "stopping: \(inFlight) incidents in flight")
                DispatchQueue.global().async { self.drain() }
            case .drained:
                drainComplete.signal()
            case .releaseUnfinished(let id, let messages):
                reopen(id)
                settle(messages, .handBack)
                logger.warning("incident released unfinished", metadata: ["incident.id": "\(id)"])
            }
        }
    }

    private func settle(_ messages: [QueueMessage], _ disposition: DaemonState.Disposition) {
        let consumer = runtime.withLock { $0.consumer }
        for message in messages {
            heartbeat?.drop(message)
            switch disposition {
            case .delete: acknowledge(message)
            case .leave: break
            case .retryLater:
                attempt(
                    "could not delay a failed incident's message; it comes back after its visibility timeout", message
                ) {
                    try consumer?.extendVisibility(message, by: options.retryDelay)
                }
            case .handBack:
                attempt("could not hand a message back; it comes back after its visibility timeout", message) {
                    try consumer?.release(message)
                }
            }
        }
    }

    /// Records an unfinished incident as open again, for a retry or the next start. A failure to
    /// save is logged: the record still says investigating, which a restart resumes all the same.
    func reopen(_ id: String) {
        do {
            try intake.release(id)
        } catch {
            logger.warning(
                "could not record the incident as open again", metadata: ["incident.id": "\(id)", "error": "\(error)"])
        }
    }

    /// A queue call on `message` that may fail without losing anything (the message comes back when
    /// its visibility timeout runs out), logged with the AWS error instead of dropped in silence.
    private func attempt(_ what: Logger.Message, _ message: QueueMessage, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            logger.warning(what, metadata: ["sqs.message_id": "\(message.messageId)", "error": "\(error)"])
        }
    }

    // MARK: systemd, status, heartbeat

    func statusLine() -> String {
        let delivered = metrics.total("IncidentsDelivered")
        let failed = metrics.total("IncidentsFailed")
        let seen = metrics.total("AlarmsSeen")
        return state.withLock { $0.statusLine(delivered: delivered, failed: failed, alarmsSeen: seen) }
    }

    private func watchdogTick() {
        let interval = runtime.withLock { $0.configuration.intake.pollInterval }
        let limit = DaemonState.watchdogLimit(pollInterval: interval, receiveWait: options.receiveWait)
        if let action = state.withLock({ $0.watchdogTick(now: clock.now(), limit: limit) }) { perform([action]) }
    }

    private func heartbeatTick() {
        perform(state.withLock { $0.heartbeat(now: clock.now()) })
    }

    // MARK: reload and shutdown

    /// Loads and takes the configuration file again; on the control queue, after `DaemonState`
    /// allowed it (`.applyReload`).
    private func reload() {
        let current = runtime.withLock { $0.configuration }
        do {
            let configuration = try ConfigurationLoader.load(path: configurationPath)
            let problems = configuration.runRequirements()
            guard problems.isEmpty else {
                throw ConfigurationError(
                    file: configurationPath, line: nil, key: "", reason: problems.joined(separator: "; "))
            }
            let built = try Runtime.make(
                configuration: configuration, environment: environment, stateDirectory: stateDirectory, ledger: ledger,
                clock: clock, logger: logger)
            var restartOnly: [String] = []
            if configuration.workers != current.workers { restartOnly.append("workers") }
            if configuration.intake.queueURL != current.intake.queueURL { restartOnly.append("intake.queue_url") }
            if configuration.state != current.state { restartOnly.append("state") }
            if configuration.log != current.log { restartOnly.append("log") }
            runtime.withLock { running in
                // Keep what only a restart can change: the queue consumer and its heartbeat.
                running = Runtime(
                    configuration: configuration, context: built.context, cloudWatch: built.cloudWatch,
                    router: built.router, poller: built.poller, consumer: running.consumer,
                    investigator: built.investigator, deliverer: built.deliverer, s3: built.s3)
            }
            let polling = sources.withLock { $0.poll != nil }
            // A stop that came during the reload cancelled polling for good.
            let stopping = state.withLock { $0.stopping }
            if !stopping,
                configuration.intake.pollInterval != current.intake.pollInterval || (built.poller != nil) != polling
            {
                schedulePolling(every: built.poller != nil ? configuration.intake.pollInterval : nil)
            }
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "config.path": "\(configurationPath)",
                    "restart_needed_for": "\(restartOnly.isEmpty ? "-" : restartOnly.joined(separator: ","))",
                ])
        } catch {
            logger.error(
                "configuration reload rejected; the running configuration stays",
                metadata: ["config.path": "\(configurationPath)", "error": "\(error)"])
        }
        perform(state.withLock { $0.reloadFinished() })
    }

    func shutdown(_ reason: String) {
        perform(state.withLock { $0.stopRequested(reason: reason) })
    }

    private func drain() {
        let deadline = DispatchTime.now() + runtime.withLock { $0.configuration.drainTimeout }
        let drained = drainComplete.wait(timeout: deadline) == .success
        _ = receiveStopped.wait(timeout: deadline)
        let leftovers = state.withLock { $0.collectLeftovers() }
        perform(leftovers)
        heartbeat?.stop()
        sources.withLock { sources in
            sources.closed = true
            for timer in sources.timers + (sources.poll.map { [$0] } ?? []) { timer.cancel() }
        }
        let released = leftovers.filter {
            if case .releaseUnfinished = $0 { return true } else { return false }
        }.count
        logger.notice(
            "stopped",
            metadata: [
                "drained": "\(drained)", "incidents.released": "\(released)",
                "incidents.delivered": "\(metrics.total("IncidentsDelivered"))",
            ])
        finished.signal()
    }
}
