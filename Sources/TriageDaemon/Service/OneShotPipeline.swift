import AWSCore
import Foundation
import Logging
import Triage

/// What `triaged replay` and `triaged investigate` run, outside the daemon but through its parts:
/// the same runtime, the same `Intake` over the same state file, the same claims (S3 claims when
/// configured, so an incident that a running instance holds is not investigated a second time), the
/// same investigator and deliverer. The executable only parses arguments and prints.
///
/// The runtime (AWS context and clients) is made on first use, so replaying an event that needs
/// no AWS call (an OK, a duplicate, a dry run of an ignored event) needs no region or credentials.
/// Like the daemon, this expects to be the only process writing its state directory: run replay
/// against a stopped daemon's state, or with a state directory of its own.
public final class OneShotPipeline {
    /// What `investigate` did.
    public enum Outcome {
        /// Built, not delivered (`--dry-run`).
        case built(Report)
        /// Delivered; the outbox holds the delivered renderings.
        case delivered(Report, DeliveryResult)
        /// Another instance's claim holds the incident, or it is already being worked on: nothing done.
        case heldElsewhere(String)
    }

    public let configuration: Configuration
    private let environment: [String: String]
    private let logger: Logger
    private var made: Runtime?
    private var madeIntake: Intake?

    public init(configuration: Configuration, environment: [String: String], logger: Logger) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
    }

    /// The state directory (`state.dir`, else systemd's `STATE_DIRECTORY`, else the default).
    public var stateDirectory: URL { configuration.stateDirectory(environment: environment) }

    /// Whose claims these are: the daemon's owner name for this state directory with `:one-shot`,
    /// so a one-shot run never counts a running daemon's claim as its own.
    var claimOwner: String { "\(ProcessInfo.processInfo.hostName):\(stateDirectory.path):one-shot" }

    /// The runtime, made once.
    public func runtime() throws -> Runtime {
        if let made { return made }
        let directory = stateDirectory
        let runtime = try Runtime.make(
            configuration: configuration, environment: environment, stateDirectory: directory,
            ledger: SpendLedger(file: directory.appendingPathComponent("spend.json")), logger: logger)
        made = runtime
        return runtime
    }

    /// The daemon's intake over the state file, with the configured claims, made once.
    func intake() throws -> Intake {
        if let madeIntake { return madeIntake }
        let intake = try Intake(
            store: IncidentStore(directory: stateDirectory), correlationWindow: configuration.intake.correlationWindow,
            claims: try runtime().claims(owner: claimOwner),
            clock: SystemWallClock(), logger: logger)
        madeIntake = intake
        return intake
    }

    /// A composite alarm read through its triggering children, in the composite's account and
    /// region, as the daemon does; other events as they are.
    public func resolvingComposite(_ event: AlarmEvent) throws -> AlarmEvent {
        guard CompositeAlarmResolver.needsResolution(event) else { return event }
        return try runtime().compositeResolver(logger: logger).resolve(event)
    }

    /// The decision for `event` against the saved state, and the incident to investigate: a new
    /// one, or a known one whose report never went out. Recorded through `Intake` (saved before
    /// anything is acted on) unless `dryRun`, which decides on a copy and saves nothing.
    public func record(_ event: AlarmEvent, dryRun: Bool) throws -> (
        decision: IncidentTracker.Decision, incident: IncidentTracker.Incident?
    ) {
        let decision: IncidentTracker.Decision
        let lookup: (String) -> IncidentTracker.Incident?
        if dryRun {
            var tracker =
                try IncidentStore(directory: stateDirectory).load()
                ?? IncidentTracker(correlationWindow: configuration.intake.correlationWindow)
            tracker.correlationWindow = configuration.intake.correlationWindow
            decision = tracker.observe(event, now: Date())
            let incidents = tracker.incidents
            lookup = { incidents[$0] }
        } else {
            let intake = try intake()
            switch try intake.record(event) {
            case .investigate(let incident): decision = .open(incident)
            case .done(let done): decision = done
            }
            lookup = { intake.incident($0) }
        }
        switch decision {
        case .open(let incident): return (decision, lookup(incident.id) ?? incident)
        case .duplicate(let id, let phase) where phase != .delivered: return (decision, lookup(id))
        default: return (decision, nil)
        }
    }

    /// Investigates a recorded `incident` and delivers its report, holding it through `Intake` as
    /// the daemon does (claimed, marked investigating, delivered, or handed back on failure); on a
    /// dry run only builds the report.
    public func investigate(_ incident: IncidentTracker.Incident, event: AlarmEvent, dryRun: Bool) throws -> Outcome {
        let runtime = try runtime()
        if dryRun { return .built(runtime.investigator.investigate(incident, alarm: event).0) }
        let intake = try intake()
        guard try intake.begin(incident.id) else {
            return .heldElsewhere("incident \(incident.id) is held by another instance or already being investigated")
        }
        do {
            let (report, _) = runtime.investigator.investigate(incident, alarm: event)
            let result = try runtime.deliverer.deliver(report)
            try intake.finish(incident.id)
            return .delivered(report, result)
        } catch {
            try? intake.release(incident.id)
            throw error
        }
    }

    /// `triaged investigate`: an alarm investigated now whatever the state says (an incident of
    /// its own, not recorded in the state file), delivered only if the claims let this process
    /// have it, so a running instance working on the same transition is not doubled.
    public func investigateNow(_ incident: IncidentTracker.Incident, event: AlarmEvent, dryRun: Bool) throws
        -> Outcome
    {
        let runtime = try runtime()
        if dryRun { return .built(runtime.investigator.investigate(incident, alarm: event).0) }
        let claims = runtime.claims(owner: claimOwner)
        guard try claims.claim(incident.id, now: Date()) else {
            return .heldElsewhere("incident \(incident.id) is claimed by another instance")
        }
        let (report, _) = runtime.investigator.investigate(incident, alarm: event)
        return .delivered(report, try runtime.deliverer.deliver(report))
    }
}
