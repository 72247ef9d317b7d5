import AWSCore
import AWSServices
import Foundation
import Logging
import Triage

/// The checks behind `triaged check`: each one line, like `nginx -t`, so a broken setup fails at
/// install time rather than at 3 a.m.
public struct AccessCheck {
    /// One check's outcome.
    public struct Result: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
        /// Passed, but needs attention soon (a Legacy model): `[warn]`, exit status unaffected.
        public var warning = false

        /// `[ ok ] name  detail`, `[warn] name  detail` or `[FAIL] name  detail`.
        public var line: String {
            let padded = name.padding(toLength: 13, withPad: " ", startingAt: 0)
            return (passed ? (warning ? "[warn] " : "[ ok ] ") : "[FAIL] ") + padded + " " + detail
        }
    }

    private let configuration: Configuration
    private let configurationPath: String
    private let environment: [String: String]
    private let transport: any HTTPTransport
    private let logger: Logger
    /// Also make a 1-token model call (costs a fraction of a cent).
    private let bedrock: Bool

    public init(
        configuration: Configuration, configurationPath: String, environment: [String: String],
        transport: any HTTPTransport = CurlTransport(), bedrock: Bool = false, logger: Logger
    ) {
        self.configuration = configuration
        self.configurationPath = configurationPath
        self.environment = environment
        self.transport = transport
        self.bedrock = bedrock
        self.logger = logger
    }

    /// Runs every check in order, handing each result to `report` as it completes; later checks
    /// that depend on a failed one are not run.
    public func run(report: (Result) -> Void) -> [Result] {
        var results: [Result] = []
        func record(_ result: Result) {
            results.append(result)
            report(result)
        }
        record(Result(name: "configuration", passed: true, detail: configurationPath))

        let context: AWSContext
        do {
            context = try AWSContext.resolve(
                settings: configuration.aws, environment: environment, transport: transport, logger: logger)
        } catch {
            record(Result(name: "aws settings", passed: false, detail: "\(error)"))
            return results
        }
        record(Result(name: "region", passed: true, detail: "\(context.region) (from \(context.regionSource))"))

        // One line per distinct endpoint, naming the services that use it.
        var endpointsOK = true
        var groups: [(endpoint: String, source: String, services: [String])] = []
        for service in AWSService.all {
            do {
                let resolution = try context.endpoints.resolve(service)
                let endpoint = "\(resolution.endpoint)"
                let source = resolution.isDefault ? "regional defaults" : resolution.source
                // AWS hostnames of the usual shape share one line; S3's own forms get theirs.
                let pattern = context.endpoints.defaultPattern()
                let key =
                    resolution.isDefault
                        && endpoint == pattern.replacingOccurrences(of: "<service>", with: service.endpointPrefix)
                    ? pattern : endpoint
                if let index = groups.firstIndex(where: { $0.endpoint == key && $0.source == source }) {
                    groups[index].services.append(service.id)
                } else {
                    groups.append((key, source, [service.id]))
                }
            } catch {
                endpointsOK = false
                record(Result(name: "endpoint", passed: false, detail: "\(service.id): \(error)"))
            }
        }
        for group in groups {
            let services =
                group.services.count == AWSService.all.count ? "all services" : group.services.joined(separator: ", ")
            record(
                Result(name: "endpoint", passed: true, detail: "\(group.endpoint) for \(services) (\(group.source))"))
        }
        guard endpointsOK else { return results }

        do {
            let credentials = try context.credentials.credentials(forceRefresh: false)
            var detail = "\(context.credentials.name) (access key \(Self.mask(credentials.accessKeyId))"
            if let expiration = credentials.expiration {
                detail += ", expires \(AWSTimestamp.format(expiration))"
            }
            record(Result(name: "credentials", passed: true, detail: detail + ")"))
        } catch {
            record(Result(name: "credentials", passed: false, detail: "\(error)"))
            return results
        }

        do {
            let sts = STSClient(client: try context.client(for: .sts, timeout: 10))
            let identity = try sts.getCallerIdentity()
            record(Result(name: "identity", passed: true, detail: "\(identity.arn) (account \(identity.account))"))
        } catch {
            record(Result(name: "identity", passed: false, detail: "sts:GetCallerIdentity failed: \(error)"))
        }
        for (name, probe) in permissionProbes(context) {
            if name == "bedrock", bedrock, configuration.analysis.bedrock.enabled {
                // The lifecycle from the control plane first, then the 1-token call.
                modelLifecycle(context).forEach(record)
            }
            do {
                if let detail = try probe() { record(Result(name: name, passed: true, detail: detail)) }
            } catch {
                record(Result(name: name, passed: false, detail: "\(error)"))
            }
        }
        accountChecks(context).forEach(record)
        return results
    }

    /// One line per `aws.accounts` entry: sts:AssumeRole on its role (with the external id), then
    /// each evidence read there, in each polled region. A "not found" answer proves the permission
    /// as well as a result does; an access-denied one names the action that is missing.
    func accountChecks(_ home: AWSContext) -> [Result] {
        let regions = configuration.intake.alarmRegions.isEmpty ? [home.region] : configuration.intake.alarmRegions
        return configuration.accounts.map { role in
            let name = "account"
            let context: AWSContext
            let identity: CallerIdentity
            do {
                context = try home.assumingRole(
                    roleArn: role.roleArn, externalId: role.externalId, durationSeconds: role.durationSeconds)
                identity = try STSClient(client: try context.client(for: .sts, timeout: 10)).getCallerIdentity()
            } catch {
                return Result(
                    name: name, passed: false,
                    detail: "\(role.accountId): sts:AssumeRole on \(role.roleArn) failed: \(error)")
            }
            guard identity.account == role.accountId else {
                return Result(
                    name: name, passed: false,
                    detail:
                        "\(role.accountId): the role's session is in account \(identity.account), not \(role.accountId)"
                )
            }
            var passed: [String] = []
            for region in regions {
                for (action, probe) in accountProbes(context, region: region) {
                    do {
                        try probe()
                    } catch let error as AWSError where Self.provesPermission(error) {
                        // The call was authorised; there was just nothing by that name.
                    } catch {
                        return Result(
                            name: name, passed: false,
                            detail: "\(role.accountId) (\(identity.arn)): \(action) in \(region) failed: \(error)")
                    }
                    if !passed.contains(action) { passed.append(action) }
                }
            }
            return Result(
                name: name, passed: true,
                detail: "\(role.accountId) as \(identity.arn) in \(regions.joined(separator: ", ")): "
                    + "\(passed.count) reads allowed")
        }
    }

    /// The evidence reads (and the alarm poll) in a workload account.
    func accountProbes(_ context: AWSContext, region: String) -> [(String, () throws -> Void)] {
        let end = context.clock.now()
        let start = end.addingTimeInterval(-300)
        func client(_ service: AWSService) throws -> AWSClient {
            try context.client(for: service, region: region, timeout: 15)
        }
        let cluster = configuration.collect.ecs.cluster ?? "default"
        return [
            (
                "cloudwatch:DescribeAlarms",
                { _ = try CloudWatchClient(client: try client(.cloudWatch)).describeAlarms(prefix: "", maxAlarms: 1) }
            ),
            (
                "cloudwatch:GetMetricData",
                {
                    let query = MetricDataQuery.metric(
                        id: "probe", namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: [], period: 60,
                        stat: "Sum")
                    _ = try CloudWatchClient(client: try client(.cloudWatch)).getMetricData(
                        [query], start: start, end: end)
                }
            ),
            (
                "elasticloadbalancing:DescribeLoadBalancers",
                { _ = try ELBv2Client(client: try client(.elbv2)).describeLoadBalancers(names: [], arns: []) }
            ),
            (
                "elasticloadbalancing:DescribeTargetGroups",
                { _ = try ELBv2Client(client: try client(.elbv2)).describeTargetGroups(loadBalancerArn: nil, arns: []) }
            ),
            (
                "ecs:ListServices",
                { _ = try ECSClient(client: try client(.ecs)).listServices(cluster: cluster, max: 1, pageSize: 1) }
            ),
            (
                "logs:FilterLogEvents",
                {
                    _ = try CloudWatchLogsClient(client: try client(.logs)).filterLogEvents(
                        group: configuration.collect.logs.groups.first ?? "/triaged/check", start: start, end: end,
                        pattern: nil, maxEvents: 1, maxPages: 1, pageSize: 1)
                }
            ),
            (
                "xray:GetTraceSummaries",
                {
                    _ = try XRayClient(client: try client(.xray)).getTraceSummaries(
                        start: start, end: end, filter: nil, max: 1, maxPages: 1)
                }
            ),
        ]
    }

    /// Answers that a denied call never gets.
    static func provesPermission(_ error: AWSError) -> Bool {
        ["ResourceNotFoundException", "ClusterNotFoundException", "LoadBalancerNotFound", "TargetGroupNotFound"]
            .contains(error.code)
    }

    /// One harmless call per permission the pipeline uses, for the resources the configuration
    /// names; a probe returning nil has nothing to check in this configuration.
    func permissionProbes(_ context: AWSContext) -> [(String, () throws -> String?)] {
        let intake = configuration.intake
        let collect = configuration.collect
        let report = configuration.report
        let end = context.clock.now()
        let start = end.addingTimeInterval(-300)
        func client(_ service: AWSService) throws -> AWSClient { try context.client(for: service, timeout: 15) }
        return [
            (
                "alarms",
                {
                    guard !(intake.alarmNames.isEmpty && intake.alarmPrefixes.isEmpty) else { return nil }
                    let cloudWatch = CloudWatchClient(client: try client(.cloudWatch))
                    var found = try cloudWatch.describeAlarms(names: intake.alarmNames)
                    for prefix in intake.alarmPrefixes { found += try cloudWatch.describeAlarms(prefix: prefix) }
                    let missing = intake.alarmNames.filter { name in !found.contains { $0.name == name } }
                    guard missing.isEmpty else {
                        throw CheckFailure(
                            "cloudwatch:DescribeAlarms finds no alarm named \(missing.joined(separator: ", "))")
                    }
                    return "cloudwatch:DescribeAlarms: \(found.count) alarms watched"
                }
            ),
            (
                "alarm tags",
                {
                    // The runbook link is read from the alarm's tags.
                    let names = intake.alarmNames
                    guard !(names.isEmpty && intake.alarmPrefixes.isEmpty) else { return nil }
                    let cloudWatch = CloudWatchClient(client: try client(.cloudWatch))
                    let alarm =
                        try names.isEmpty
                        ? cloudWatch.describeAlarms(prefix: intake.alarmPrefixes[0], maxAlarms: 1).first
                        : cloudWatch.describeAlarms(names: [names[0]]).first
                    guard let alarm else { return nil }
                    let tags = try cloudWatch.listTagsForResource(arn: alarm.arn)
                    return "cloudwatch:ListTagsForResource on \(alarm.name): \(tags.count) tags"
                }
            ),
            (
                "runbooks",
                {
                    guard let location = configuration.analysis.runbooksS3Prefix,
                        let (bucket, prefix) = RunbookReader.split(location)
                    else { return nil }
                    _ = try context.s3Client(timeout: 15).headObject(bucket: bucket, key: "\(prefix).triaged-check")
                    return "s3:GetObject on \(location)"
                }
            ),
            (
                "metrics",
                {
                    let cloudWatch = CloudWatchClient(client: try client(.cloudWatch))
                    let query = MetricDataQuery.metric(
                        id: "probe", namespace: "AWS/ApplicationELB", name: "RequestCount",
                        dimensions: collect.loadBalancer.map { [MetricDimension(name: "LoadBalancer", value: $0)] }
                            ?? [],
                        period: 60, stat: "Sum")
                    _ = try cloudWatch.getMetricData([query], start: start, end: end)
                    return "cloudwatch:GetMetricData"
                }
            ),
            (
                "queue",
                {
                    guard let url = intake.queueURL else { return nil }
                    let sqs = try context.sqsClient(forQueue: url, timeout: 15)
                    let attributes = try sqs.queueAttributes(
                        queueURL: url, names: ["QueueArn", "ApproximateNumberOfMessages", "RedrivePolicy"])
                    let waiting = attributes["ApproximateNumberOfMessages"] ?? "?"
                    let redrive = attributes["RedrivePolicy"] == nil ? "no dead-letter queue!" : "dead-letter queue set"
                    return "sqs:GetQueueAttributes in \(sqs.region): \(waiting) waiting, \(redrive)"
                }
            ),
            (
                "load balancer",
                {
                    let elb = ELBv2Client(client: try client(.elbv2))
                    let name = collect.loadBalancer.flatMap {
                        $0.split(separator: "/").dropFirst().first.map(String.init)
                    }
                    let found = try elb.describeLoadBalancers(names: name.map { [$0] } ?? [], arns: [])
                    return "elasticloadbalancing:DescribeLoadBalancers: \(found.count) found"
                }
            ),
            (
                "ecs",
                {
                    guard let cluster = collect.ecs.cluster else { return nil }
                    let services = try ECSClient(client: try client(.ecs)).listServices(
                        cluster: cluster, max: 100, pageSize: 100)
                    return "ecs:ListServices: \(services.count) services in \(cluster)"
                }
            ),
            (
                "logs",
                {
                    guard let group = collect.logs.groups.first else { return nil }
                    _ = try CloudWatchLogsClient(client: try client(.logs)).filterLogEvents(
                        group: group, start: start, end: end, pattern: nil, maxEvents: 1, maxPages: 1, pageSize: 1)
                    return "logs:FilterLogEvents on \(group)"
                }
            ),
            (
                "traces",
                {
                    guard collect.traces.enabled else { return nil }
                    let xray = XRayClient(client: try client(.xray))
                    _ = try xray.getTraceSummaries(start: start, end: end, filter: nil, max: 1, maxPages: 1)
                    let edges = ServiceEdge.edges(from: try xray.getServiceGraph(start: start, end: end, maxPages: 1))
                    let destination = try xray.getTraceSegmentDestination().destination ?? "?"
                    return
                        "xray:GetTraceSummaries, xray:GetServiceGraph (\(edges.count) edges), xray:GetTraceSegmentDestination (segments go to \(destination))"
                }
            ),
            (
                "spans",
                {
                    // Read when Transaction Search is on; probed either way, so switching it on needs no new grant.
                    guard collect.traces.enabled else { return nil }
                    let logs = CloudWatchLogsClient(client: try client(.logs))
                    let id: String
                    do {
                        id = try logs.startQuery(
                            groups: [SpanReader.group], start: start, end: end, query: "fields @timestamp | limit 1",
                            limit: 1)
                    } catch let error as AWSError where error.code == "ResourceNotFoundException" {
                        // IAM answers AccessDeniedException before the group is looked up.
                        return
                            "logs:StartQuery on \(SpanReader.group) allowed; the group does not exist (Transaction Search off)"
                    }
                    _ = try logs.getQueryResults(queryId: id)
                    return "logs:StartQuery and logs:GetQueryResults on \(SpanReader.group)"
                }
            ),
            (
                "s3 bucket",
                {
                    guard let bucket = report.s3.bucket else { return nil }
                    // A missing key answers 404 when reads are allowed (403 without s3:ListBucket).
                    let s3 = try context.s3Client(timeout: 15)
                    _ = try s3.headObject(bucket: bucket, key: "\(report.s3.prefix).triaged-check")
                    // HeadBucket names the region even where it is refused; a failure only loses the detail.
                    let region =
                        (s3.knownRegion(of: bucket) ?? (try? s3.bucketRegion(bucket)) ?? nil).map { " in \($0)" } ?? ""
                    return
                        "s3:GetObject on s3://\(bucket)/\(report.s3.prefix)\(region) (reports and the history index; writes are conditional, never overwrite)"
                }
            ),
            (
                "sns topic",
                {
                    guard let topic = report.sns.topicArn else { return nil }
                    let attributes = try context.snsClient(forTopic: topic, timeout: 15).topicAttributes(
                        topicArn: topic)
                    return
                        "sns:GetTopicAttributes: \(attributes["SubscriptionsConfirmed"] ?? "?") confirmed subscriptions"
                }
            ),
            (
                "bedrock",
                {
                    let settings = configuration.analysis.bedrock
                    guard settings.enabled else { return "model analysis disabled in the configuration" }
                    guard bedrock else {
                        // Without calls, the catalogue still knows retired models: end of life is final.
                        if BedrockModelCatalogue.builtIn.model(settings.modelId)?.lifecycle.status == .eol {
                            let advice = BedrockAnalyser.advice(
                                .endOfLife, model: settings.modelId, key: "analysis.bedrock.model_id",
                                region: context.region)
                            throw CheckFailure("\(advice) (model catalogue; every report would be rules only)")
                        }
                        return "not called (triaged check --bedrock makes a 1-token call)"
                    }
                    let runtime = BedrockRuntimeClient(client: try context.client(for: .bedrockRuntime, timeout: 30))
                    let prompt = BedrockPrompt(
                        system: "Answer with one word.", user: "ping", maxTokens: 1, temperature: 0)
                    let answer: BedrockCompletion
                    do {
                        answer =
                            settings.api == .invoke
                            ? try runtime.invokeModel(modelId: settings.modelId, prompt: prompt, timeout: 30)
                            : try runtime.converse(modelId: settings.modelId, prompt: prompt, timeout: 30)
                    } catch let error as AWSError {
                        guard let problem = BedrockModelProblem(error) else { throw error }
                        let advice = BedrockAnalyser.advice(
                            problem, model: settings.modelId, key: "analysis.bedrock.model_id", region: context.region)
                        throw CheckFailure("\(advice) (\(error))")
                    }
                    return "bedrock:InvokeModel on \(settings.modelId) (\(answer.inputTokens ?? 0) tokens in)"
                }
            ),
        ]
    }

    /// One line per configured model (primary, fallback): its lifecycle from the Bedrock control
    /// plane — ACTIVE; LEGACY with its end-of-life date (a warning); not found (retired models
    /// are gone from it) — and, for a base ID offered only through profiles, the profile to set.
    func modelLifecycle(_ context: AWSContext) -> [Result] {
        let settings = configuration.analysis.bedrock
        let models =
            [("analysis.bedrock.model_id", settings.modelId)]
            + (settings.fallbackModelId.map { [("analysis.bedrock.fallback_model_id", $0)] } ?? [])
        let catalogue = BedrockModelCatalogue.builtIn
        return models.map { key, model in
            let (geography, base) = catalogue.parse(model)
            var facts: [String] = []
            var baseId = base
            do {
                let control = BedrockControlClient(client: try context.client(for: .bedrock, timeout: 15))
                if geography != nil || model.contains(":application-inference-profile/") {
                    let profile = try control.getInferenceProfile(model)
                    facts.append("inference profile \(profile.status ?? "status unknown")")
                    if let arn = profile.modelArns.first, let slash = arn.lastIndex(of: "/") {
                        baseId = String(arn[arn.index(after: slash)...])
                    }
                }
                let found = try control.getFoundationModel(baseId)
                let status = found.status ?? "ACTIVE"
                var warning = false
                var line = "\(model): " + (facts + ["\(found.modelId) \(status)"]).joined(separator: ", ")
                if status == "LEGACY" {
                    warning = true
                    let since = found.legacyTime.map { " since \(Self.day($0))" } ?? ""
                    let eol =
                        found.endOfLifeTime.map { ", end of life \(Self.day($0))" } ?? ", end of life not announced"
                    let replacement = catalogue.model(model)?.replacement ?? AnalysisSettings().modelId
                    line += "\(since)\(eol); set \(key) to \(replacement) before then"
                } else if status != "ACTIVE" {
                    warning = true
                }
                if geography == nil, !model.hasPrefix("arn:"), !found.inferenceTypes.contains("ON_DEMAND") {
                    warning = true
                    let advice = BedrockAnalyser.advice(
                        .needsInferenceProfile, model: model, key: key, region: context.region)
                    line += "; \(advice)"
                }
                return Result(name: "model", passed: true, detail: line, warning: warning)
            } catch let error as AWSError where error.code == "ResourceNotFoundException" {
                var detail = "\(model): not found on Bedrock in \(context.region)"
                if let entry = catalogue.model(model), entry.lifecycle.status == .eol {
                    detail += " — " + BedrockAnalyser.advice(.endOfLife, model: model, key: key, region: context.region)
                } else {
                    detail += "; check the ID (\(key)) and the region"
                }
                return Result(name: "model", passed: false, detail: "\(detail) (\(error))")
            } catch {
                return Result(name: "model", passed: false, detail: "\(model): \(error)")
            }
        }
    }

    static func day(_ date: Date) -> String { String(AWSTimestamp.format(date).prefix(10)) }

    struct CheckFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: enough to tell keys apart, not enough to use one.
    static func mask(_ keyId: String) -> String {
        guard keyId.count > 8 else { return "****" }
        return String(keyId.prefix(4)) + "…" + String(keyId.suffix(4))
    }
}
