import AWSCore
import AWSServices
import ArgumentParser
import Foundation
import Triage
import TriageDaemon

struct Investigate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline once for a named alarm, as of now or --at, whatever its state.")

    @Option(name: .long, help: "The alarm's name.")
    var alarm: String

    @Option(
        name: .long,
        help: "The moment to investigate (ISO 8601, e.g. 2026-11-25T10:04:00Z); default: the alarm's last state change."
    )
    var at: String?

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Publish nothing (no S3, no SNS); print the Markdown report.")
    var dryRun = false

    @Option(name: .long, help: "Also write report.json, report.md and report.html to this directory.")
    var out: String?

    func validate() throws {
        if let at, AWSTimestamp.parse(at) == nil {
            throw ValidationError("--at '\(at)' is not an ISO 8601 time such as 2026-11-25T10:04:00Z")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let path = options.resolvedPath(environment: environment)
        let configuration = try Wiring.loadConfiguration(path)
        let logger = LogSetup.bootstrapped(configuration.log, target: .standardError, minimum: .warning)
        let pipeline = OneShotPipeline(configuration: configuration, environment: environment, logger: logger)
        let runtime = try Wiring.failing { try pipeline.runtime() }
        let found: Alarm
        do {
            guard let alarm = try runtime.cloudWatch.describeAlarms(names: [alarm]).first else {
                Wiring.fail("no alarm named '\(alarm)' in \(runtime.context.region)")
                throw ExitCode(1)
            }
            found = alarm
        } catch let error as AWSError {
            Wiring.fail("cloudwatch:DescribeAlarms failed: \(error)")
            throw ExitCode(1)
        }
        var event: AlarmEvent
        do {
            event = try pipeline.resolvingComposite(try AlarmMessageParser.event(from: found))
        } catch let error as AlarmMessageError {
            Wiring.fail("alarm '\(alarm)' cannot be investigated: \(error.reason)")
            throw ExitCode(1)
        }
        event.state = .alarm
        if let at, let time = AWSTimestamp.parse(at) { event.stateChangeTime = time }
        // An incident of its own, whatever the state file says (investigate is asked for, not
        // deduplicated); the claims still keep it from doubling a running instance's work.
        var tracker = IncidentTracker(correlationWindow: configuration.intake.correlationWindow)
        guard case .open(let incident) = tracker.observe(event, now: Date()) else {
            Wiring.fail("alarm '\(alarm)' opened no incident")
            throw ExitCode(1)
        }
        let outcome = try Wiring.failing(exitCode: 1) {
            try pipeline.investigateNow(incident, event: event, dryRun: dryRun)
        }
        try Wiring.show(outcome, pipeline: pipeline, out: out)
    }
}
