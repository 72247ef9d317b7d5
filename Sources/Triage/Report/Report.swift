import AWSCore
import Foundation

/// The incident report (`docs/reports.md`, `schema_version` 1): the source of truth that the
/// Markdown and HTML pages render and `docs/report.schema.json` describes. Property names are the
/// camel-case forms of the JSON keys (`Report.encoder` writes snake case); no dictionaries, so every
/// key is one the schema names.
public struct Report: Sendable, Equatable, Codable {
    public static let schemaVersion = 1

    public var schemaVersion = Report.schemaVersion
    /// `triaged <version>`.
    public var generator: String
    public var generatedAt: Date
    /// `critical`, `high` or `medium` (see `ReportBuilder.severity`).
    public var severity: Severity
    public var incident: IncidentPart
    public var window: WindowPart
    /// One paragraph an on-call engineer can act on.
    public var summary: String
    /// Ranked, most confident first.
    public var findings: [ReportFinding]
    public var nextSteps: [String]
    public var analysis: AnalysisPart
    public var evidence: EvidencePart
    public var gaps: [Gap]
    public var links: Links
    /// When every alarm of the incident was back to OK, and how long it lasted (null until then).
    @NullWhenAbsent public var resolution: Resolution? = nil
    /// Earlier incidents like this one (null when there is no report bucket to keep the index in).
    @NullWhenAbsent public var history: History? = nil

    public enum Severity: String, Sendable, Codable, CaseIterable {
        case critical, high, medium
    }

    public struct IncidentPart: Sendable, Equatable, Codable {
        public var id: String
        public var openedAt: Date
        /// When an OK transition of one of its alarms was seen, if one was.
        public var resolvedAt: Date?
        public var region: String
        public var accountId: String
        public var alarms: [AlarmPart]
    }

    public struct AlarmPart: Sendable, Equatable, Codable {
        public var name: String
        public var arn: String
        /// The account and region of the alarm, from its ARN (where its evidence was read).
        public var accountId: String?
        public var region: String?
        public var stateChangeTime: Date
        public var reason: String
        public var metric: MetricPart?
    }

    /// The metric an alarm watches, for the threshold line in charts.
    public struct MetricPart: Sendable, Equatable, Codable {
        public var namespace: String?
        public var name: String?
        public var statistic: String?
        public var period: Int?
        public var threshold: Double?
        public var comparisonOperator: String?
        public var dimensions: [Dimension]
    }

