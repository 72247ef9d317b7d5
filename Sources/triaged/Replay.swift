import AWSCore
import ArgumentParser
import Foundation
import Logging
import Triage
import TriageDaemon

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a saved alarm message (any accepted shape) as if it had arrived: intake, then the pipeline.")

    @Option(
        name: .long,
        help:
            "The message: an SQS body (SNS envelope), a raw notification, an EventBridge event, a Lambda alarm-action payload, a Lambda SNS or SQS event (each record), a DescribeAlarms entry or response (each alarm)."
    )
    var file: String

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Record nothing and publish nothing (no S3, no SNS); print the Markdown report.")
    var dryRun = false

    @Option(name: .long, help: "Also write report.json, report.md and report.html to this directory.")
    var out: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = options.resolvedPath(environment: environment)
        var configuration = Configuration()
        if options.config != nil || FileManager.default.fileExists(atPath: path) {
            do {
                configuration = try ConfigurationLoader.load(path: path)
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("triaged: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("triaged: cannot read \(file)\n".utf8))
            throw ExitCode(2)
        }
        let events: [AlarmEvent]
        do {
            events = try AlarmMessageParser.parseAll(String(decoding: data, as: UTF8.self))
        } catch let error as AlarmMessageError {
            FileHandle.standardError.write(
                Data("triaged: \(file) is not a usable alarm message: \(error.reason)\n".utf8))
            throw ExitCode(2)
        }
        // Logging is bootstrapped once per process.
        let logger = Logging.bootstrapped(configuration.log, target: .standardError, minimum: .warning)
        for (index, event) in events.enumerated() {
            if events.count > 1 { print("record       \(index + 1) of \(events.count)") }
            try replay(event, configuration: configuration, environment: environment, logger: logger)
        }
    }

    /// One alarm record: intake (the state is saved unless --dry-run), then the pipeline if it opens
    /// an incident.
    func replay(
        _ event: AlarmEvent, configuration: Configuration, environment: [String: String], logger: Logger
    ) throws {
        var event = event
        var runtime: Runtime?
        if CompositeAlarmResolver.needsResolution(event) {
            // As the daemon does: a composite alarm is read through its triggering children.
            let made = try Wiring.runtime(configuration, environment: environment, logger: logger)
            event = made.compositeResolver(logger: logger).resolve(event)
            runtime = made
        }
        if let children = event.resolvedChildren { print("children     \(children.joined(separator: ", "))") }
        print("alarm        \(event.alarmName) (\(event.alarmArn))")
        print(
            "state        \(event.state.rawValue)\(event.previousState.map { " (was \($0.rawValue))" } ?? "") at \(AWSTimestamp.format(event.stateChangeTime))"
        )
        print("source       \(event.source.rawValue)")
        if let metric = event.metric {
            let dimensions = metric.dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: " ")
            print("metric       \(metric.namespace ?? "-") \(metric.name ?? "-") \(dimensions)")
        }
        if let rule = event.alarmRule { print("rule         \(rule)") }
        if let query = event.logQuery {
            print("log query    \(query.logGroups.joined(separator: ",")) \(query.queryString)")
        }
        print("transition   \(event.transitionId)")

        let directory = configuration.stateDirectory(environment: environment)
        let store = IncidentStore(directory: directory)
        var tracker: IncidentTracker
        do {
            tracker = try store.load() ?? IncidentTracker(correlationWindow: configuration.intake.correlationWindow)
        } catch {
            FileHandle.standardError.write(Data("triaged: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let decision = tracker.observe(event, now: Date())
        switch decision {
        case .open(let incident): print("decision     opens incident \(incident.id)")
        case .joined(let id): print("decision     joins open incident \(id)")
        case .duplicate(let id, let phase): print("decision     already known: incident \(id) (\(phase.rawValue))")
        case .resolved(let id): print("decision     resolves incident \(id)")
        case .ignored(let reason): print("decision     ignored: \(reason)")
        }
        if dryRun {
            print("state        not recorded (--dry-run)")
        } else {
            do {
                try store.save(tracker)
            } catch {
                FileHandle.standardError.write(Data("triaged: \(error)\n".utf8))
                throw ExitCode(1)
            }
            print("state        recorded in \(store.file.path)")
        }
        // An incident to investigate: a new one, or a known one whose report never went out.
        let incidentId: String
        switch decision {
        case .open(let incident): incidentId = incident.id
        case .duplicate(let id, let phase) where phase != .delivered: incidentId = id
        default: return
        }
        guard let incident = tracker.incidents[incidentId] else { return }
        let pipeline = try runtime ?? Wiring.runtime(configuration, environment: environment, logger: logger)
        try Wiring.investigateAndDeliver(
            incident, event: incident.event ?? event, runtime: pipeline, dryRun: dryRun, out: out)
        if !dryRun {
            tracker.markDelivered(incidentId, now: Date())
            do {
                try store.save(tracker)
            } catch {
                FileHandle.standardError.write(Data("triaged: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
