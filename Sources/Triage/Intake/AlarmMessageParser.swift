import AWSCore
import AWSServices
import Foundation

/// Reads every accepted alarm message shape (DESIGN.md section 5): an SNS envelope carrying a
/// CloudWatch alarm notification (the `Message` is a JSON string), a raw-delivered notification, an
/// EventBridge "CloudWatch Alarm State Change" event (also inside an SNS envelope), and a
/// DescribeAlarms `MetricAlarms`/`CompositeAlarms` entry. Input is untrusted: anything else is an
/// `AlarmMessageError` with a reason, never a crash.
public enum AlarmMessageParser {
    /// Messages larger than this are refused unread.
    public static let maxMessageBytes = 1 << 20

    /// Parses a message body (`messageId` is kept for logs).
    public static func parse(_ body: String, messageId: String? = nil) throws -> AlarmEvent {
        guard body.utf8.count <= maxMessageBytes else { throw AlarmMessageError("message larger than 1 MiB") }
        guard let object = jsonObject(body) else { throw AlarmMessageError("not a JSON object") }
        var event = try parse(object, depth: 0)
        event.messageId = messageId
        return event
    }

    static func parse(_ object: [String: Any], depth: Int) throws -> AlarmEvent {
        if object["Type"] as? String == "Notification", let inner = object["Message"] as? String {
            guard depth == 0, let innerObject = jsonObject(inner) else {
                throw AlarmMessageError("SNS notification whose Message is not a JSON alarm notification")
            }
            var event = try parse(innerObject, depth: depth + 1)
            if event.source == .rawNotification { event.source = .snsNotification }
            return event
        }
        if object["detail-type"] != nil || object["source"] as? String == "aws.cloudwatch" {
            return try eventBridge(object)
        }
        if object["NewStateValue"] != nil {
            return try notification(object)
        }
        if object["StateValue"] != nil && object["AlarmArn"] != nil {
            return try describeAlarmsEntry(object)
        }
        throw AlarmMessageError("not a CloudWatch alarm message (no NewStateValue, detail-type or StateValue)")
    }

    // MARK: CloudWatch notification (SNS Message)

    static func notification(_ o: [String: Any]) throws -> AlarmEvent {
        let name = try string(o, "AlarmName")
        let arn = try string(o, "AlarmArn")
        let (region, account) = try arnParts(arn)
        let state = try alarmState(o["NewStateValue"], "NewStateValue")
        guard let time = timestamp(o["StateChangeTime"]) else {
            throw AlarmMessageError("StateChangeTime missing or not a timestamp")
        }
        var metric: AlarmEvent.Metric?
        if let trigger = o["Trigger"] as? [String: Any] {
            metric = triggerMetric(trigger)
        }
        let children = (o["TriggeringChildren"] as? [[String: Any]] ?? []).compactMap { $0["Arn"] as? String }
        return AlarmEvent(
            alarmName: name, alarmArn: arn, state: state,
            previousState: (o["OldStateValue"] as? String).flatMap(AlarmState.init(rawValue:)), stateChangeTime: time,
            reason: o["NewStateReason"] as? String ?? "", region: region, accountId: account, metric: metric,
            alarmRule: o["AlarmRule"] as? String, triggeringChildren: children, source: .rawNotification, messageId: nil,
            description: o["AlarmDescription"] as? String
        )
    }