    public struct Dimension: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
    }

    public struct WindowPart: Sendable, Equatable, Codable {
        public var start: Date
        public var end: Date
        public var alarmTime: Date
    }

    public struct ReportFinding: Sendable, Equatable, Codable {
        public var category: FindingCategory
        /// The ECS service at fault, or null.
        public var service: String?
        /// The target group, dependency host, AWS API or revision it blames, or null.
        public var resource: String?
        public var title: String
        public var confidence: Double
        public var evidence: [String]
        /// `rules` (deterministic) or `model`.
        public var source: FindingSource

        /// `service api · resource orders-db.internal`, or nil when it blames neither.
        public var attribution: String? {
            let parts = [service.map { "service \($0)" }, resource.map { "resource \($0)" }].compactMap { $0 }
            return parts.isEmpty ? nil : parts.joined(separator: " · ")
        }

        // Absent values are written as null, so readers see every key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(category, forKey: .category)
            try container.encode(service, forKey: .service)
            try container.encode(resource, forKey: .resource)
            try container.encode(title, forKey: .title)
            try container.encode(confidence, forKey: .confidence)
            try container.encode(evidence, forKey: .evidence)
            try container.encode(source, forKey: .source)
        }
    }

    public struct AnalysisPart: Sendable, Equatable, Codable {
        /// `bedrock` or `rules`.
        public var source: AnalysisSource
        /// The configured model.
        public var modelId: String?
        public var rootCause: String?
        public var narrative: String?
        public var unavailableReason: String?
        public var usage: Usage
        /// The model or profile that answered (a fallback, or the geography profile tried for a
        /// profile-only base ID); null when none answered. Optional members are additions to
        /// schema version 1: older reports lack them.
        public var answeredBy: String? = nil
        /// The answer stopped at max_output_tokens.
        public var truncated: Bool? = nil
        /// Model calls made, retries and fallback included.
        public var attempts: Int? = nil
        /// What happened on the way (retired model, profile tried, fallback used, unknown price).
        public var notes: [String]? = nil
        /// How the model's diagnosis stands against the rules' top finding: `agrees`, `disagrees`,
        /// or null when the model did not answer.
        public var verdict: Verdict? = nil
        /// When it disagrees: what the model said and why the rules' finding stands.
        public var disagreement: String? = nil

        public enum Verdict: String, Sendable, Equatable, Codable {
            case agrees, disagrees
        }

        public struct Usage: Sendable, Equatable, Codable {
            public var inputTokens: Int
            public var outputTokens: Int
            public var estimatedCostUsd: Double
            /// Prompt-cache reads and writes (input tokens), priced at their own rates.
            public var cacheReadTokens: Int? = nil
            public var cacheWriteTokens: Int? = nil
            /// False when a model called had no known price: the cost above leaves it out.
            public var costKnown: Bool? = nil
        }

        // Absent values are written as null, so readers see every key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            try container.encode(modelId, forKey: .modelId)
            try container.encode(rootCause, forKey: .rootCause)
            try container.encode(narrative, forKey: .narrative)
            try container.encode(unavailableReason, forKey: .unavailableReason)
            try container.encode(usage, forKey: .usage)
            try container.encode(answeredBy, forKey: .answeredBy)
            try container.encodeIfPresent(truncated, forKey: .truncated)
            try container.encodeIfPresent(attempts, forKey: .attempts)
            try container.encodeIfPresent(notes, forKey: .notes)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(disagreement, forKey: .disagreement)
        }
    }

    public struct EvidencePart: Sendable, Equatable, Codable {
        public var metrics: MetricsPart
        public var loadBalancer: LoadBalancerPart
        public var ecs: ECSPart
        public var logs: LogsPart
        public var traces: TraceEvidence
        /// AWS API calls made to collect this.
        public var apiCalls: Int
    }

    public struct MetricsPart: Sendable, Equatable, Codable {
        public var series: [Series]

        public struct Series: Sendable, Equatable, Codable {
            public var id: String
            public var namespace: String
            public var name: String
            public var stat: String
            public var period: Int
            public var dimensions: [Dimension]
            public var timestamps: [Date]
            public var values: [Double]
            public var summary: SeriesSummary?
        }
    }

    public struct LoadBalancerPart: Sendable, Equatable, Codable {
        /// `app/<name>/<id>`.
        public var name: String?
        public var arn: String?
        public var targetGroups: [TargetGroupHealth]
    }

    public struct ECSPart: Sendable, Equatable, Codable {
        public var cluster: String?
        /// How the services were chosen: `target-groups`, `configured`, `cluster`, `none`.
        public var servicesFrom: String
        public var services: [ServiceState]
        public var stoppedTasks: [StoppedTask]
        public var taskDefinitions: [TaskDefinitionSummary]
    }

    public struct LogsPart: Sendable, Equatable, Codable {
        public var groups: [Group]
        /// Across groups, most frequent first.
        public var patterns: [Pattern]

        public struct Group: Sendable, Equatable, Codable {
            public var group: String
            public var service: String?
            public var linesRead: Int
            public var capped: Bool
        }

        public struct Pattern: Sendable, Equatable, Codable {
            public var template: String
            public var count: Int
            public var example: String
            public var level: String?
            public var firstSeen: String?
            public var lastSeen: String?
            public var group: String
            public var service: String?
        }
    }

    public struct Resolution: Sendable, Equatable, Codable {
        public var resolvedAt: Date
        public var durationSeconds: Double

        public init(openedAt: Date, resolvedAt: Date) {
            self.resolvedAt = resolvedAt
            durationSeconds = max(0, (resolvedAt.timeIntervalSince(openedAt) * 1000).rounded() / 1000)
        }
    }

    /// Earlier incidents with the same fingerprint (alarm, top category, top service) in 30 days.
    public struct History: Sendable, Equatable, Codable {
        public var fingerprint: String
        /// Earlier incidents with this fingerprint in the last 30 days (this one not counted).
        public var count30d: Int
        /// Newest first, at most 5.
        public var previous: [Previous]

        public struct Previous: Sendable, Equatable, Codable {
            public var incidentId: String
            public var openedAt: Date
            public var category: FindingCategory
            public var service: String?
            /// `s3://bucket/key` of the earlier report.json.
            public var reportKey: String

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(incidentId, forKey: .incidentId)
                try container.encode(openedAt, forKey: .openedAt)
                try container.encode(category, forKey: .category)
                try container.encode(service, forKey: .service)
                try container.encode(reportKey, forKey: .reportKey)
            }
        }

        public init(fingerprint: String, count30d: Int, previous: [Previous]) {
            self.fingerprint = fingerprint
            self.count30d = count30d
            self.previous = previous
        }

        // The snake-case strategies do not split digits: `count30d` is written as `count_30d` by
        // hand, and read back whatever the decoder's key conversion made of it (`count30D`).
        private enum WrittenKeys: String, CodingKey {
            case fingerprint, count30d = "count_30d", previous
        }

        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            func key(_ name: String) throws -> AnyKey {
                let normal = { (text: String) in text.lowercased().replacingOccurrences(of: "_", with: "") }
                guard let found = container.allKeys.first(where: { normal($0.stringValue) == normal(name) }) else {
                    throw DecodingError.keyNotFound(
                        AnyKey(stringValue: name),
                        .init(codingPath: container.codingPath, debugDescription: "history has no \(name)"))
                }
                return found
            }
            fingerprint = try container.decode(String.self, forKey: key("fingerprint"))
            count30d = try container.decode(Int.self, forKey: key("count_30d"))
            previous = try container.decode([Previous].self, forKey: key("previous"))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: WrittenKeys.self)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(count30d, forKey: .count30d)
            try container.encode(previous, forKey: .previous)
        }
    }

    public struct Links: Sendable, Equatable, Codable {
        /// A presigned https URL of `report.html` (null when not delivered to S3).
        public var report: String?
        /// Where the three objects are, `s3://bucket/key` (null when not delivered to S3).
        public var objects: Objects?
        public var console: Console
        /// The alarm's runbook: its `runbook_url` (`Runbook`, `runbook`) tag, else the first https URL
        /// in its description.
        public var runbook: String? = nil

        public struct Objects: Sendable, Equatable, Codable {
            public var json: String
            public var markdown: String
            public var html: String
        }

        public struct Console: Sendable, Equatable, Codable {
            public var alarm: String?
            public var logsInsights: String?
            public var ecsService: String?

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(alarm, forKey: .alarm)
                try container.encode(logsInsights, forKey: .logsInsights)
                try container.encode(ecsService, forKey: .ecsService)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(report, forKey: .report)
            try container.encode(objects, forKey: .objects)
            try container.encode(console, forKey: .console)
            try container.encode(runbook, forKey: .runbook)
        }
    }
}

/// An optional report field written as `null` when absent (synthesized encoding would leave the key
/// out) and read as absent when a report from before the field existed lacks the key.
@propertyWrapper
public struct NullWhenAbsent<Value: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is an absent value, not an error.
    public func decode<Value>(_ type: NullWhenAbsent<Value>.Type, forKey key: Key) throws -> NullWhenAbsent<Value> {
        try decodeIfPresent(type, forKey: key) ?? NullWhenAbsent(wrappedValue: nil)
    }
}

extension Report {
    /// Snake-case keys, ISO-8601 UTC timestamps with milliseconds, sorted keys, pretty printed.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(AWSTimestamp.formatMilliseconds(date))
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = AWSTimestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
            }
            return date
        }
        return decoder
    }

    /// `report.json`.
    public func json() throws -> [UInt8] {
        Array(try Self.encoder.encode(self)) + [0x0A]
    }

    /// The alarm that opened the incident.
    public var openingAlarm: AlarmPart? { incident.alarms.first }

    /// The top finding, if any.
    public var topFinding: ReportFinding? { findings.first }
}
