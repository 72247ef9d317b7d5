import Foundation
import Testing

/// `triaged check` against the signature-verifying local AWS world, with credentials coming from
/// each provider of the chain in turn.
@Suite("triaged check against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct CheckCommandTests {
    /// A config file pointing every service at moto, and an environment with no ambient AWS settings.
    func setup(_ world: LocalAWSWorld) throws -> (config: String, home: URL, environment: [String: String]) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("triaged-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let config = home.appendingPathComponent("config.yaml")
        try """
        aws:
          region: us-east-1
          endpoint_url: \(world.description.moto)
          allow_http: true
        """.write(to: config, atomically: true, encoding: .utf8)
        return (config.path, home, ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"])
    }

    @Test("credentials from environment variables")
    func environmentCredentials() throws {
        try LocalAWSWorld.with { world in
            var (config, _, env) = try setup(world)
            env["AWS_ACCESS_KEY_ID"] = world.description.key_id
            env["AWS_SECRET_ACCESS_KEY"] = world.description.secret
            let outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   environment (access key AKIA"))
            #expect(outcome.stdout.contains("identity      arn:aws:iam::123456789012:user/triaged"))
            #expect(outcome.stdout.contains("all "))
        }
    }

    @Test(
        "every permission the pipeline needs is exercised; --bedrock makes a 1-token call; a denied one fails by name")
    func permissions() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let directory = try ReplayCommandTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (config, environment) = try ReplayCommandTests.config(world, directory: directory, scenario: scenario)
            var text = try String(contentsOf: config, encoding: .utf8)
            text = text.replacingOccurrences(
                of: "    enabled: false", with: "    enabled: true\n    model_id: amazon.nova-lite-v1:0")
            text = text.replacingOccurrences(
                of: "  allow_http: true",
                with:
                    "  allow_http: true\n  endpoints:\n    bedrock-runtime: \(world.description.bedrock)\n    bedrock: \(world.description.bedrock)"
            )
            text += "intake:\n  alarms:\n    names: [\(scenario.alarm)]\n  queue_url: \(scenario.intake_queue)\n"
            try text.write(to: config, atomically: true, encoding: .utf8)
            let outcome = try TriagedBinary.run(
                ["check", "--config", config.path, "--bedrock"], environment: environment)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            for line in [
                "[ ok ] alarms        cloudwatch:DescribeAlarms: 1 alarms watched",
                "[ ok ] alarm tags    cloudwatch:ListTagsForResource on \(scenario.alarm): ",
                "[ ok ] metrics       cloudwatch:GetMetricData",
                "[ ok ] queue         sqs:GetQueueAttributes in us-east-1: 0 waiting, dead-letter queue set",
                "[ ok ] ecs           ecs:ListServices: 3 services in \(scenario.cluster)",
                "[ ok ] traces        xray:GetTraceSummaries",
                "[ ok ] s3 bucket     s3:GetObject on s3://\(scenario.bucket)/incidents/ in us-east-1 (",
                "[ ok ] sns topic     sns:GetTopicAttributes",
                "[ ok ] model         amazon.nova-lite-v1:0: amazon.nova-lite-v1:0 ACTIVE",
                "[ ok ] bedrock       bedrock:InvokeModel on amazon.nova-lite-v1:0",
            ] {
                #expect(outcome.stdout.contains(line), "missing: \(line)\n\(outcome.stdout)")
            }
            // The user without X-Ray permissions: that one check fails, naming the error.
            var denied = environment
            denied["AWS_ACCESS_KEY_ID"] = world.description.noxray_key_id
            denied["AWS_SECRET_ACCESS_KEY"] = world.description.noxray_secret
            let partial = try TriagedBinary.run(["check", "--config", config.path], environment: denied)
            #expect(partial.status == 1)
            #expect(partial.stdout.contains("[FAIL] traces        AccessDenied"), "\(partial.stdout)")
            #expect(partial.stdout.contains("[ ok ] bedrock       not called (triaged check --bedrock"))
        }
    }

    @Test("a wrong secret fails with SignatureDoesNotMatch and a non-zero exit")
    func wrongSecret() throws {
        try LocalAWSWorld.with { world in
            var (config, _, env) = try setup(world)
            env["AWS_ACCESS_KEY_ID"] = world.description.key_id
            env["AWS_SECRET_ACCESS_KEY"] = String(world.description.secret.reversed())
            let outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("[FAIL] identity      sts:GetCallerIdentity failed: SignatureDoesNotMatch"))
            #expect(outcome.stdout.contains("request id"))
        }
    }

    @Test("credentials from a named profile in the shared credentials and config files")
    func profileCredentials() throws {
        try LocalAWSWorld.with { world in
            var (config, home, env) = try setup(world)
            let credentials = home.appendingPathComponent("creds")
            try """
            [default]
            aws_access_key_id = AKIADEFAULTWRONG0000
            aws_secret_access_key = wrong

            [ops]
            aws_access_key_id = \(world.description.key_id)
            aws_secret_access_key = \(world.description.secret)
            """.write(to: credentials, atomically: true, encoding: .utf8)
            env["AWS_SHARED_CREDENTIALS_FILE"] = credentials.path
            env["AWS_PROFILE"] = "ops"
            var outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   profile ops"))

            // The same keys in the config file under [profile cfg].
            let configFile = home.appendingPathComponent("aws-config")
            try """
            [profile cfg]
            region = us-east-1
            aws_access_key_id = \(world.description.key_id)
            aws_secret_access_key = \(world.description.secret)
            """.write(to: configFile, atomically: true, encoding: .utf8)
            env["AWS_CONFIG_FILE"] = configFile.path
            env["AWS_PROFILE"] = "cfg"
            outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   profile cfg"))

            // A named profile that exists nowhere is an error, not a fall-through to another identity.
            env["AWS_PROFILE"] = "missing"
            outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("profile 'missing' is in neither"))
        }
    }

    @Test("credentials from EC2 instance metadata (IMDSv2 token first)")
    func instanceMetadataCredentials() throws {
        try LocalAWSWorld.with { world in
            var (config, _, env) = try setup(world)
            env["AWS_EC2_METADATA_DISABLED"] = nil
            env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = world.description.standin
            let outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   ec2-instance-metadata (access key ASIA"))
            #expect(outcome.stdout.contains("assumed-role/triaged-role"))
            let stats = try world.standinStats()
            #expect(stats["imds_token"] == 1)
            #expect(stats["imds_credentials"] == 1)
            #expect(stats["imds_unauthorized"] == nil)
        }
    }

    @Test("credentials from the ECS container endpoint with an authorization token")
    func containerCredentials() throws {
        try LocalAWSWorld.with { world in
            var (config, home, env) = try setup(world)
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = world.description.standin + "/ecs/credentials"
            let tokenFile = home.appendingPathComponent("ecs-token")
            try world.description.ecs_token.write(to: tokenFile, atomically: true, encoding: .utf8)
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile.path
            var outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   ecs-container (access key ASIA"))

            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "not-the-token"
            outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("[FAIL] credentials   credentials from ecs-container: HTTP 401"))
        }
    }

    @Test("credentials from a web identity token (unsigned AssumeRoleWithWebIdentity)")
    func webIdentityCredentials() throws {
        try LocalAWSWorld.with { world in
            var (config, home, env) = try setup(world)
            let tokenFile = home.appendingPathComponent("token")
            try world.description.web_identity_token.write(to: tokenFile, atomically: true, encoding: .utf8)
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile.path
            env["AWS_ROLE_ARN"] = world.description.role_arn
            env["AWS_ENDPOINT_URL_STS"] = world.description.standin
            let outcome = try TriagedBinary.run(["check", "--config", config], environment: env)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("credentials   web-identity (access key ASIA"))
            #expect(try world.standinStats()["web_identity"] == 1)
        }
    }

    @Test("configuration errors exit 2 naming file, line and key")
    func configurationError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("bad.yaml")
        try "aws:\n  region: us-east-1\n  endpoint_url: http://127.0.0.1:1\n".write(
            to: config, atomically: true, encoding: .utf8)
        let outcome = try TriagedBinary.run(["check", "--config", config.path], environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("bad.yaml:3: aws.endpoint_url: plain-http endpoint refused"))
    }
}