    /// `Trigger` of a notification: single metric (lower-case dimension keys), or metric math with
    /// `Metrics[]` (the `ReturnData` metric's dimensions), or anomaly detection (`ThresholdMetricId`).
    static func triggerMetric(_ t: [String: Any]) -> AlarmEvent.Metric {
        var dimensions: [String: String] = [:]
        func read(_ list: Any?) {
            for item in list as? [[String: Any]] ?? [] {
                let key = (item["name"] ?? item["Name"]) as? String
                let value = (item["value"] ?? item["Value"]) as? String
                if let key, let value { dimensions[key] = value }
            }
        }
        read(t["Dimensions"])
        var namespace = t["Namespace"] as? String
        var name = t["MetricName"] as? String
        for query in t["Metrics"] as? [[String: Any]] ?? [] {
            guard let stat = query["MetricStat"] as? [String: Any], let metric = stat["Metric"] as? [String: Any] else {
                continue
            }
            read(metric["Dimensions"])
            namespace = namespace ?? metric["Namespace"] as? String
            name = name ?? metric["MetricName"] as? String
        }
        return AlarmEvent.Metric(
            namespace: namespace, name: name, statistic: (t["Statistic"] ?? t["ExtendedStatistic"]) as? String,
            dimensions: dimensions, period: seconds(t["Period"]), threshold: number(t["Threshold"]),
            comparisonOperator: t["ComparisonOperator"] as? String, thresholdMetricId: t["ThresholdMetricId"] as? String
        )
    }

    // MARK: EventBridge

    static func eventBridge(_ o: [String: Any]) throws -> AlarmEvent {
        guard o["detail-type"] as? String == "CloudWatch Alarm State Change" else {
            throw AlarmMessageError(
                "EventBridge event of type \(o["detail-type"] as? String ?? "?"), not an alarm state change")
        }
        guard let detail = o["detail"] as? [String: Any], let state = detail["state"] as? [String: Any] else {
            throw AlarmMessageError("EventBridge alarm event without detail.state")
        }
        let arn =
            try ((o["resources"] as? [String])?.first).map { $0 } ?? { throw AlarmMessageError("resources missing") }()
        let (region, account) = try arnParts(arn)
        guard let time = timestamp(state["timestamp"]) else {
            throw AlarmMessageError("detail.state.timestamp missing")
        }
        var metric: AlarmEvent.Metric?
        let configuration = detail["configuration"] as? [String: Any]
        for query in configuration?["metrics"] as? [[String: Any]] ?? [] {
            guard let stat = query["metricStat"] as? [String: Any], let m = stat["metric"] as? [String: Any] else {
                continue
            }
            metric = AlarmEvent.Metric(
                namespace: m["namespace"] as? String, name: m["name"] as? String, statistic: stat["stat"] as? String,
                dimensions: m["dimensions"] as? [String: String] ?? [:], period: seconds(stat["period"]),
                threshold: nil, comparisonOperator: nil, thresholdMetricId: nil)
            if query["returnData"] as? Bool == true { break }
        }
        var children: [String] = []
        if let reasonData = state["reasonData"] as? String, let data = jsonObject(reasonData),
            let triggering = data["triggeringAlarms"] as? [[String: Any]]
        {
            children = triggering.compactMap { $0["arn"] as? String }
        }
        return AlarmEvent(
            alarmName: try string(detail, "alarmName"), alarmArn: arn,
            state: try alarmState(state["value"], "detail.state.value"),
            previousState: ((detail["previousState"] as? [String: Any])?["value"] as? String).flatMap(
                AlarmState.init(rawValue:)),
            stateChangeTime: time, reason: state["reason"] as? String ?? "", region: region, accountId: account,
            metric: metric, alarmRule: configuration?["alarmRule"] as? String, triggeringChildren: children,
            source: .eventBridge, messageId: nil, description: configuration?["description"] as? String)
    }

    // MARK: DescribeAlarms entries

