import Foundation
import Testing
import Triage

@testable import TriageDaemon

@Suite("configuration loading")
struct ConfigurationLoaderTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the example configuration documents every key and loads")
    func exampleLoads() throws {
        let path = Self.repositoryRoot.appendingPathComponent("config/triaged.example.yaml").path
        let configuration = try ConfigurationLoader.load(path: path)
        #expect(configuration.aws.region == "ap-southeast-1")
        #expect(configuration.intake.alarmNames == ["prodapp-alb-5xx"])
        #expect(configuration.intake.pollInterval == 60)
        #expect(configuration.collect.windowBefore == 1800)
        #expect(configuration.analysis.bedrock.api == .converse)
        #expect(configuration.analysis.bedrock.modelId == "global.anthropic.claude-sonnet-4-6")
        #expect(configuration.analysis.bedrock.fallbackModelId == nil)
        #expect(Configuration().analysis.bedrock.modelId == "global.anthropic.claude-sonnet-4-6")
        #expect(configuration.report.s3.presignExpiry == 86_400)
        #expect(configuration.report.sns.topicArn == "arn:aws:sns:ap-southeast-1:123456789012:prodapp-findings")
        #expect(configuration.workers == 4)
        #expect(configuration.log.format == .json)
    }

    @Test("an empty file or an aws-only file takes the defaults")
    func defaults() throws {
        #expect(try ConfigurationLoader.parse("", file: "c.yaml") == Configuration())
        let configuration = try ConfigurationLoader.parse("aws:\n  region: eu-west-1\n", file: "c.yaml")
        #expect(configuration.aws.region == "eu-west-1")
        #expect(configuration.collect.logs.maxEvents == 20_000)
        #expect(configuration.analysis.promptBudgetTokens == 12_000)
    }

    @Test("every value of a full file is read")
    func fullFile() throws {
        let text = """
            aws:
              region: us-west-2
              profile: ops
              endpoint_url: http://127.0.0.1:5000
              endpoints: {bedrock-runtime: https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com, logs: http://127.0.0.1:5001}
              allow_http: true
            intake:
              alarms: {names: [a, b], prefixes: [prod-]}
              poll_interval: 0s
              queue_url: http://127.0.0.1:5000/123456789012/intake
              correlation_window: 1h30m
            collect:
              window_before: 45m
              window_after: 500ms
              load_balancer: app/x/1
              ecs: {cluster: c, services: [s1]}
              logs: {groups: [/ecs/a], filter_pattern: ERROR, max_events: 10}
              traces: {enabled: false, max_traces: 5}
            analysis:
              prompt_budget_tokens: 8000
              redact: false
              bedrock: {enabled: false, model_id: us.anthropic.x, fallback_model_id: eu.amazon.nova-pro-v1:0, api: invoke, max_output_tokens: 100, temperature: 0, timeout: 2m, daily_budget_usd: 1.5, prices: {us.anthropic.x: {input_per_1k: 0.5, output_per_1k: 2, cache_read_per_1k: 0.05}}}
            report:
              s3: {bucket: b, prefix: p/, presign_expiry: 168h}
              sns: {topic_arn: arn:aws:sns:us-west-2:1:t, format: chatbot}
              local_dir: /tmp/r
            state: {dir: /tmp/s, claims: s3}
            workers: 8
            log: {level: debug, format: text}
            """
        let c = try ConfigurationLoader.parse(text, file: "full.yaml")
        #expect(c.aws.profile == "ops")
        #expect(
            c.aws.endpoints == [
                "bedrock-runtime": "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com",
                "logs": "http://127.0.0.1:5001",
            ])
        #expect(c.intake.alarmNames == ["a", "b"])
        #expect(c.intake.pollInterval == 0)
        #expect(c.intake.correlationWindow == 5400)
        #expect(c.collect.windowAfter == 0.5)
        #expect(c.collect.ecs.services == ["s1"])
        #expect(c.collect.traces.enabled == false)
        #expect(c.analysis.bedrock.api == .invoke)
        #expect(c.analysis.bedrock.temperature == 0)
        #expect(c.analysis.bedrock.dailyBudgetUSD == 1.5)
        #expect(
            c.analysis.bedrock.prices["us.anthropic.x"] == .init(inputPer1K: 0.5, outputPer1K: 2, cacheReadPer1K: 0.05))
        // Configured per 1,000 tokens, used per million; a configured price beats the catalogue's.
        let price = c.analysisSettings.price("us.anthropic.x")
        #expect(price?.input == 500 && price?.output == 2000 && price?.cacheRead == 50 && price?.cacheWrite == nil)
        #expect(c.analysis.bedrock.fallbackModelId == "eu.amazon.nova-pro-v1:0")
        #expect(c.analysisSettings.fallbackModelId == "eu.amazon.nova-pro-v1:0")
        // Not configured: the catalogue's list price for a known model, nothing for an unknown one.
        #expect(c.analysisSettings.price("eu.amazon.nova-pro-v1:0")?.input == 0.8)
        #expect(c.analysisSettings.price("cohere.command-r-v1:0") == nil)
        #expect(c.analysisSettings.api == .invoke && c.analysisSettings.timeout == 120)
        #expect(c.report.s3.presignExpiry == 604_800)
        #expect(c.report.sns.format == .chatbot)
        #expect(c.state.claims == .s3)
        #expect(c.workers == 8)
        #expect(c.log.level == .debug)
    }

    @Test(
        "errors name the file, the line and the key",
        arguments: [
            ("aws:\n  region: x\n  regoin: y\n", "c.yaml:3: aws.regoin: unknown key"),
            ("intake:\n  poll_interval: 5x\n", "c.yaml:2: intake.poll_interval: '5x' is not a duration"),
            ("intake:\n  poll_interval: 60\n", "c.yaml:2: intake.poll_interval: '60' is not a duration"),
            ("workers: many\n", "c.yaml:1: workers: must be a whole number"),
            ("workers: 0\n", "c.yaml:1: workers: 0 is outside 1…256"),
            ("log:\n  format: xml\n", "c.yaml:2: log.format: 'xml' is not one of json, text"),
            (
                "aws:\n  endpoint_url: http://localhost:4566\n",
                "c.yaml:2: aws.endpoint_url: plain-http endpoint refused"
            ),
            ("aws:\n  endpoints:\n    dynamodb: https://x\n", "c.yaml:3: aws.endpoints.dynamodb: unknown service"),
            (
                "report:\n  s3:\n    presign_expiry: 8d\n",
                "c.yaml:3: report.s3.presign_expiry: must be between 1s and 7 days"
            ),
            ("intake:\n  alarms:\n    names: prod\n", "c.yaml:3: intake.alarms.names: must be a list of strings"),
            ("aws: [1, 2]\n", "c.yaml:1: aws: must be a mapping"),
            ("- a\n- b\n", "c.yaml:1: the file must be a YAML mapping of sections"),
            ("aws:\n  region: a\n  region: b\n", "c.yaml:2: key 'region' appears twice"),
            ("aws:\n  region: [unclosed\n", "c.yaml:"),
            (
                "intake:\n  queue_url: http://127.0.0.1:1/q\n",
                "c.yaml:2: intake.queue_url: plain-http queue URL refused"
            ),
            ("analysis:\n  bedrock:\n    temperature: 1.5\n", "c.yaml:3: analysis.bedrock.temperature: 1.5 is outside"),
            (
                "analysis:\n  bedrock:\n    prices:\n      m: {input_per_1k: 1}\n",
                "c.yaml:4: analysis.bedrock.prices.m: needs input_per_1k and output_per_1k"
            ),
            (
                "analysis:\n  runbooks:\n    s3_prefix: runbooks/\n",
                "c.yaml:3: analysis.runbooks.s3_prefix: must be an s3://bucket/prefix/ location ending in /"
            ),
            (
                "analysis:\n  runbooks:\n    s3_prefix: s3://team-runbooks/alarms\n",
                "c.yaml:3: analysis.runbooks.s3_prefix: must be an s3://bucket/prefix/ location ending in /"
            ),
            ("analysis:\n  runbooks:\n    prefix: x\n", "c.yaml:3: analysis.runbooks.prefix: unknown key"),
            ("aws:\n  accounts:\n    x: 1\n", "c.yaml:3: aws.accounts: must be a list"),
            (
                "aws:\n  accounts:\n    - account_id: \"12345\"\n      role_arn: arn:aws:iam::12345:role/r\n",
                "c.yaml:3: aws.accounts[0].account_id: '12345' is not a 12-digit account id"
            ),
            (
                "aws:\n  accounts:\n    - account_id: \"210987654321\"\n      role_arn: arn:aws:iam::111122223333:role/r\n",
                "c.yaml:4: aws.accounts[0].role_arn: the role is in account 111122223333, not 210987654321"
            ),
            (
                "aws:\n  accounts:\n    - account_id: \"210987654321\"\n      role_arn: arn:aws:iam::210987654321:user/u\n",
                "c.yaml:4: aws.accounts[0].role_arn: 'arn:aws:iam::210987654321:user/u' is not a role ARN"
            ),
            (
                "aws:\n  accounts:\n    - account_id: \"210987654321\"\n",
                "c.yaml:3: aws.accounts[0].role_arn: is required"
            ),
            (
                "aws:\n  accounts:\n    - account_id: \"210987654321\"\n      role_arn: arn:aws:iam::210987654321:role/r\n      duration: 5m\n",
                "c.yaml:5: aws.accounts[0].duration: must be between 15m and 12h"
            ),
            (
                "aws:\n  accounts:\n    - {account_id: \"210987654321\", role_arn: \"arn:aws:iam::210987654321:role/r\"}\n    - {account_id: \"210987654321\", role_arn: \"arn:aws:iam::210987654321:role/s\"}\n",
                "c.yaml:4: aws.accounts[1].account_id: account 210987654321 is listed twice"
            ),
            (
                "aws:\n  accounts:\n    - account_id: \"210987654321\"\n      role_arn: arn:aws:iam::210987654321:role/r\n      externalid: x\n",
                "c.yaml:5: aws.accounts[0].externalid: unknown key"
            ),
            (
                "intake:\n  alarms:\n    regions: [EU-West-1]\n",
                "c.yaml:3: intake.alarms.regions: 'EU-West-1' is not a region code"
            ),
        ])
    func errors(_ text: String, _ expected: String) {
        #expect {
            try ConfigurationLoader.parse(text, file: "c.yaml")
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test("aws.accounts and intake.alarms.regions: roles with external id and duration, regions without repeats")
    func accounts() throws {
        let text = """
            aws:
              accounts:
                - account_id: "210987654321"
                  role_arn: arn:aws:iam::210987654321:role/triaged-read
                  external_id: prodapp-triaged
                  duration: 2h
                - account_id: "109876543210"
                  role_arn: arn:aws-cn:iam::109876543210:role/ops/triaged-read
            intake:
              alarms:
                regions: [eu-west-1, us-east-1, eu-west-1]
            """
        let configuration = try ConfigurationLoader.parse(text, file: "c.yaml")
        #expect(
            configuration.accounts == [
                AccountRole(
                    accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/triaged-read",
                    externalId: "prodapp-triaged", durationSeconds: 7200),
                AccountRole(
                    accountId: "109876543210", roleArn: "arn:aws-cn:iam::109876543210:role/ops/triaged-read",
                    externalId: nil, durationSeconds: 3600),
            ])
        #expect(configuration.intake.alarmRegions == ["eu-west-1", "us-east-1"])
        #expect(Configuration().accounts.isEmpty && Configuration().intake.alarmRegions.isEmpty)
    }

    @Test("scalars are typed from their text: YAML 1.1 booleans, quoted values stay strings, null sections")
    func scalarTyping() throws {
        for (spelling, value) in [("true", true), ("Yes", true), ("ON", true), ("false", false), ("no", false)] {
            let c = try ConfigurationLoader.parse("collect:\n  traces:\n    enabled: \(spelling)\n", file: "c.yaml")
            #expect(c.collect.traces.enabled == value, "enabled: \(spelling)")
        }
        for spelling in ["\"true\"", "'yes'", "1", "truthy", "[true]"] {
            #expect(throws: ConfigurationError.self, "enabled: \(spelling)") {
                try ConfigurationLoader.parse("collect:\n  traces:\n    enabled: \(spelling)\n", file: "c.yaml")
            }
        }
        // A quoted number is not a number; a quoted word that spells null is a value, not a default.
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse("workers: \"4\"\n", file: "c.yaml") }
        #expect(try ConfigurationLoader.parse("workers: 0x10\n", file: "c.yaml").workers == 16)
        #expect(try ConfigurationLoader.parse("aws:\n  profile: 'null'\n", file: "c.yaml").aws.profile == "null")
        #expect(try ConfigurationLoader.parse("aws:\n  profile: ~\n", file: "c.yaml").aws.profile == nil)
        #expect(try ConfigurationLoader.parse("aws:\nintake: null\n", file: "c.yaml") == Configuration())
    }

    @Test("a missing file is a clear error")
    func missingFile() {
        #expect(throws: ConfigurationError(file: "/nonexistent/x.yaml", line: nil, key: "", reason: "no such file")) {
            try ConfigurationLoader.load(path: "/nonexistent/x.yaml")
        }
    }

    @Test(
        "durations",
        arguments: [
            ("30s", 30.0), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("500ms", 0.5), ("0s", 0), ("1d", 86_400),
        ])
    func durations(_ text: String, _ seconds: Double) {
        #expect(DurationParser.parse(text) == seconds)
    }

    @Test("bad durations", arguments: ["", "30", "s", "5x", "-5s", "1.5.2s", "m30"])
    func badDurations(_ text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}
