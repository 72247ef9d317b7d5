import Foundation
import Testing

/// `triaged check` probes the trace reads the pipeline makes: the service map, the segment
/// destination, and Logs Insights on `aws/spans` (Transaction Search), against the local AWS world.
@Suite(
    "triaged check: X-Ray service map, segment destination and aws/spans", .enabled(if: IntegrationEnvironment.ready))
struct CheckTracesTests {
    /// Runs a boto3 script against the world with the allow-all user; `world` and `now` are defined for it.
    func python(_ world: LocalAWSWorld, _ body: String) throws -> String {
        let script = """
            import boto3, json, sys, time
            d = json.loads(sys.argv[1])
            kw = dict(endpoint_url=d["moto"], region_name="us-east-1", aws_access_key_id=d["key_id"],
                      aws_secret_access_key=d["secret"])
            now = time.time()

            """ + body
        let arguments = [
            "moto": world.description.moto, "key_id": world.description.key_id, "secret": world.description.secret,
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", script,
            String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self),
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LocalAWSWorld.WorldError(message: "python helper failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func check(_ config: URL, _ environment: [String: String]) throws -> TriagedBinary.Outcome {
        try TriagedBinary.run(["check", "--config", config.path], environment: environment)
    }

    @Test("the new reads are probed; with Transaction Search on the span query runs; a denied StartQuery fails by name")
    func traceProbes() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let directory = try ReplayCommandTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (config, environment) = try ReplayCommandTests.config(world, directory: directory, scenario: scenario)

            // Transaction Search off: aws/spans does not exist, and the permission is still proven.
            let off = try check(config, environment)
            #expect(off.status == 0, "\(off.stdout)\(off.stderr)")
            for line in [
                "[ ok ] traces        xray:GetTraceSummaries, xray:GetServiceGraph (",
                "xray:GetTraceSegmentDestination (segments go to XRay)",
                "[ ok ] spans         logs:StartQuery on aws/spans allowed; the group does not exist (Transaction Search off)",
            ] {
                #expect(off.stdout.contains(line), "missing: \(line)\n\(off.stdout)")
            }

            // Transaction Search on, one segment sent: the query runs on the spans it wrote.
            _ = try python(
                world,
                """
                x = boto3.client("xray", **kw)
                x.update_trace_segment_destination(Destination="CloudWatchLogs")
                x.put_trace_segments(TraceSegmentDocuments=[json.dumps({
                    "id": "00000000000000a1", "name": "api", "trace_id": "1-%08x-%024x" % (int(now), 1),
                    "start_time": now - 30, "end_time": now - 29, "fault": True,
                    "http": {"response": {"status": 500}}})])
                """)
            let on = try check(config, environment)
            #expect(on.status == 0, "\(on.stdout)\(on.stderr)")
            #expect(
                on.stdout.contains("xray:GetTraceSegmentDestination (segments go to CloudWatchLogs)"), "\(on.stdout)")
            #expect(
                on.stdout.contains("[ ok ] spans         logs:StartQuery and logs:GetQueryResults on aws/spans"),
                "\(on.stdout)")

            // A user allowed everything but logs:StartQuery.
            let keys = try python(
                world,
                """
                iam = boto3.client("iam", **kw)
                iam.create_user(UserName="triaged-nospans")
                arn = iam.create_policy(PolicyName="triaged-no-spans", PolicyDocument=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                  {"Effect": "Deny", "Action": "logs:StartQuery", "Resource": "*"}]}))["Policy"]["Arn"]
                iam.attach_user_policy(UserName="triaged-nospans", PolicyArn=arn)
                key = iam.create_access_key(UserName="triaged-nospans")["AccessKey"]
                print(key["AccessKeyId"] + " " + key["SecretAccessKey"])
                """
            ).split(separator: " ").map(String.init)
            var denied = environment
            denied["AWS_ACCESS_KEY_ID"] = keys[0]
            denied["AWS_SECRET_ACCESS_KEY"] = keys[1]
            let partial = try check(config, denied)
            #expect(partial.status == 1)
            let failed = partial.stdout.split(separator: "\n").filter { $0.hasPrefix("[FAIL]") }
            #expect(failed.count == 1, "\(partial.stdout)")
            #expect(failed.first?.hasPrefix("[FAIL] spans         AccessDenied") == true, "\(partial.stdout)")
            #expect(failed.first?.contains("StartQuery") == true, "\(partial.stdout)")
        }
    }
}
