import AWSServices
import Foundation
import Testing

@testable import TriageDaemon

/// The configuration the Terraform module renders for the daemon loads cleanly and asks for what
/// the module created. Rendered with `terraform console` (templatefile needs no provider, so it
/// works offline).
@Suite("the Terraform module's rendered configuration", .enabled(if: Terraform.path != nil), .serialized)
struct TerraformConfigTests {
    static let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/terraform/templates/config.yaml.tftpl")

    func render(bedrock: Bool, claims: String, runbooks: String = "", accounts: String = "[]") throws -> String {
        let expression =
            #"templatefile("\#(Self.template.path)", {region="eu-west-1", alarm_names=["shop-alb-5xx","shop-alb-target-5xx"], queue_url="https://sqs.eu-west-1.amazonaws.com/123456789012/shop-triaged-intake", cluster="shop", services=["checkout","cart"], load_balancer="app/shop-public/50abc123def", bedrock_enabled=\#(bedrock), model_id="eu.anthropic.claude-sonnet-4-6", fallback_model_id="eu.amazon.nova-pro-v1:0", daily_budget_usd=10, bucket="shop-incident-reports-x", kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/0f1e", findings_topic_arn="arn:aws:sns:eu-west-1:123456789012:shop-findings", state_dir="/run/triaged/state", claims="\#(claims)", runbooks_prefix="\#(runbooks)", accounts=\#(accounts)})"#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Terraform.path))
        process.arguments = ["console"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.environment = ["TF_CLI_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((expression + "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // Heredoc form: <<EOT … EOT.
        return text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != "<<EOT" && $0 != "EOT" }
            .joined(separator: "\n")
    }

    @Test("workload accounts become aws.accounts, with and without an external id")
    func accounts() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tf-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        let accounts =
            #"[{account_id="210987654321", role_arn="arn:aws:iam::210987654321:role/shop-triaged-read", external_id="shop-triaged"}, {account_id="109876543210", role_arn="arn:aws:iam::109876543210:role/r", external_id=""}]"#
        let rendered = try render(bedrock: false, claims: "local", accounts: accounts)
        try rendered.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(path: file.path)
        #expect(configuration.accounts.map(\.accountId) == ["210987654321", "109876543210"])
        #expect(configuration.accounts.map(\.externalId) == ["shop-triaged", nil])
        #expect(configuration.accounts.first?.roleArn == "arn:aws:iam::210987654321:role/shop-triaged-read")
    }

    @Test("with and without a model, local and S3 claims, with and without runbooks")
    func loads() throws {
        for (bedrock, claims, runbooks) in [(true, "s3", "runbooks/"), (false, "local", "")] {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tf-\(UUID().uuidString).yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            try render(bedrock: bedrock, claims: claims, runbooks: runbooks).write(
                to: file, atomically: true, encoding: .utf8)
            let configuration = try ConfigurationLoader.load(path: file.path)
            #expect(configuration.runRequirements().isEmpty)
            #expect(configuration.intake.alarmNames == ["shop-alb-5xx", "shop-alb-target-5xx"])
            #expect(configuration.collect.ecs.services == ["checkout", "cart"])
            #expect(configuration.collect.loadBalancer == "app/shop-public/50abc123def")
            #expect(configuration.analysis.bedrock.enabled == bedrock)
            if bedrock {
                #expect(configuration.analysis.bedrock.modelId == "eu.anthropic.claude-sonnet-4-6")
                #expect(configuration.analysis.bedrock.fallbackModelId == "eu.amazon.nova-pro-v1:0")
            }
            #expect(
                configuration.analysis.runbooksS3Prefix
                    == (runbooks.isEmpty ? nil : "s3://shop-incident-reports-x/runbooks/"))
            #expect(configuration.report.s3.encryption == .kms)
            #expect(configuration.report.s3.kmsKeyId == "arn:aws:kms:eu-west-1:123456789012:key/0f1e")
            #expect(configuration.state.claims.rawValue == claims)
            #expect(
                configuration.deliverySettings.encryption == .kms(keyId: "arn:aws:kms:eu-west-1:123456789012:key/0f1e"))
        }
    }
}

/// Where terraform is installed, if it is.
enum Terraform {
    static let path: String? = ["/usr/local/bin/terraform", "/usr/bin/terraform", "/bin/terraform"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    /// `make test` sets TRIAGED_REQUIRE_ALL=1: there a missing terraform fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["TRIAGED_REQUIRE_ALL"] == "1"
}

/// Under `make test` the Terraform tests must run: a missing terraform is a failure naming it.
/// (terraform is not in Debian's archive, so nothing installs it: the machine must have it.)
@Suite("terraform is installed under make test")
struct TerraformRequirementTests {
    @Test("terraform, for the rendered configuration tests", .enabled(if: Terraform.required))
    func present() {
        #expect(
            Terraform.path != nil,
            "terraform missing (looked in /usr/local/bin, /usr/bin, /bin) but TRIAGED_REQUIRE_ALL=1")
    }
}
