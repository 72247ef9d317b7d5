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
// @unchecked: the Dispatch sources are created in `start()` on the caller's thread before any
// handler can run and are afterwards only cancelled, which Dispatch allows from any thread; every
// other piece of mutable state is inside a Mutex.
public final class Daemon: @unchecked Sendable {
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

    struct State {
        var stopping = false
        var ready = false
        /// Incidents waiting for a worker, and running, with when they started.
        var queued: Set<String> = []
        var running: [String: Date] = [:]
        var overdue: Set<String> = []
        /// Delivered incidents whose resolution follow-up is queued or running.
        var resolving: Set<String> = []
        /// Queue messages to acknowledge when their incident is delivered.
        var messages: [String: [QueueMessage]] = [:]
        var lastActivity = Date()
        var lastPoll: Date?
    }

    private let configurationPath: String
    private let environment: [String: String]
    private let options: Options
    private let logger: Logger
    private let notifier: SystemdNotifier
    public let metrics: MetricsEmitter
    private let intake: Intake
    private let runtime: Mutex<Runtime>
    private let heartbeat: VisibilityHeartbeat?
    private let state = Mutex(State())
    private let started = Date()
    private let owner: String
    /// Outlive reloads: the day's model spend and where state lives.
    private let ledger: SpendLedger
    private let stateDirectory: URL

    private let workers = DispatchQueue(label: "triaged.workers", attributes: .concurrent)
    private let scheduler = DispatchQueue(label: "triaged.scheduler")
    private let slots: DispatchSemaphore
    private let active = DispatchGroup()
    private let pollQueue = DispatchQueue(label: "triaged.poll")
    private let receiveQueue = DispatchQueue(label: "triaged.receive")
    private let receiveStopped = DispatchSemaphore(value: 0)
    private let control = DispatchQueue(label: "triaged.control")
    private let finished = DispatchSemaphore(value: 0)
    private var pollTimer: (any DispatchSourceTimer)?
    private var timers: [any DispatchSourceTimer] = []
    private var signalSources: [any DispatchSourceSignal] = []