enum IntegrationEnvironment {
    /// `make test` sets TRIAGED_REQUIRE_ALL=1 (and TRIAGED_REQUIRE_EMULATOR=1): there every tool a
    /// suite needs must be present, and `RequirementsTests` fails naming each one that is missing.
    /// Plain `swift test` skips those suites instead.
    static let requiresAll = ProcessInfo.processInfo.environment["TRIAGED_REQUIRE_ALL"] == "1"
    static let requiresEmulator =
        requiresAll || ProcessInfo.processInfo.environment["TRIAGED_REQUIRE_EMULATOR"] == "1"

    /// What the integration suites lack, in words; nil when the emulator and the binary are both there.
    static let missing: String? = {
        var missing: [String] = []
        if !LocalAWSWorld.isAvailable { missing.append("python3 with moto[server]==\(LocalAWSWorld.motoVersion)") }
        if TriagedBinary.url == nil { missing.append("a built triaged binary") }
        return missing.isEmpty ? nil : "local AWS world unavailable (" + missing.joined(separator: ", ") + " missing)"
    }()

    /// The emulator and the binary are both there. When they are not, the suites gated on this skip
    /// and `RequirementsTests` records the failure if TRIAGED_REQUIRE_EMULATOR=1.
    static let ready: Bool = {
        guard let missing else { return true }
        print(missing + (requiresEmulator ? "; required: failing" : "; skipping integration tests"))
        return false
    }()
}
