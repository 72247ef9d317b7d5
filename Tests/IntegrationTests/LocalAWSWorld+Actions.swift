import AWSCore
import AWSServices
import Foundation
import Logging
import Triage

extension LocalAWSWorld {
    /// Drives an alarm into ALARM as CloudWatch would (the emulator then publishes to its actions).
    func fireAlarm(_ name: String, reason: String = "Threshold Crossed") throws {
        var parameters = QueryParameters()
        parameters.add("AlarmName", name)
        parameters.add("StateValue", "ALARM")
        parameters.add("StateReason", reason)
        _ = try context().client(for: .cloudWatch).query("SetAlarmState", parameters)
    }

    /// Fires the scenario's alarm, reads it back as the poller would, and collects its evidence with
    /// `context`'s credentials; also returns how long the collection itself took.
    func collectEvidence(for scenario: Scenario, context: AWSContext) throws -> (AlarmEvent, Evidence, TimeInterval) {
        try fireAlarm(scenario.alarm)
        let cloudWatch = CloudWatchClient(client: try context.client(for: .cloudWatch))
        guard let alarm = try cloudWatch.describeAlarms(names: [scenario.alarm]).first else {
            throw WorldError(message: "alarm \(scenario.alarm) not found")
        }
        let event = try AlarmMessageParser.event(from: alarm)
        let clients = CollectClients(
            cloudWatch: cloudWatch, elb: ELBv2Client(client: try context.client(for: .elbv2)),
            ecs: ECSClient(client: try context.client(for: .ecs)),
            logs: CloudWatchLogsClient(client: try context.client(for: .logs)),
            xray: XRayClient(client: try context.client(for: .xray)))
        var settings = CollectSettings()
        settings.cluster = scenario.cluster
        let started = Date()
        let evidence = EvidenceCollector(
            clients: clients, settings: settings, clock: SystemWallClock(), logger: Logger(label: "t")
        )
        .collect(alarm: event)
        return (event, evidence, Date().timeIntervalSince(started))
    }
}
