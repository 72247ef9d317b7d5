import AWSCore
import AWSServices
import Foundation
import Synchronization
import Testing
import Triage

/// Cross-account triage against the local AWS world: its second account (222222222222) holds a
/// read role that trusts the home account with an external id, as `deploy/terraform/workload-account`
/// makes it, and AssumeRole there decides as AWS does.
@Suite("Cross-account triage against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct CrossAccountTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accounts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func environment(_ world: LocalAWSWorld, _ directory: URL) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": world.description.key_id, "AWS_SECRET_ACCESS_KEY": world.description.secret,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": directory.path, "HOSTNAME": "ops-host.example.internal",
        ]
    }

    /// The accounts section listing the world's workload account (and `extra` entries).
    static func accounts(_ world: LocalAWSWorld, extra: String = "") -> String {
        """
          accounts:
            - account_id: "\(world.description.workload_account)"
              role_arn: \(world.description.workload_role_arn)
              external_id: \(world.description.workload_external_id)
        \(extra)
        """
    }

    /// A configuration listing the workload account (and `extraAccounts`), then `sections` (intake,
    /// collect); no model, reports to a local directory.
    static func localConfig(
        _ world: LocalAWSWorld, _ directory: URL, extraAccounts: String = "", sections: String = ""
    ) throws -> URL {
        let config = directory.appendingPathComponent("config.yaml")
        try """
        aws:
          region: us-east-1
          endpoint_url: \(world.description.moto)
          allow_http: true
        \(Self.accounts(world, extra: extraAccounts))
        \(sections)
        analysis:
          bedrock:
            enabled: false
        state:
          dir: \(directory.appendingPathComponent("state").path)
        report:
          local_dir: \(directory.appendingPathComponent("reports").path)

        """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    /// The one report `localConfig`'s `report.local_dir` holds (the test fails when there are more).
    static func onlyLocalReport(_ directory: URL) throws -> Report {
        let reports = directory.appendingPathComponent("reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.path)
        #expect(names.count == 1)
        let data = try Data(contentsOf: reports.appendingPathComponent("\(try #require(names.first))/report.json"))
        return try Report.decoder.decode(Report.self, from: data)
    }

    /// `localConfig` also listing 444444444444, whose role does not exist (AssumeRole is refused there).
    static func configWithRefusingAccount(_ world: LocalAWSWorld, _ directory: URL) throws -> URL {
        try localConfig(
            world, directory,
            extraAccounts:
                "    - account_id: \"444444444444\"\n      role_arn: arn:aws:iam::444444444444:role/triaged-read")
    }

    /// Sets `name` in the workload account to ALARM (its topic there notifies the home queue).
    static func fireWorkloadAlarm(_ world: LocalAWSWorld, _ name: String) throws {
        var parameters = QueryParameters()
        parameters.add("AlarmName", name)
        parameters.add("StateValue", "ALARM")
        parameters.add("StateReason", "Threshold Crossed")
        _ = try workload(world).client(for: .cloudWatch).query("SetAlarmState", parameters)
    }

    /// A context acting in the workload account through its role.
    static func workload(_ world: LocalAWSWorld) throws -> AWSContext {
        try world.context().assumingRole(
            roleArn: world.description.workload_role_arn, externalId: world.description.workload_external_id,
            durationSeconds: 900)
    }

    @Test(
        "a workload account's composite alarm on the home queue is resolved through its children in that account"
    )
    func crossAccountComposite() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment", workload: true)
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // The composite and its child live in the workload account; the home account has neither,
            // so children read with the home credentials would not be found.
            var parameters = QueryParameters()
            parameters.add("AlarmName", "workload-health")
            parameters.add("AlarmRule", "ALARM(\(scenario.alarm))")
            parameters.add("AlarmActions.member.1", scenario.alarm_topic)
            _ = try Self.workload(world).client(for: .cloudWatch).query("PutCompositeAlarm", parameters)
            let config = try Self.localConfig(
                world, directory,
                sections: """
                    intake:
                      queue_url: \(scenario.intake_queue)
                    collect:
                      ecs:
                        cluster: \(scenario.cluster)
                    """)
            let daemon = try DaemonProcess(config: config, environment: Self.environment(world, directory))
            defer { daemon.stop() }
            // Only the composite notifies: its child stays as it is.
            try Self.fireWorkloadAlarm(world, "workload-health")
            #expect(daemon.waitForLog("report delivered", timeout: 90), "\(daemon.log.suffix(3000))")
            #expect(!daemon.log.contains("children not resolved"), "\(daemon.log.suffix(3000))")
            let resolved = daemon.events.filter { $0["msg"] as? String == "composite alarm resolved" }
            #expect(resolved.count == 1)
            #expect((resolved.first?["alarm.children"] as? String)?.contains(scenario.alarm) == true)
            let report = try Self.onlyLocalReport(directory)
            let workloadAccount = world.description.workload_account
            #expect(report.incident.alarms.first?.name == "workload-health")
            #expect(report.incident.alarms.first?.accountId == workloadAccount)
            // The child's metric led collection to the workload account's load balancer and services.
            #expect(report.evidence.loadBalancer.arn?.contains(":\(workloadAccount):loadbalancer/") == true)
            #expect(report.evidence.ecs.services.count == 3)
            #expect(!report.gaps.contains { $0.source == "account" }, "\(report.gaps)")
        }
    }

    @Test(
        "a workload account's alarm reaches the home queue; evidence is read there through the role; the report lands in the home bucket with account_id and region"
    )
    func crossAccountIncident() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment", workload: true)
            #expect(scenario.account == world.description.workload_account)
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("config.yaml")
            try """
            aws:
              region: us-east-1
              endpoint_url: \(world.description.moto)
              allow_http: true
            \(Self.accounts(world))
            intake:
              alarms:
                names: [\(scenario.alarm)]
                regions: [us-east-1, eu-west-1]
              poll_interval: 2s
              queue_url: \(scenario.intake_queue)
            collect:
              ecs:
                cluster: \(scenario.cluster)
            analysis:
              bedrock:
                enabled: false
            report:
              s3:
                bucket: \(scenario.bucket)
              sns:
                topic_arn: \(scenario.findings_topic)
            state:
              dir: \(directory.appendingPathComponent("state").path)

            """.write(to: config, atomically: true, encoding: .utf8)
            let daemon = try DaemonProcess(config: config, environment: Self.environment(world, directory))
            defer { daemon.stop() }
            // The alarm fires in the workload account; its topic there feeds the home intake queue,
            // and the poller sees it there too: one incident.
            try Self.fireWorkloadAlarm(world, scenario.alarm)
            #expect(daemon.waitForLog("report delivered", timeout: 90), "\(daemon.log.suffix(3000))")
            // Four targets polled (two accounts × two regions), none failing.
            #expect(!daemon.log.contains("alarm poll failed"), "\(daemon.log.suffix(2000))")
            let opened = daemon.events.filter { $0["msg"] as? String == "incident opened" }
            #expect(opened.count == 1)
            let incidentId = try #require(opened.first?["incident.id"] as? String)
            let home = try world.context()
            let report = try #require(
                try ListedReport.find(
                    s3: S3Client(client: try home.client(for: .s3)), bucket: scenario.bucket, incidentId: incidentId))
            let workloadAccount = world.description.workload_account
            #expect(report.incident.accountId == workloadAccount)
            #expect(report.incident.alarms.first?.accountId == workloadAccount)
            #expect(report.incident.alarms.first?.region == "us-east-1")
            #expect(report.incident.alarms.first?.arn.contains(":\(workloadAccount):alarm:") == true)
            // Read in the workload account: the home account holds no load balancer, cluster or logs.
            #expect(report.evidence.loadBalancer.arn?.contains(":\(workloadAccount):loadbalancer/") == true)
            #expect(report.evidence.ecs.services.count == 3)
            #expect(report.evidence.ecs.stoppedTasks.count == 4)
            #expect(report.evidence.logs.patterns.contains { $0.template.contains("startup failed") })
            #expect(!report.evidence.metrics.series.isEmpty)
            #expect(!report.gaps.contains { $0.source == "account" }, "\(report.gaps)")
            // The alarm's tags (the runbook link) were read in its account too.
            #expect(!report.gaps.contains { $0.source == "runbook" }, "\(report.gaps)")
            #expect(report.links.runbook == "https://runbooks.example.com/workload/prodapp-alb-5xx")
            #expect(report.findings.first?.category == .badDeployment, "\(report.findings.map(\.category))")
            #expect(report.links.console.alarm?.hasPrefix("https://us-east-1.console.aws.amazon.com/") == true)
            // Delivery stayed home: the findings topic's queue got the one notification.
            let sqs = SQSClient(client: try home.client(for: .sqs))
            let findings = try sqs.receiveMessages(queueURL: scenario.findings_queue, maxMessages: 10, waitSeconds: 1)
            #expect(findings.count == 1)
            for secret in [world.description.secret, world.description.workload_external_id] {
                #expect(!daemon.log.contains(secret), "a secret in the logs")
            }
        }
    }

    @Test(
        "polling alone: the workload account's alarm is found and investigated while a refusing account's poll fails and is logged"
    )
    func pollingAcrossAccounts() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("oom", workload: true)
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = try Self.configWithRefusingAccount(world, directory)
            var text = try String(contentsOf: config, encoding: .utf8)
            text += "intake:\n  alarms:\n    names: [\(scenario.alarm)]\n  poll_interval: 2s\n"
            try text.write(to: config, atomically: true, encoding: .utf8)
            let daemon = try DaemonProcess(config: config, environment: Self.environment(world, directory))
            defer { daemon.stop() }
            try Self.fireWorkloadAlarm(world, scenario.alarm)
            #expect(daemon.waitForLog("report delivered", timeout: 90), "\(daemon.log.suffix(3000))")
            let failed = daemon.events.filter { $0["msg"] as? String == "alarm poll failed" }
            #expect(failed.contains { $0["poll.target"] as? String == "444444444444/us-east-1" }, "\(failed)")
            #expect(!failed.contains { ($0["poll.target"] as? String)?.hasPrefix("home/") == true })
            let opened = try #require(daemon.events.first { $0["msg"] as? String == "incident opened" })
            #expect(opened["intake.source"] as? String == "describeAlarms")
            #expect(opened["aws.account"] as? String == world.description.workload_account)
            let report = try Self.onlyLocalReport(directory)
            #expect(report.incident.accountId == world.description.workload_account)
            #expect(report.evidence.loadBalancer.arn?.contains(":\(world.description.workload_account):") == true)
            #expect(!report.gaps.contains { $0.source == "account" }, "\(report.gaps)")
        }
    }

    @Test(
        "an alarm from an unlisted account and one whose role refuses the caller each get a report whose gap names the account or role, code and request id"
    )
    func unreachableAccounts() throws {
        try LocalAWSWorld.with { world in
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = try Self.configWithRefusingAccount(world, directory)
            var gaps: [String: [Gap]] = [:]
            for account in ["333333333333", "444444444444"] {
                let message = ReplayCommandTests.notification.replacingOccurrences(
                    of: "123456789012", with: account)
                let file = directory.appendingPathComponent("\(account).json")
                try message.write(to: file, atomically: true, encoding: .utf8)
                let outcome = try TriagedBinary.run(
                    ["replay", "--file", file.path, "--config", config.path],
                    environment: Self.environment(world, directory))
                #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
                let reports = directory.appendingPathComponent("reports")
                for name in try FileManager.default.contentsOfDirectory(atPath: reports.path) {
                    let data = try Data(contentsOf: reports.appendingPathComponent("\(name)/report.json"))
                    let report = try Report.decoder.decode(Report.self, from: data)
                    gaps[report.incident.accountId] = report.gaps
                    #expect(report.incident.alarms.first?.accountId == report.incident.accountId)
                }
            }
            let unlisted = try #require(gaps["333333333333"]?.first { $0.source == "account" })
            #expect(unlisted.reason.contains("account 333333333333 has no role in aws.accounts"), "\(unlisted)")
            #expect(gaps["333333333333"]?.count == 1, "nothing else was tried: \(gaps["333333333333"] ?? [])")
            let refused = try #require(gaps["444444444444"]?.first { $0.source == "account" })
            #expect(refused.reason.contains("cannot assume arn:aws:iam::444444444444:role/triaged-read"), "\(refused)")
            #expect(refused.reason.contains("AccessDenied"))
            #expect(refused.reason.contains("request id ") && !refused.reason.contains("request id none"))
        }
    }

    @Test(
        "profile role chains: source_profile through two roles into the workload account, credential_source Environment, and a loop named"
    )
    func profileChains() throws {
        try LocalAWSWorld.with { world in
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let configFile = directory.appendingPathComponent("aws-config")
            try """
            [profile ops]
            aws_access_key_id = \(world.description.key_id)
            aws_secret_access_key = \(world.description.secret)

            [profile central]
            role_arn = \(world.description.role_arn)
            source_profile = ops

            [profile workload]
            role_arn = \(world.description.workload_role_arn)
            source_profile = central
            external_id = \(world.description.workload_external_id)
            role_session_name = chain-test
            duration_seconds = 900

            [profile from-env]
            role_arn = \(world.description.workload_role_arn)
            credential_source = Environment
            external_id = \(world.description.workload_external_id)

            [profile no-external-id]
            role_arn = \(world.description.workload_role_arn)
            source_profile = ops

            [profile loop-a]
            role_arn = \(world.description.role_arn)
            source_profile = loop-b

            [profile loop-b]
            role_arn = \(world.description.role_arn)
            source_profile = loop-a

            """.write(to: configFile, atomically: true, encoding: .utf8)
            func identity(_ profile: String, environment extra: [String: String] = [:]) throws -> CallerIdentity {
                var environment = [
                    "AWS_CONFIG_FILE": configFile.path, "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none",
                    "AWS_EC2_METADATA_DISABLED": "true", "HOME": directory.path,
                ]
                environment.merge(extra) { $1 }
                let context = try AWSContext.resolve(
                    settings: AWSSettings(
                        region: "us-east-1", profile: profile, endpointURL: world.description.moto, allowHTTP: true),
                    environment: environment)
                return try STSClient(client: try context.client(for: .sts)).getCallerIdentity()
            }
            let chained = try identity("workload")
            #expect(chained.account == world.description.workload_account)
            #expect(chained.arn.hasSuffix(":assumed-role/triaged-read/chain-test"), "\(chained.arn)")
            let fromEnvironment = try identity(
                "from-env",
                environment: [
                    "AWS_ACCESS_KEY_ID": world.description.key_id, "AWS_SECRET_ACCESS_KEY": world.description.secret,
                ])
            #expect(fromEnvironment.account == world.description.workload_account)
            // The default session name: triaged-<host>.
            #expect(fromEnvironment.arn.contains("/triaged-read/triaged-"), "\(fromEnvironment.arn)")
            #expect {
                try identity("no-external-id")
            } throws: { error in
                (error as? AWSError)?.code == "AccessDenied" && (error as? AWSError)?.requestId != nil
            }
            #expect {
                try identity("loop-a")
            } throws: { error in
                "\(error)".contains("source_profile chain loops: loop-a → loop-b → loop-a")
            }
        }
    }

    /// A clock the test moves, starting at the real time (the emulator's sessions expire in real time).
    final class MovedClock: WallClock {
        private let offset = Mutex<TimeInterval>(0)
        func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
        func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
    }

    @Test(
        "a 15-minute session is reused until 5 minutes before it expires, then refreshed with one AssumeRole"
    )
    func sessionRefresh() throws {
        try LocalAWSWorld.with { world in
            let transport = CountingTransport()
            let clock = MovedClock()
            let home = try world.context(transport: transport)
            let sts = AWSClient(
                service: .sts, region: "us-east-1", endpoint: try AWSEndpoint(parsing: world.description.moto),
                authentication: .sigV4(home.credentials), transport: transport, clock: clock, logger: home.logger)
            let session = RefreshingCredentialProvider(
                AssumeRoleCredentialProvider(
                    roleArn: world.description.workload_role_arn, sessionName: "refresh-test",
                    externalId: world.description.workload_external_id, durationSeconds: 900, sts: sts),
                clock: clock, windows: RefreshingCredentialProvider.assumedRoleWindows)
            func assumeRoleCalls() -> Int { transport.count("/") }
            let first = try session.credentials(forceRefresh: false)
            let expiration = try #require(first.expiration)
            #expect(abs(expiration.timeIntervalSinceNow - 900) < 60, "DurationSeconds 900 was asked for")
            let afterFirst = assumeRoleCalls()
            #expect(afterFirst >= 1)
            clock.advance(expiration.timeIntervalSince(clock.now()) - 6 * 60)
            #expect(try session.credentials(forceRefresh: false) == first)
            #expect(assumeRoleCalls() == afterFirst, "no call outside the refresh window")
            // Inside the last 5 minutes: one sts:AssumeRole, a new session (concurrent callers sharing
            // one refresh is RefreshingCredentialProvider's, tested in AWSCoreTests).
            clock.advance(2 * 60)
            let fresh = try session.credentials(forceRefresh: false)
            #expect(fresh.accessKeyId != first.accessKeyId)
            #expect(assumeRoleCalls() == afterFirst + 1, "one refresh")
            // The refreshed session acts in the workload account.
            let identity = try STSClient(
                client: AWSClient(
                    service: .sts, region: "us-east-1", endpoint: try AWSEndpoint(parsing: world.description.moto),
                    authentication: .sigV4(session), transport: CurlTransport())
            ).getCallerIdentity()
            #expect(identity.account == world.description.workload_account)
        }
    }

    @Test("triaged check assumes each configured role and exercises the reads there: one line per account")
    func checkPerAccount() throws {
        try LocalAWSWorld.with { world in
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = try Self.configWithRefusingAccount(world, directory)
            let outcome = try TriagedBinary.run(
                ["check", "--config", config.path], environment: Self.environment(world, directory))
            #expect(outcome.status == 1, "\(outcome.stdout)\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").filter { $0.contains("] account ") }
            #expect(lines.count == 2, "\(outcome.stdout)")
            #expect(
                outcome.stdout.contains(
                    "[ ok ] account       \(world.description.workload_account) as arn:aws:sts::\(world.description.workload_account):assumed-role/triaged-read/triaged-ops-host.example.internal in us-east-1: 7 reads allowed"
                ), "\(outcome.stdout)")
            #expect(
                outcome.stdout.contains(
                    "[FAIL] account       444444444444: sts:AssumeRole on arn:aws:iam::444444444444:role/triaged-read failed: AccessDenied"
                ), "\(outcome.stdout)")
        }
    }
}
