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
        let logger = LogSetup.bootstrapped(configuration.log, target: .standardError, minimum: .warning)
        let pipeline = OneShotPipeline(configuration: configuration, environment: environment, logger: logger)
        for (index, event) in events.enumerated() {
            if events.count > 1 { print("record       \(index + 1) of \(events.count)") }
            try replay(event, pipeline: pipeline)
        }
    }

    /// One alarm record: intake (the state is saved unless --dry-run), then the pipeline if it opens
    /// an incident or finds one whose report never went out.
    func replay(_ event: AlarmEvent, pipeline: OneShotPipeline) throws {
        let event = try Wiring.failing { try pipeline.resolvingComposite(event) }
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

        let (decision, incident) = try Wiring.failing(exitCode: 1) { try pipeline.record(event, dryRun: dryRun) }
        switch decision {
        case .open(let incident): print("decision     opens incident \(incident.id)")
        case .joined(let id): print("decision     joins open incident \(id)")
        case .duplicate(let id, let phase): print("decision     already known: incident \(id) (\(phase.rawValue))")
        case .resolved(let id): print("decision     resolves incident \(id)")
        case .ignored(let reason): print("decision     ignored: \(reason)")
        }
        print(
            dryRun
                ? "state        not recorded (--dry-run)"
                : "state        recorded in \(IncidentStore(directory: pipeline.stateDirectory).file.path)")
        guard let incident else { return }
        let outcome = try Wiring.failing(exitCode: 1) {
            try pipeline.investigate(incident, event: incident.event ?? event, dryRun: dryRun)
        }
        try Wiring.show(outcome, pipeline: pipeline, out: out)
    }
}