    /// Builds the service from a loaded configuration; throws what keeps it from starting
    /// (AWS settings, an unreadable state directory).
    public init(
        configuration: Configuration, configurationPath: String, environment: [String: String],
        options: Options = Options(), metrics: MetricsEmitter = MetricsEmitter(), logger: Logger
    ) throws {
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
            logger: logger)
        // Stable across restarts of this installation (a restarted instance still owns its claims),
        // distinct for two installations on one host.
        owner = "\(ProcessInfo.processInfo.hostName):\(directory.path)"
        intake = try Intake(
            store: IncidentStore(directory: directory), correlationWindow: configuration.intake.correlationWindow,
            claims: built.claims(owner: owner), clock: SystemWallClock(), logger: logger)
        runtime = Mutex(built)
        slots = DispatchSemaphore(value: max(1, configuration.workers))
        let visibility = configuration.intake.visibilityTimeout
        heartbeat = built.consumer.map { consumer in
            VisibilityHeartbeat(
                consumer: consumer, interval: visibility / 5, extension: Int(visibility), logger: logger)
        }
        self.ledger = ledger
        self.stateDirectory = directory
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
        installSignals()
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
            timers.append(repeating(interval) { self.watchdogTick() })
        }
        timers.append(repeating(options.heartbeatInterval) { self.heartbeatTick() })
    }

    private func repeating(_ interval: TimeInterval, first: TimeInterval? = nil, _ body: @escaping @Sendable () -> Void)
        -> any DispatchSourceTimer
    {
        let timer = DispatchSource.makeTimerSource(queue: control)
        timer.schedule(deadline: .now() + (first ?? interval), repeating: interval, leeway: .milliseconds(200))
        timer.setEventHandler(handler: body)
        timer.resume()
        return timer
    }

    private func schedulePolling(every interval: TimeInterval) {
        pollTimer?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: pollQueue)
        timer.schedule(deadline: .now(), repeating: interval, leeway: .seconds(1))
        timer.setEventHandler { [weak self] in self?.pollOnce() }
        timer.resume()
        pollTimer = timer
    }

    private func installSignals() {
        let handlers: [(Int32, @Sendable () -> Void)] = [
            (SIGTERM, { [self] in self.shutdown("SIGTERM") }), (SIGINT, { [self] in self.shutdown("SIGINT") }),
            (SIGHUP, { [self] in self.reload() }),
        ]
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: control)
            source.setEventHandler(handler: handler)
            source.resume()
            signalSources.append(source)
        }
    }

    // MARK: intake

    private func pollOnce() {
        guard !state.withLock({ $0.stopping }), let poller = runtime.withLock({ $0.poller }) else { return }
        do {
            let events = try poller.poll(now: Date())
            state.withLock { $0.lastPoll = Date() }
            markReady(after: "the first DescribeAlarms poll")
            for event in events { handle(event, message: nil) }
        } catch {
            logger.warning("DescribeAlarms poll failed", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.lastActivity = Date() }
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
                state.withLock { $0.lastActivity = Date() }
                markReady(after: "the first SQS receive")
                if state.withLock({ $0.stopping }) {
                    // Received while stopping: hand them straight back.
                    for message in messages { try? consumer.release(message) }
                    break
                }
                for message in messages {
                    metrics.emit(
                        ["QueueLag": (max(0, Date().timeIntervalSince(message.event.stateChangeTime)), .seconds)],
                        properties: ["alarm.name": message.event.alarmName])
                    handle(message.event, message: message)
                }
            } catch {
                failures += 1
                state.withLock { $0.lastActivity = Date() }
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
        state.withLock { $0.messages[id, default: []].append(message) }
        heartbeat?.hold(message)
    }

    private func acknowledge(_ message: QueueMessage?) {
        guard let message, let consumer = runtime.withLock({ $0.consumer }) else { return }
        do {
            try consumer.acknowledge(message)
        } catch {
            logger.warning(
                "could not delete a handled message; it will come back and be recognised",
                metadata: ["sqs.message_id": "\(message.messageId)", "error": "\(error)"])
        }
    }

    // MARK: workers

    /// Queues an incident for a worker unless it is already queued or running.
    func schedule(_ incident: IncidentTracker.Incident) {
        let fresh = state.withLock { state -> Bool in
            guard !state.stopping, !state.queued.contains(incident.id), state.running[incident.id] == nil else {
                return false
            }
            state.queued.insert(incident.id)
            return true
        }
        guard fresh else { return }
        active.enter()
        scheduler.async {
            self.slots.wait()
            let go = self.state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.queued.remove(incident.id)
                state.running[incident.id] = Date()
                return true
            }
            guard go else {
                self.slots.signal()
                self.active.leave()
                return
            }
            self.workers.async {
                self.work(incident)
                self.state.withLock { state in
                    state.running[incident.id] = nil
                    state.overdue.remove(incident.id)
                }
                self.slots.signal()
                self.active.leave()
                self.updateStatus()
            }
        }
    }

    private func work(_ incident: IncidentTracker.Incident) {
        let id = incident.id
        let current = runtime.withLock { $0 }
        do {
            guard try intake.begin(id) else {
                let phase = intake.incident(id)?.phase
                if phase == .delivered {
                    for message in takeMessages(id) { acknowledge(message) }
                } else {
                    // Another instance holds it; its messages come back after their visibility timeout.
                    for message in takeMessages(id) { heartbeat?.drop(message) }
                }
                return
            }
            let deliverer = current.deliverer
            let started = Date()
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
                values["ModelCalls"] = (report.analysis.source == "bedrock" ? 1 : 0, .count)
                var properties = ["incident.id": id, "analysis.source": report.analysis.source]
                if let model = report.analysis.answeredBy { properties["model.id"] = model }
                metrics.emit(values, properties: properties)
                let delivering = Date()
                // Every alarm back to OK before the report went out: it goes out resolved, with one notification.
                if report.resolution == nil, let resolvedAt = intake.incident(id)?.resolvedAt {
                    report = report.resolved(at: resolvedAt)
                }
                result = try deliverer.deliver(report)
                metrics.emit(
                    ["DeliverDuration": (Date().timeIntervalSince(delivering) * 1000, .milliseconds)],
                    properties: ["incident.id": id])
            }
            try intake.finish(id)
            for message in takeMessages(id) {
                heartbeat?.drop(message)
                acknowledge(message)
            }
            metrics.emit(
                [
                    "IncidentsDelivered": (1, .count),
                    "IncidentDuration": (Date().timeIntervalSince(started) * 1000, .milliseconds),
                ], properties: ["incident.id": id, "sns.state": result.notification.rawValue])
            // An OK that came while it was investigated: the follow-up now that it is delivered.
            if intake.incident(id)?.resolvedAt != nil { resolve(id, deliverer: deliverer) }
        } catch {
            logger.error(
                "incident failed; it will be retried", metadata: ["incident.id": "\(id)", "error": "\(error)"])
            metrics.count("IncidentsFailed", properties: ["incident.id": id])
            try? intake.release(id)
            let consumer = current.consumer
            for message in takeMessages(id) {
                heartbeat?.drop(message)
                try? consumer?.extendVisibility(message, by: options.retryDelay)
            }
        }
    }

    /// Runs the resolution follow-up of a delivered incident on a worker, unless one is queued or running.
    func scheduleResolution(_ id: String) {
        let fresh = state.withLock { state -> Bool in
            guard !state.stopping, state.resolving.insert(id).inserted else { return false }
            return true
        }
        guard fresh else { return }
        active.enter()
        workers.async {
            self.slots.wait()
            let deliverer = self.runtime.withLock { $0.deliverer }
            if !self.state.withLock({ $0.stopping }) { self.resolve(id, deliverer: deliverer) }
            self.state.withLock { _ = $0.resolving.remove(id) }
            self.slots.signal()
            self.active.leave()
        }
    }

    /// The follow-up of a delivered, resolved incident through the outbox (nothing is sent twice).
    private func resolve(_ id: String, deliverer: ReportDeliverer) {
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

    private func takeMessages(_ id: String) -> [QueueMessage] {
        state.withLock { $0.messages.removeValue(forKey: id) ?? [] }
    }

    // MARK: systemd, status, heartbeat

    private func markReady(after what: String) {
        let first = state.withLock { state -> Bool in
            guard !state.ready else { return false }
            state.ready = true
            return true
        }
        guard first else { return }
        let elapsed = Date().timeIntervalSince(started)
        logger.info("triaged ready", metadata: ["after": "\(what)", "duration_ms": "\(Int(elapsed * 1000))"])
        notifier.ready(status: statusLine())
    }

    func statusLine() -> String {
        let (queued, running, lastPoll) = state.withLock { ($0.queued.count, $0.running.count, $0.lastPoll) }
        var line =
            "incidents: \(running) running, \(queued) queued, \(metrics.total("IncidentsDelivered")) delivered, \(metrics.total("IncidentsFailed")) failed; alarms seen \(metrics.total("AlarmsSeen"))"
        if let lastPoll { line += "; last poll \(AWSTimestamp.format(lastPoll))" }
        return line
    }

    private func updateStatus() {
        notifier.status(statusLine())
    }

    private func watchdogTick() {
        let (last, stopping) = state.withLock { ($0.lastActivity, $0.stopping) }
        let interval = runtime.withLock { $0.configuration.intake.pollInterval }
        let limit = max(90, 3 * interval, Double(options.receiveWait) * 3)
        // A hung intake misses pings and systemd restarts the service; a drain keeps pinging.
        if stopping || Date().timeIntervalSince(last) < limit { notifier.watchdog() }
    }

    private func heartbeatTick() {
        let running = state.withLock { $0.running }
        metrics.emit(
            ["Heartbeat": (1, .count), "IncidentsRunning": (Double(running.count), .count)], properties: [:])
        for (id, since) in running where Date().timeIntervalSince(since) > options.incidentDeadline {
            let first = state.withLock { $0.overdue.insert(id).inserted }
            if first {
                logger.warning(
                    "incident past its deadline",
                    metadata: ["incident.id": "\(id)", "deadline_s": "\(Int(options.incidentDeadline))"])
            }
        }
        updateStatus()
    }

    // MARK: reload and shutdown

    func reload() {
        notifier.reloading()
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
                logger: logger)
            var restartOnly: [String] = []
            if configuration.workers != current.workers { restartOnly.append("workers") }
            if configuration.intake.queueURL != current.intake.queueURL { restartOnly.append("intake.queue_url") }
            if configuration.state != current.state { restartOnly.append("state") }
            if configuration.log != current.log { restartOnly.append("log") }
            runtime.withLock { running in
                // Keep what only a restart can change: the queue consumer and its heartbeat.
                running = Runtime(
                    configuration: configuration, context: built.context, cloudWatch: built.cloudWatch,
                    poller: built.poller, consumer: running.consumer, investigator: built.investigator,
                    deliverer: built.deliverer, s3: built.s3)
            }
            if configuration.intake.pollInterval != current.intake.pollInterval
                || (built.poller == nil) != (pollTimer == nil)
            {
                if built.poller != nil {
                    schedulePolling(every: configuration.intake.pollInterval)
                } else {
                    pollTimer?.cancel()
                    pollTimer = nil
                }
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
        notifier.ready(status: statusLine())
    }

    func shutdown(_ reason: String) {
        let first = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.stopping = true
            return true
        }
        guard first else { return }
        pollTimer?.cancel()
        let running = state.withLock { $0.running.count + $0.queued.count }
        logger.notice("stopping", metadata: ["signal": "\(reason)", "incidents.in_flight": "\(running)"])
        notifier.stopping(status: "stopping: \(running) incidents in flight")
        DispatchQueue.global().async { self.drain() }
    }

    private func drain() {
        let deadline = DispatchTime.now() + runtime.withLock { $0.configuration.drainTimeout }
        let drained = active.wait(timeout: deadline) == .success
        _ = receiveStopped.wait(timeout: deadline)
        let (leftover, messages) = state.withLock { state in
            (Set(state.running.keys).union(state.queued), state.messages)
        }
        let consumer = runtime.withLock { $0.consumer }
        for id in leftover {
            try? intake.release(id)
            for message in messages[id] ?? [] { try? consumer?.release(message) }
            logger.warning("incident released unfinished", metadata: ["incident.id": "\(id)"])
        }
        // Messages of incidents not running (joined or duplicate ones waiting on a delivered incident).
        for (id, list) in messages where !leftover.contains(id) {
            for message in list { try? consumer?.release(message) }
        }
        heartbeat?.stop()
        for timer in timers { timer.cancel() }
        logger.notice(
            "stopped",
            metadata: [
                "drained": "\(drained)", "incidents.released": "\(leftover.count)",
                "incidents.delivered": "\(metrics.total("IncidentsDelivered"))",
            ])
        finished.signal()
    }
}