    static func describeAlarmsEntry(_ o: [String: Any]) throws -> AlarmEvent {
        let arn = try string(o, "AlarmArn")
        let (region, account) = try arnParts(arn)
        guard let time = timestamp(o["StateTransitionedTimestamp"]) ?? timestamp(o["StateUpdatedTimestamp"]) else {
            throw AlarmMessageError("StateUpdatedTimestamp missing")
        }
        var dimensions: [String: String] = [:]
        for item in o["Dimensions"] as? [[String: Any]] ?? [] {
            if let key = item["Name"] as? String, let value = item["Value"] as? String { dimensions[key] = value }
        }
        let metric: AlarmEvent.Metric? =
            o["AlarmRule"] != nil
            ? nil
            : AlarmEvent.Metric(
                namespace: o["Namespace"] as? String, name: o["MetricName"] as? String,
                statistic: (o["Statistic"] ?? o["ExtendedStatistic"]) as? String, dimensions: dimensions,
                period: seconds(o["Period"]), threshold: number(o["Threshold"]),
                comparisonOperator: o["ComparisonOperator"] as? String,
                thresholdMetricId: o["ThresholdMetricId"] as? String)
        return AlarmEvent(
            alarmName: try string(o, "AlarmName"), alarmArn: arn, state: try alarmState(o["StateValue"], "StateValue"),
            previousState: nil, stateChangeTime: time, reason: o["StateReason"] as? String ?? "", region: region,
            accountId: account, metric: metric, alarmRule: o["AlarmRule"] as? String, triggeringChildren: [],
            source: .describeAlarms, messageId: nil, description: o["AlarmDescription"] as? String)
    }

    /// An alarm from `CloudWatchClient.describeAlarms` as an event (the poller's path).
    public static func event(from alarm: Alarm) throws -> AlarmEvent {
        let (region, account) = try arnParts(alarm.arn)
        guard let state = AlarmState(rawValue: alarm.stateValue) else {
            throw AlarmMessageError("alarm \(alarm.name) has unknown state \(alarm.stateValue)")
        }
        guard let time = alarm.stateTransitionedTimestamp ?? alarm.stateUpdatedTimestamp else {
            throw AlarmMessageError("alarm \(alarm.name) has no state timestamp")
        }
        var dimensions: [String: String] = [:]
        for dimension in alarm.dimensions { dimensions[dimension.name] = dimension.value }
        let metric: AlarmEvent.Metric? =
            alarm.kind == .composite
            ? nil
            : AlarmEvent.Metric(
                namespace: alarm.namespace, name: alarm.metricName,
                statistic: alarm.statistic ?? alarm.extendedStatistic,
                dimensions: dimensions, period: alarm.period, threshold: alarm.threshold,
                comparisonOperator: alarm.comparisonOperator, thresholdMetricId: alarm.thresholdMetricId)
        return AlarmEvent(
            alarmName: alarm.name, alarmArn: alarm.arn, state: state, previousState: nil, stateChangeTime: time,
            reason: alarm.stateReason, region: region, accountId: account, metric: metric, alarmRule: alarm.alarmRule,
            triggeringChildren: [], source: .describeAlarms, messageId: nil, description: alarm.description)
    }

    // MARK: helpers

    static func jsonObject(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func string(_ o: [String: Any], _ key: String) throws -> String {
        guard let value = o[key] as? String, !value.isEmpty else { throw AlarmMessageError("\(key) missing") }
        return value
    }

    static func alarmState(_ value: Any?, _ key: String) throws -> AlarmState {
        guard let text = value as? String, let state = AlarmState(rawValue: text) else {
            throw AlarmMessageError("\(key) is not OK, ALARM or INSUFFICIENT_DATA")
        }
        return state
    }

    /// ISO-8601 text (with `+0000`) or epoch seconds.
    static func timestamp(_ value: Any?) -> Date? {
        if let text = value as? String { return AWSTimestamp.parse(text) }
        if let seconds = number(value) { return Date(timeIntervalSince1970: seconds) }
        return nil
    }

    /// A period in whole seconds, or nil when it is not a positive number CloudWatch could hold
    /// (telemetry is untrusted: a huge or fractional value must not trap the conversion).
    static func seconds(_ value: Any?) -> Int? {
        guard let number = number(value), number.isFinite, number >= 1, number <= 31_536_000 else { return nil }
        return Int(number)
    }

    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber, !(value is Bool) { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` → (region, account).
    static func arnParts(_ arn: String) throws -> (String, String) {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count >= 7, parts[0] == "arn", parts[2] == "cloudwatch", parts[5] == "alarm", !parts[3].isEmpty
        else {
            throw AlarmMessageError("AlarmArn '\(arn.prefix(200))' is not a CloudWatch alarm ARN")
        }
        return (String(parts[3]), String(parts[4]))
    }
}
