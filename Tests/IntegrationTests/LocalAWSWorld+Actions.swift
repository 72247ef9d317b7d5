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

extension LocalAWSWorld {
    /// Writes `lines` into a log stream (created if missing) a second apart, ending at `end`, with
    /// boto3 as an application's log driver would.
    func putLogLines(group: String, stream: String, lines: [String], end: Double) throws {
        let script = """
            import boto3, json, sys
            d = json.loads(sys.argv[1])
            logs = boto3.client("logs", endpoint_url=d["moto"], region_name="us-east-1",
                                aws_access_key_id=d["key_id"], aws_secret_access_key=d["secret"])
            try:
                logs.create_log_stream(logGroupName=d["group"], logStreamName=d["stream"])
            except logs.exceptions.ResourceAlreadyExistsException:
                pass
            n = len(d["lines"])
            logs.put_log_events(logGroupName=d["group"], logStreamName=d["stream"], logEvents=[
                {"timestamp": int((d["end"] - (n - i)) * 1000), "message": m} for i, m in enumerate(d["lines"])])
            """
        let arguments: [String: Any] = [
            "moto": description.moto, "key_id": description.key_id, "secret": description.secret, "group": group,
            "stream": stream, "lines": lines, "end": end,
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", script,
            String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self),
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw WorldError(message: "put_log_events failed") }
    }
}
