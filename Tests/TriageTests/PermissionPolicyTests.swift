import Foundation
import Testing

/// The least-privilege policy (deploy/iam/triaged-policy.json) against what the code sends: every
/// operation literal a client in Sources/AWSServices passes to `query`/`json`/`rest` needs its IAM
/// action in the policy, so a new call without a permission fails here. Terraform's role, the
/// README's list and `triaged check` must name the same actions.
@Suite("Permissions: the policy document covers every operation the code sends")
struct PermissionPolicyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// IAM prefix per client folder.
    static let prefixes = [
        "Bedrock": "bedrock", "CloudWatch": "cloudwatch", "CloudWatchLogs": "logs", "ECS": "ecs",
        "ELBv2": "elasticloadbalancing", "S3": "s3", "SNS": "sns", "SQS": "sqs", "STS": "sts", "XRay": "xray",
    ]
    /// Operations authorised by another action (AWS's service authorization reference).
    static let authorisedAs = [
        "s3:HeadObject": "s3:GetObject", "bedrock:Converse": "bedrock:InvokeModel",
        "bedrock:ConverseStream": "bedrock:InvokeModelWithResponseStream",
    ]
    /// Operations that need no permission: GetCallerIdentity is always allowed; AssumeRoleWithWebIdentity
    /// is unsigned (the role's trust policy decides); HeadBucket is called only for its
    /// `x-amz-bucket-region` header, which S3 sends on a 403 too (the policy's s3:ListBucket is
    /// limited to the report prefix, so a real HeadBucket is refused, and that answer is enough).
    static let needNoPermission: Set<String> = [
        "sts:GetCallerIdentity", "sts:AssumeRoleWithWebIdentity", "s3:HeadBucket",
    ]
    /// Client operations the daemon never calls (tools and tests use them), with the Swift method the
    /// pipeline would have to call: the test checks that it still does not.
    static let notCalledByTheDaemon = [
        "cloudwatch:PutMetricData": "putMetricData(", "logs:DescribeLogGroups": "describeLogGroups(",
    ]

    func read(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    func files(under folder: String) throws -> [URL] {
        let base = Self.root.appendingPathComponent(folder)
        let enumerator = try #require(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    /// `prefix:Operation` for every operation literal the clients send.
    func sentOperations() throws -> Set<String> {
        var operations: Set<String> = []
        let literal = try Regex(#"\.(?:json|query|rest)\(\s*"([A-Za-z0-9]+)""#)
        let nonLiteral = try Regex(#"client\.(?:json|query|rest)\(\s*[a-z_]"#)
        for file in try files(under: "Sources/AWSServices") {
            let folder = file.deletingLastPathComponent().lastPathComponent
            guard let prefix = Self.prefixes[folder] else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.matches(of: nonLiteral).isEmpty, "\(file.lastPathComponent) sends an operation by variable")
            for match in text.matches(of: literal) {
                operations.insert("\(prefix):\(match.output[1].substring ?? "")")
            }
        }
        return operations
    }

    func policyActions() throws -> Set<String> {
        let data = Data(try read("deploy/iam/triaged-policy.json").utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(document["Statement"] as? [[String: Any]])
        var actions: Set<String> = []
        for statement in statements {
            #expect(statement["Effect"] as? String == "Allow")
            #expect((statement["Action"] as? [String])?.contains { $0.contains("*") } == false, "no wildcard actions")
            actions.formUnion(statement["Action"] as? [String] ?? [])
        }
        return actions
    }

    func actionsNamed(in text: String) throws -> Set<String> {
        let pattern = try Regex(
            #"\b(cloudwatch|sqs|sns|s3|kms|logs|ecs|elasticloadbalancing|xray|bedrock|sts):[A-Z][A-Za-z]+"#)
        return Set(text.matches(of: pattern).map { String(text[$0.range]) })
    }

    @Test("every operation the clients send is allowed by the policy, and the policy allows nothing unused")
    func policyCoversOperations() throws {
        let sent = try sentOperations()
        #expect(sent.count >= 25, "the scan found the clients' operations")
        let policy = try policyActions()
        var needed: Set<String> = []
        for operation in sent where !Self.needNoPermission.contains(operation) {
            if Self.notCalledByTheDaemon[operation] != nil { continue }
            needed.insert(Self.authorisedAs[operation] ?? operation)
        }
        let missing = needed.subtracting(policy)
        #expect(
            missing.isEmpty, "operations without a permission in deploy/iam/triaged-policy.json: \(missing.sorted())")
        // s3:ListBucket makes a missing key a 404 instead of a 403; KMS is used by S3 on the daemon's behalf.
        let unused = policy.subtracting(needed).subtracting(["s3:ListBucket", "kms:GenerateDataKey", "kms:Decrypt"])
        #expect(unused.isEmpty, "permissions no operation needs: \(unused.sorted())")
        var pipeline = ""
        for file in try files(under: "Sources/Triage") + files(under: "Sources/TriageDaemon") {
            pipeline += try String(contentsOf: file, encoding: .utf8)
        }
        for (operation, method) in Self.notCalledByTheDaemon {
            #expect(!pipeline.contains("." + method), "\(operation) is called now: add it to the policy")
        }
    }

    @Test("the workload account's read role allows exactly the policy's evidence reads")
    func workloadReadRole() throws {
        let policy = try policyActions()
        // What is read in the alarm's account: alarms (polling, tags), metrics, load balancer, ECS, logs, traces.
        let evidence = policy.filter { action in
            [
                "cloudwatch:Describe", "cloudwatch:GetMetricData", "cloudwatch:ListTags", "logs:", "ecs:",
                "elasticloadbalancing:", "xray:",
            ]
            .contains { action.hasPrefix($0) }
        }
        #expect(evidence.count >= 15)
        let module = try actionsNamed(in: read("deploy/terraform/modules/workload-account/main.tf"))
            .subtracting([
                "sts:AssumeRole", "sts:ExternalId", "sns:Publish", "sns:Subscribe", "sns:Protocol", "sns:Endpoint",
            ])
        #expect(module == evidence, "the read role differs: \(module.symmetricDifference(evidence).sorted())")
    }

    @Test("composite alarms: DescribeAlarms and DescribeAlarmHistory are scoped to *")
    func compositeAlarms() throws {
        let data = Data(try read("deploy/iam/triaged-policy.json").utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(document["Statement"] as? [[String: Any]])
        for action in ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"] {
            let statement = try #require(statements.first { ($0["Action"] as? [String])?.contains(action) == true })
            #expect(statement["Resource"] as? String == "*", "\(action) must be scoped to * to see composite alarms")
        }
        let terraform = try read("deploy/terraform/iam.tf")
        let block = try #require(terraform.range(of: "\"cloudwatch:DescribeAlarms\""))
        let rest = terraform[block.upperBound...]
        let resources = try #require(rest.range(of: "resources"))
        #expect(rest[resources.upperBound...].prefix(20).contains("[\"*\"]"))
    }

    @Test("Transaction Search: logs:StartQuery only on the aws/spans log group, GetQueryResults on *")
    func spansQuery() throws {
        let data = Data(try read("deploy/iam/triaged-policy.json").utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(document["Statement"] as? [[String: Any]])
        func resource(_ action: String) throws -> String? {
            try #require(statements.first { ($0["Action"] as? [String])?.contains(action) == true })["Resource"]
                as? String
        }
        #expect(try resource("logs:StartQuery") == "arn:${Partition}:logs:${Region}:${Account}:log-group:aws/spans:*")
        #expect(try resource("logs:GetQueryResults") == "*")
        #expect(try read("Sources/Triage/Collect/SpanReader.swift").contains(#"public static let group = "aws/spans""#))
        let terraform = try read("deploy/terraform/iam.tf")
        #expect(terraform.contains(#"log-group:aws/spans:*"]"#))
    }

    @Test("Terraform's role, the README's list and triaged check name the policy's actions")
    func documentsAgree() throws {
        let policy = try policyActions()
        // iam.tf names sts:AssumeRole in the role's trust policy too, so it is checked by its statement.
        let terraform = try actionsNamed(in: read("deploy/terraform/iam.tf")).subtracting(["sts:AssumeRole"])
        let assumesRoles = policy.subtracting(["sts:AssumeRole"])
        #expect(
            terraform == assumesRoles, "iam.tf differs: \(terraform.symmetricDifference(assumesRoles).sorted())")
        #expect(try read("deploy/terraform/iam.tf").contains("AssumeTheWorkloadReadRoles"))
        let readme = try actionsNamed(in: read("README.md"))
        #expect(policy.subtracting(readme).isEmpty, "README lacks \(policy.subtracting(readme).sorted())")
        let check = try actionsNamed(in: read("Sources/TriageDaemon/Check/AccessCheck.swift"))
            .subtracting(Self.needNoPermission)
        #expect(check.subtracting(policy).isEmpty, "triaged check tries \(check.subtracting(policy).sorted())")
    }
}
