import AWSCore
import Foundation

/// The state of a CloudWatch alarm.
public enum AlarmState: String, Sendable, Codable, Equatable {
    case ok = "OK"
    case alarm = "ALARM"
    case insufficientData = "INSUFFICIENT_DATA"
}

/// One observed alarm state change, whichever path it came by (queue or poller) and whatever shape
/// it had. Two observations of the same transition have the same `transitionId`.
public struct AlarmEvent: Sendable, Equatable, Codable {
    /// Where the event came from.
    public enum Source: String, Sendable, Codable {
        case snsNotification, rawNotification, eventBridge, describeAlarms
        /// CloudWatch's Lambda alarm-action payload (`alarmData`).
        case lambdaAlarmAction
    }

    /// The scheduled Logs Insights query behind a log alarm (`AlarmType` `LogAlarm`).
    public struct LogQuery: Sendable, Equatable, Codable {
        /// Log-group names or ARNs (`ScheduledQueryConfiguration.LogGroupIdentifiers`).
        public var logGroups: [String]
        public var queryString: String
        public var aggregation: String?

        public init(logGroups: [String], queryString: String, aggregation: String?) {
            self.logGroups = logGroups
            self.queryString = queryString
            self.aggregation = aggregation
        }

        /// The log-group names (identifiers may be ARNs, `arn:…:log-group:<name>[:*]`).
        public var logGroupNames: [String] {
            logGroups.map { identifier in
                guard identifier.hasPrefix("arn:"), let range = identifier.range(of: ":log-group:") else {
                    return identifier
                }
                var name = String(identifier[range.upperBound...])
                if name.hasSuffix(":*") { name.removeLast(2) }
                return name
            }
        }

        /// The query's `like` terms as a FilterLogEvents pattern (any of them), so the events read
        /// are the ones the alarm counts: `filter @message like /ERROR/ or @message like "Timeout"`
        /// → `?ERROR ?Timeout`. Nil when the query has no plain literal term (a regular expression
        /// with operators cannot be a filter pattern): the configured pattern is used then.
        public var filterPattern: String? {
            var terms: [String] = []
            var rest = Substring(queryString)
            while let range = rest.range(of: "like ", options: .caseInsensitive) {
                rest = rest[range.upperBound...].drop { $0 == " " }
                guard let open = rest.first, ["/", "\"", "'"].contains(open) else { continue }
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: open) else { break }
                let term = String(body[..<close])
                rest = body[body.index(after: close)...]
                let plain = !term.isEmpty && term.allSatisfy { $0.isLetter || $0.isNumber || " _-:.".contains($0) }
                guard plain else { return nil }
                terms.append(term.contains(" ") ? "?\"\(term)\"" : "?\(term)")
            }
            return terms.isEmpty ? nil : terms.joined(separator: " ")
        }
    }

    /// The metric behind a metric alarm (absent for composite and pure metric-math alarms).
    public struct Metric: Sendable, Equatable, Codable {
        public var namespace: String?
        public var name: String?
        public var statistic: String?
        /// Dimension name → value (keys as CloudWatch spells them: `LoadBalancer`, `TargetGroup`, …).
        public var dimensions: [String: String]
        public var period: Int?
        public var threshold: Double?
        public var comparisonOperator: String?
        /// Anomaly-detection alarms name their band instead of a threshold.
        public var thresholdMetricId: String?
    }

    public var alarmName: String
    public var alarmArn: String
    public var state: AlarmState
    public var previousState: AlarmState?
    /// When the alarm entered `state` (the notification's `StateChangeTime`).
    public var stateChangeTime: Date
    public var reason: String
    /// Region code, from the ARN (notifications carry a display name instead).
    public var region: String
    public var accountId: String
    public var metric: Metric?
    /// Composite alarms: the rule and the children that triggered it.
    public var alarmRule: String?
    public var triggeringChildren: [String]
    public var source: Source
    /// The SQS message id, for messages from the queue.
    public var messageId: String?
    /// The alarm's description (`AlarmDescription`), where the runbook link may be.
    public var description: String? = nil
    /// Log alarms: the query whose results the alarm evaluates (it drives the log evidence).
    public var logQuery: LogQuery?
    /// Composite alarms: the names of the metric alarms among the triggering children whose metrics
    /// were taken (filled by `CompositeAlarmResolver`; the first one is `metric`).
    public var resolvedChildren: [String]?
    /// The metrics of every resolved child metric alarm (composite alarms; correlation keys).
    public var childMetrics: [Metric]?

    public init(
        alarmName: String, alarmArn: String, state: AlarmState, previousState: AlarmState?, stateChangeTime: Date,
        reason: String, region: String, accountId: String, metric: Metric?, alarmRule: String?,
        triggeringChildren: [String], source: Source, messageId: String?, description: String? = nil,
        logQuery: LogQuery? = nil
    ) {
        self.alarmName = alarmName
        self.alarmArn = alarmArn
        self.state = state
        self.previousState = previousState
        self.stateChangeTime = stateChangeTime
        self.reason = reason
        self.region = region
        self.accountId = accountId
        self.metric = metric
        self.alarmRule = alarmRule
        self.triggeringChildren = triggeringChildren
        self.source = source
        self.messageId = messageId
        self.description = description
        self.logQuery = logQuery
    }

    /// Stable across paths and instances: the alarm ARN and the transition time to the millisecond.
    public var transitionId: String {
        Self.transitionId(arn: alarmArn, time: stateChangeTime)
    }

    /// The id of the incident a transition into ALARM opens (`docs/intake.md`).
    public static func transitionId(arn: String, time: Date) -> String {
        // Truncated to the millisecond (notifications carry milliseconds; an API timestamp with finer
        // digits must land on the same id), after rounding to the microsecond so that binary
        // floating-point noise (…958.9999) cannot move it.
        let micros = Int64((time.timeIntervalSince1970 * 1_000_000).rounded())
        let millis = micros / 1000
        return String(Digest.hex(Digest.sha256("\(arn)|\(millis)")).prefix(20))
    }

    /// What ties alarms to one incident: the load balancer, target group, ECS cluster or service.
    public var correlationKeys: Set<String> {
        var keys: Set<String> = []
        for dimensions in ([metric] + (childMetrics ?? [])).compactMap({ $0?.dimensions }) {
            for name in ["LoadBalancer", "TargetGroup", "ClusterName", "ServiceName"] {
                if let value = dimensions[name], !value.isEmpty { keys.insert("\(name)=\(value)") }
            }
        }
        return keys
    }
}
