import AWSCore
import Foundation
import Triage
import Yams

/// Reads a YAML configuration file into `Configuration`. Unknown keys, wrong types, bad durations,
/// out-of-range values and plain-http endpoints without `aws.allow_http` are errors naming the file,
/// line and key. Absent keys take their defaults.
public enum ConfigurationLoader {
    /// Loads and validates the file at `path`.
    public static func load(path: String) throws -> Configuration {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "cannot read the file (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// `aws.accounts`: a list of `{account_id, role_arn, external_id, duration}`; the role must be in
    /// the account it is listed for, and each account is listed once.
    static func accounts(_ node: Node?, reader: ConfigReader) throws -> [AccountRole] {
        guard let node, node.null == nil else { return [] }
        guard case .sequence(let items) = node else {
            throw reader.error(node, "aws.accounts", "must be a list of {account_id, role_arn, external_id}")
        }
        var roles: [AccountRole] = []
        for (index, item) in items.enumerated() {
            let path = "aws.accounts[\(index)]"
            let map = try reader.mapping(
                item, path: path, allowed: ["account_id", "role_arn", "external_id", "duration"])
            guard let account = try reader.string(map["account_id"], "\(path).account_id") else {
                throw reader.error(item, "\(path).account_id", "is required")
            }
            guard account.count == 12, account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw reader.error(
                    map["account_id"], "\(path).account_id", "'\(account)' is not a 12-digit account id (quote it)")
            }
            guard let roleArn = try reader.string(map["role_arn"], "\(path).role_arn") else {
                throw reader.error(item, "\(path).role_arn", "is required")
            }
            let parts = roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("role/"),
                parts[5].count > 5
            else {
                throw reader.error(
                    map["role_arn"], "\(path).role_arn",
                    "'\(roleArn)' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
            }
            guard parts[4] == account else {
                throw reader.error(
                    map["role_arn"], "\(path).role_arn", "the role is in account \(parts[4]), not \(account)")
            }
            if roles.contains(where: { $0.accountId == account }) {
                throw reader.error(map["account_id"], "\(path).account_id", "account \(account) is listed twice")
            }
            var role = AccountRole(
                accountId: account, roleArn: roleArn,
                externalId: try reader.string(map["external_id"], "\(path).external_id"))
            if let duration = try reader.duration(map["duration"], "\(path).duration") {
                guard AssumeRoleCredentialProvider.durationRange.contains(Int(duration)) else {
                    throw reader.error(map["duration"], "\(path).duration", "must be between 15m and 12h (900s…43200s)")
                }
                role.durationSeconds = Int(duration)
            }
            roles.append(role)
        }
        return roles
    }

    static func isRegionCode(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count >= 3
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
            && parts.last!.allSatisfy(\.isNumber)
    }

    /// Parses configuration `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Configuration {
        let root: Node?
        do {
            // The basic resolver runs no regular expressions (the default one compiles seven and
            // runs them on every scalar, paging in the Unicode tables for one file read); the
            // reader decides types from the text itself (ConfigReader.bool, Yams' Int and Double
            // constructors, which look at the text and style, not the tag).
            root = try Yams.compose(yaml: text, .basic)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw ConfigurationError(
                file: file, line: context.mark.line, key: "",
                reason:
                    "key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appears twice in the mapping starting here"
            )
        } catch let error as YamlError {
            throw ConfigurationError(
                file: file, line: yamlErrorLine(error), key: "", reason: "not valid YAML: \(yamlErrorText(error))")
        } catch {
            throw ConfigurationError(file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
        var configuration = Configuration()
        guard let root, root.null == nil else { return configuration }
        let reader = ConfigReader(file: file)
        let top = try reader.mapping(
            root, path: "",
            allowed: ["aws", "intake", "collect", "analysis", "report", "state", "workers", "drain_timeout", "log"])

        if let aws = top["aws"],
            let section = try reader.optionalMapping(
                aws, path: "aws", allowed: ["region", "profile", "endpoint_url", "endpoints", "allow_http", "accounts"])
        {
            configuration.accounts = try accounts(section["accounts"], reader: reader)
            configuration.aws.region = try reader.string(section["region"], "aws.region")
            configuration.aws.profile = try reader.string(section["profile"], "aws.profile")
            configuration.aws.allowHTTP = try reader.bool(section["allow_http"], "aws.allow_http") ?? false
            configuration.aws.endpointURL = try reader.endpoint(
                section["endpoint_url"], "aws.endpoint_url", allowHTTP: configuration.aws.allowHTTP)
            if let endpoints = section["endpoints"],
                let map = try reader.optionalMapping(endpoints, path: "aws.endpoints", allowed: nil)
            {
                for (key, node) in map.sorted(by: { $0.key < $1.key }) {
                    let path = "aws.endpoints.\(key)"
                    guard AWSService.named(key) != nil else {
                        throw reader.error(
                            node, path,
                            "unknown service; use one of " + AWSService.all.map(\.id).joined(separator: ", "))
                    }
                    if let url = try reader.endpoint(node, path, allowHTTP: configuration.aws.allowHTTP) {
                        configuration.aws.endpoints[key] = url
                    }
                }
            }
        }

        if let intake = top["intake"],
            let section = try reader.optionalMapping(
                intake, path: "intake",
                allowed: ["alarms", "poll_interval", "queue_url", "correlation_window", "visibility_timeout"])
        {
            if let alarms = section["alarms"],
                let map = try reader.optionalMapping(
                    alarms, path: "intake.alarms", allowed: ["names", "prefixes", "regions"])
            {
                let regions = try reader.stringList(map["regions"], "intake.alarms.regions") ?? []
                for region in regions where !Self.isRegionCode(region) {
                    throw reader.error(
                        map["regions"], "intake.alarms.regions", "'\(region)' is not a region code like eu-west-1")
                }
                configuration.intake.alarmRegions = regions.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
                configuration.intake.alarmNames = try reader.stringList(map["names"], "intake.alarms.names") ?? []
                configuration.intake.alarmPrefixes =
                    try reader.stringList(map["prefixes"], "intake.alarms.prefixes") ?? []
            }
            configuration.intake.pollInterval =
                try reader.duration(section["poll_interval"], "intake.poll_interval") ?? 60
            configuration.intake.queueURL = try reader.string(section["queue_url"], "intake.queue_url")
            if let url = configuration.intake.queueURL, url.hasPrefix("http://"), !configuration.aws.allowHTTP {
                throw reader.error(
                    section["queue_url"], "intake.queue_url",
                    "plain-http queue URL refused; set aws.allow_http: true only for local emulators")
            }
            configuration.intake.correlationWindow =
                try reader.duration(section["correlation_window"], "intake.correlation_window") ?? 300
            if let visibility = try reader.duration(section["visibility_timeout"], "intake.visibility_timeout") {
                guard visibility >= 10 && visibility <= 43_200 else {
                    throw reader.error(
                        section["visibility_timeout"], "intake.visibility_timeout", "must be between 10s and 12h")
                }
                configuration.intake.visibilityTimeout = visibility
            }
        }

        if let collect = top["collect"],
            let section = try reader.optionalMapping(
                collect, path: "collect",
                allowed: ["window_before", "window_after", "load_balancer", "ecs", "logs", "traces"])
        {
            var c = configuration.collect
            c.windowBefore = try reader.duration(section["window_before"], "collect.window_before") ?? c.windowBefore
            c.windowAfter = try reader.duration(section["window_after"], "collect.window_after") ?? c.windowAfter
            c.loadBalancer = try reader.string(section["load_balancer"], "collect.load_balancer")
            if let ecs = section["ecs"],
                let map = try reader.optionalMapping(ecs, path: "collect.ecs", allowed: ["cluster", "services"])
            {
                c.ecs.cluster = try reader.string(map["cluster"], "collect.ecs.cluster")
                c.ecs.services = try reader.stringList(map["services"], "collect.ecs.services") ?? []
            }
            if let logs = section["logs"],
                let map = try reader.optionalMapping(
                    logs, path: "collect.logs", allowed: ["groups", "filter_pattern", "max_events"])
            {
                c.logs.groups = try reader.stringList(map["groups"], "collect.logs.groups") ?? []
                c.logs.filterPattern =
                    try reader.string(map["filter_pattern"], "collect.logs.filter_pattern") ?? c.logs.filterPattern
                c.logs.maxEvents =
                    try reader.int(map["max_events"], "collect.logs.max_events", 1...1_000_000) ?? c.logs.maxEvents
            }
            if let traces = section["traces"],
                let map = try reader.optionalMapping(
                    traces, path: "collect.traces", allowed: ["enabled", "max_traces"])
            {
                c.traces.enabled = try reader.bool(map["enabled"], "collect.traces.enabled") ?? true
                c.traces.maxTraces =
                    try reader.int(map["max_traces"], "collect.traces.max_traces", 0...1000) ?? c.traces.maxTraces
            }
            configuration.collect = c
        }

        if let analysis = top["analysis"],
            let section = try reader.optionalMapping(
                analysis, path: "analysis", allowed: ["prompt_budget_tokens", "redact", "bedrock", "runbooks"])
        {
            var a = configuration.analysis
            a.promptBudgetTokens =
                try reader.int(section["prompt_budget_tokens"], "analysis.prompt_budget_tokens", 500...1_000_000)
                ?? a.promptBudgetTokens
            a.redact = try reader.bool(section["redact"], "analysis.redact") ?? true
            if let runbooks = section["runbooks"],
                let map = try reader.optionalMapping(runbooks, path: "analysis.runbooks", allowed: ["s3_prefix"])
            {
                let prefix = try reader.string(map["s3_prefix"], "analysis.runbooks.s3_prefix")
                if let prefix, RunbookReader.split(prefix) == nil || !prefix.hasSuffix("/") {
                    throw reader.error(
                        map["s3_prefix"], "analysis.runbooks.s3_prefix",
                        "must be an s3://bucket/prefix/ location ending in /")
                }
                a.runbooksS3Prefix = prefix
            }
            if let bedrock = section["bedrock"],
                let map = try reader.optionalMapping(
                    bedrock, path: "analysis.bedrock",
                    allowed: [
                        "enabled", "model_id", "fallback_model_id", "api", "max_output_tokens", "temperature",
                        "timeout", "daily_budget_usd",
                        "prices",
                    ])
            {
                a.bedrock.enabled = try reader.bool(map["enabled"], "analysis.bedrock.enabled") ?? true
                a.bedrock.modelId = try reader.string(map["model_id"], "analysis.bedrock.model_id") ?? a.bedrock.modelId
                a.bedrock.fallbackModelId =
                    try reader.string(map["fallback_model_id"], "analysis.bedrock.fallback_model_id")
                    ?? a.bedrock.fallbackModelId
                a.bedrock.api = try reader.choice(map["api"], "analysis.bedrock.api") ?? a.bedrock.api
                a.bedrock.maxOutputTokens =
                    try reader.int(map["max_output_tokens"], "analysis.bedrock.max_output_tokens", 1...100_000)
                    ?? a.bedrock.maxOutputTokens
                a.bedrock.temperature =
                    try reader.double(map["temperature"], "analysis.bedrock.temperature", 0...1)
                    ?? a.bedrock.temperature
                a.bedrock.timeout = try reader.duration(map["timeout"], "analysis.bedrock.timeout") ?? a.bedrock.timeout
                a.bedrock.dailyBudgetUSD =
                    try reader.double(map["daily_budget_usd"], "analysis.bedrock.daily_budget_usd", 0...1_000_000)
                    ?? a.bedrock.dailyBudgetUSD
                if let prices = map["prices"],
                    let table = try reader.optionalMapping(prices, path: "analysis.bedrock.prices", allowed: nil)
                {
                    for (model, node) in table {
                        let path = "analysis.bedrock.prices.\(model)"
                        guard
                            let entry = try reader.optionalMapping(
                                node, path: path,
                                allowed: ["input_per_1k", "output_per_1k", "cache_read_per_1k", "cache_write_per_1k"]),
                            let input = try reader.double(entry["input_per_1k"], "\(path).input_per_1k", 0...1000),
                            let output = try reader.double(entry["output_per_1k"], "\(path).output_per_1k", 0...1000)
                        else {
                            throw reader.error(
                                node, path, "needs input_per_1k and output_per_1k (USD per 1,000 tokens)")
                        }
                        a.bedrock.prices[model] = .init(
                            inputPer1K: input, outputPer1K: output,
                            cacheReadPer1K: try reader.double(
                                entry["cache_read_per_1k"], "\(path).cache_read_per_1k", 0...1000),
                            cacheWritePer1K: try reader.double(
                                entry["cache_write_per_1k"], "\(path).cache_write_per_1k", 0...1000))
                    }
                }
            }
            configuration.analysis = a
        }

        if let report = top["report"],
            let section = try reader.optionalMapping(
                report, path: "report", allowed: ["s3", "sns", "local_dir"])
        {
            var r = configuration.report
            if let s3 = section["s3"],
                let map = try reader.optionalMapping(
                    s3, path: "report.s3",
                    allowed: ["bucket", "prefix", "presign_expiry", "encryption", "kms_key_id"])
            {
                r.s3.bucket = try reader.string(map["bucket"], "report.s3.bucket")
                r.s3.prefix = try reader.string(map["prefix"], "report.s3.prefix") ?? r.s3.prefix
                if let expiry = try reader.duration(map["presign_expiry"], "report.s3.presign_expiry") {
                    guard expiry >= 1 && expiry <= 604_800 else {
                        throw reader.error(
                            map["presign_expiry"], "report.s3.presign_expiry", "must be between 1s and 7 days (168h)")
                    }
                    r.s3.presignExpiry = expiry
                }
                r.s3.encryption = try reader.choice(map["encryption"], "report.s3.encryption") ?? r.s3.encryption
                r.s3.kmsKeyId = try reader.string(map["kms_key_id"], "report.s3.kms_key_id")
                if r.s3.kmsKeyId != nil && r.s3.encryption != .kms {
                    throw reader.error(
                        map["kms_key_id"], "report.s3.kms_key_id", "needs report.s3.encryption: aws:kms")
                }
            }
            if let sns = section["sns"],
                let map = try reader.optionalMapping(sns, path: "report.sns", allowed: ["topic_arn", "format"])
            {
                r.sns.topicArn = try reader.string(map["topic_arn"], "report.sns.topic_arn")
                r.sns.format = try reader.choice(map["format"], "report.sns.format") ?? r.sns.format
            }
            r.localDir = try reader.string(section["local_dir"], "report.local_dir")
            configuration.report = r
        }

        if let state = top["state"],
            let section = try reader.optionalMapping(state, path: "state", allowed: ["dir", "claims"])
        {
            configuration.state.dir = try reader.string(section["dir"], "state.dir")
            configuration.state.claims = try reader.choice(section["claims"], "state.claims") ?? .local
        }
        configuration.workers = try reader.int(top["workers"], "workers", 1...256) ?? configuration.workers
        if let drain = try reader.duration(top["drain_timeout"], "drain_timeout") {
            guard drain >= 1 && drain <= 3600 else {
                throw reader.error(top["drain_timeout"], "drain_timeout", "must be between 1s and 1h")
            }
            configuration.drainTimeout = drain
        }
        if let log = top["log"],
            let section = try reader.optionalMapping(log, path: "log", allowed: ["level", "format"])
        {
            configuration.log.level = try reader.choice(section["level"], "log.level") ?? .info
            configuration.log.format = try reader.choice(section["format"], "log.format") ?? .json
        }
        return configuration
    }

    private static func yamlErrorLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        case .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func yamlErrorText(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}
