import AWSCore
import AWSServices
import Foundation

/// Reads every accepted alarm message shape (`docs/intake.md`): an SNS envelope carrying a
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

    /// Every alarm record of a saved file (`replay`): one message of any accepted shape, a Lambda SNS
    /// or SQS test event (`Records[].Sns`, `Records[].body`), or a whole DescribeAlarms response
    /// (`MetricAlarms`, `CompositeAlarms`, `LogAlarms`). A record that is not usable refuses the file,
    /// naming the record.
    public static func parseAll(_ body: String) throws -> [AlarmEvent] {
        guard body.utf8.count <= maxMessageBytes else { throw AlarmMessageError("message larger than 1 MiB") }
        guard let object = jsonObject(body) else { throw AlarmMessageError("not a JSON object") }
        if let records = object["Records"] as? [[String: Any]] {
            guard !records.isEmpty else { throw AlarmMessageError("Lambda event with no Records") }
            return try records.enumerated().map { index, record in
                do {
                    if let sns = record["Sns"] as? [String: Any] {
                        // Lambda's SNS event spells the envelope like SNS (Type, Message, …).
                        var envelope = sns
                        envelope["Type"] = envelope["Type"] ?? "Notification"
                        return try parse(envelope, depth: 0)
                    }
                    if let body = record["body"] as? String {
                        return try parse(body, messageId: record["messageId"] as? String)
                    }
                    throw AlarmMessageError("neither Sns nor body")
                } catch let error as AlarmMessageError {
                    throw AlarmMessageError("Records[\(index)]: \(error.reason)")
                }
            }
        }
        let lists = ["MetricAlarms", "CompositeAlarms", "LogAlarms"]
        if lists.contains(where: { object[$0] != nil }) {
            var events: [AlarmEvent] = []
            for list in lists {
                for (index, entry) in (object[list] as? [[String: Any]] ?? []).enumerated() {
                    do {
                        events.append(try describeAlarmsEntry(entry))
                    } catch let error as AlarmMessageError {
                        throw AlarmMessageError("\(list)[\(index)]: \(error.reason)")
                    }
                }
            }
            guard !events.isEmpty else { throw AlarmMessageError("DescribeAlarms response with no alarms") }
            return events
        }
        return [try parse(object, depth: 0)]
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
        if object["source"] as? String == "aws.cloudwatch", object["alarmData"] is [String: Any] {
            return try lambdaAlarmAction(object)
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
        let arn = try notificationArn(o, name: name)
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
            alarmRule: o["AlarmRule"] as? String, triggeringChildren: children, source: .rawNotification,
            messageId: nil,
            description: o["AlarmDescription"] as? String
        )
    }

    /// `Trigger` of a notification: single metric (lower-case dimension keys), or metric math with
    /// `Metrics[]` (the `ReturnData` metric, else the first metric stat: its metric, dimensions and
    /// statistic), or anomaly detection (`ThresholdMetricId`).
    static func triggerMetric(_ t: [String: Any]) -> AlarmEvent.Metric {
        var dimensions = dimensionList(t["Dimensions"])
        var namespace = t["Namespace"] as? String
        var name = t["MetricName"] as? String
        var statistic = (t["Statistic"] ?? t["ExtendedStatistic"]) as? String
        var period = seconds(t["Period"])
        if let query = alarmedQuery(t["Metrics"], returnData: "ReturnData", metricStat: "MetricStat"),
            let stat = query["MetricStat"] as? [String: Any], let metric = stat["Metric"] as? [String: Any]
        {
            dimensions = dimensions.merging(dimensionList(metric["Dimensions"])) { first, _ in first }
            namespace = namespace ?? metric["Namespace"] as? String
            name = name ?? metric["MetricName"] as? String
            statistic = statistic ?? stat["Stat"] as? String
            period = period ?? seconds(stat["Period"])
        }
        return AlarmEvent.Metric(
            namespace: namespace, name: name, statistic: statistic, dimensions: dimensions, period: period,
            threshold: number(t["Threshold"]), comparisonOperator: t["ComparisonOperator"] as? String,
            thresholdMetricId: t["ThresholdMetricId"] as? String)
    }

    /// Dimensions as notifications (`name`/`value`) or the API (`Name`/`Value`) list them.
    static func dimensionList(_ list: Any?) -> [String: String] {
        var dimensions: [String: String] = [:]
        for item in list as? [[String: Any]] ?? [] {
            let key = (item["name"] ?? item["Name"]) as? String
            let value = (item["value"] ?? item["Value"]) as? String
            if let key, let value { dimensions[key] = value }
        }
        return dimensions
    }

    /// The metric-math entry that is the alarmed series: the first metric stat with `ReturnData`
    /// true, else the first metric stat (an expression returning data has no metric of its own;
    /// anomaly-detection alarms return both the metric and the band).
    static func alarmedQuery(_ metrics: Any?, returnData: String, metricStat: String) -> [String: Any]? {
        let stats = (metrics as? [[String: Any]] ?? []).filter { $0[metricStat] is [String: Any] }
        return stats.first { flag($0[returnData]) == true } ?? stats.first
    }

    // MARK: EventBridge

    static func eventBridge(_ o: [String: Any]) throws -> AlarmEvent {
        let type = o["detail-type"] as? String
        guard type == "CloudWatch Alarm State Change" else {
            if o["source"] as? String == "aws.cloudwatch", let type, !type.isEmpty {
                // Configuration and contributor changes come by the same rule: acknowledged, not dead letters.
                throw AlarmMessageError(
                    "CloudWatch event '\(type.prefix(100))' is not an alarm state change", disposition: .acknowledge)
            }
            throw AlarmMessageError(
                "EventBridge event \(type.map { "of type '\($0.prefix(100))'" } ?? "without detail-type") from \(o["source"] as? String ?? "no source"), not a CloudWatch alarm state change"
            )
        }
        guard let detail = o["detail"] as? [String: Any] else {
            throw AlarmMessageError("EventBridge alarm event without detail")
        }
        guard let arn = (o["resources"] as? [String])?.first else { throw AlarmMessageError("resources missing") }
        return try alarmDetail(detail, arn: arn, source: .eventBridge)
    }

    /// CloudWatch's Lambda alarm action: `alarmArn` at the top, `alarmData` with the fields of the
    /// EventBridge detail.
    static func lambdaAlarmAction(_ o: [String: Any]) throws -> AlarmEvent {
        guard let data = o["alarmData"] as? [String: Any] else { throw AlarmMessageError("alarmData missing") }
        return try alarmDetail(data, arn: try string(o, "alarmArn"), source: .lambdaAlarmAction)
    }

    /// The EventBridge `detail` / Lambda `alarmData` object (camelCase, dimensions as a map).
    static func alarmDetail(_ detail: [String: Any], arn: String, source: AlarmEvent.Source) throws -> AlarmEvent {
        guard let state = detail["state"] as? [String: Any] else {
            throw AlarmMessageError("alarm event without state")
        }
        let (region, account) = try arnParts(arn)
        guard let time = timestamp(state["timestamp"]) else {
            throw AlarmMessageError("state.timestamp missing")
        }
        let reasonData = (state["reasonData"] as? String).flatMap(jsonObject) ?? [:]
        var metric: AlarmEvent.Metric?
        let configuration = detail["configuration"] as? [String: Any]
        if let query = alarmedQuery(configuration?["metrics"], returnData: "returnData", metricStat: "metricStat"),
            let stat = query["metricStat"] as? [String: Any], let m = stat["metric"] as? [String: Any]
        {
            var dimensions: [String: String] = [:]
            for (key, value) in m["dimensions"] as? [String: Any] ?? [:] {
                if let value = value as? String { dimensions[key] = value }
            }
            metric = AlarmEvent.Metric(
                namespace: m["namespace"] as? String, name: m["name"] as? String,
                statistic: stat["stat"] as? String ?? reasonData["statistic"] as? String, dimensions: dimensions,
                period: seconds(stat["period"]) ?? seconds(reasonData["period"]),
                threshold: number(reasonData["threshold"]),
                comparisonOperator: nil, thresholdMetricId: nil)
        }
        let children = (reasonData["triggeringAlarms"] as? [[String: Any]] ?? []).compactMap { $0["arn"] as? String }
        return AlarmEvent(
            alarmName: try string(detail, "alarmName"), alarmArn: arn,
            state: try alarmState(state["value"], "state.value"),
            previousState: ((detail["previousState"] as? [String: Any])?["value"] as? String).flatMap(
                AlarmState.init(rawValue:)),
            stateChangeTime: time, reason: state["reason"] as? String ?? "", region: region, accountId: account,
            metric: metric, alarmRule: configuration?["alarmRule"] as? String, triggeringChildren: children,
            source: source, messageId: nil, description: configuration?["description"] as? String)
    }

    // MARK: DescribeAlarms entries

    static func describeAlarmsEntry(_ o: [String: Any]) throws -> AlarmEvent {
        let arn = try string(o, "AlarmArn")
        let (region, account) = try arnParts(arn)
        guard let time = timestamp(o["StateTransitionedTimestamp"]) ?? timestamp(o["StateUpdatedTimestamp"]) else {
            throw AlarmMessageError("StateUpdatedTimestamp missing")
        }
        var metric: AlarmEvent.Metric?
        let query = o["ScheduledQueryConfiguration"] as? [String: Any]
        if o["AlarmRule"] == nil && query == nil {
            metric = triggerMetric(o)
        }
        let logQuery = query.flatMap { query in
            (query["QueryString"] as? String).map {
                AlarmEvent.LogQuery(
                    logGroups: query["LogGroupIdentifiers"] as? [String] ?? [], queryString: $0,
                    aggregation: query["AggregationExpression"] as? String)
            }
        }
        return AlarmEvent(
            alarmName: try string(o, "AlarmName"), alarmArn: arn, state: try alarmState(o["StateValue"], "StateValue"),
            previousState: nil, stateChangeTime: time, reason: o["StateReason"] as? String ?? "", region: region,
            accountId: account, metric: metric, alarmRule: o["AlarmRule"] as? String, triggeringChildren: [],
            source: .describeAlarms, messageId: nil, description: o["AlarmDescription"] as? String, logQuery: logQuery)
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
            alarm.kind != .metric
            ? nil
            : AlarmEvent.Metric(
                namespace: alarm.namespace, name: alarm.metricName,
                statistic: alarm.statistic ?? alarm.extendedStatistic,
                dimensions: dimensions, period: alarm.period, threshold: alarm.threshold,
                comparisonOperator: alarm.comparisonOperator, thresholdMetricId: alarm.thresholdMetricId)
        return AlarmEvent(
            alarmName: alarm.name, alarmArn: alarm.arn, state: state, previousState: nil, stateChangeTime: time,
            reason: alarm.stateReason, region: region, accountId: account, metric: metric, alarmRule: alarm.alarmRule,
            triggeringChildren: [], source: .describeAlarms, messageId: nil, description: alarm.description,
            logQuery: alarm.scheduledQuery.map {
                AlarmEvent.LogQuery(
                    logGroups: $0.logGroupIdentifiers, queryString: $0.queryString,
                    aggregation: $0.aggregationExpression)
            })
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

    /// A JSON number. On Linux every `NSNumber` of value 0 or 1 answers `is Bool`, so booleans are
    /// told apart by their type encoding (`c`, as `JSONSerialization` stores true and false); a
    /// threshold of 0.0 or 1.0 is a number.
    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber, !isBoolean(number) { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// A JSON boolean (`ReturnData`); also the text "true"/"false".
    static func flag(_ value: Any?) -> Bool? {
        if let number = value as? NSNumber, isBoolean(number) { return number.boolValue }
        if let text = value as? String { return Bool(text.lowercased()) }
        return nil
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// The notification's `AlarmArn`, or (older notifications have none) one rebuilt from
    /// `AWSAccountId`, the region's display name in `Region` and `AlarmName`.
    static func notificationArn(_ o: [String: Any], name: String) throws -> String {
        if let arn = o["AlarmArn"] as? String, !arn.isEmpty { return arn }
        let account = (o["AWSAccountId"] as? String).map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard account.count == 12, account.allSatisfy(\.isNumber) else {
            throw AlarmMessageError("AlarmArn missing and AWSAccountId is not an account id: cannot name the alarm")
        }
        let regionName = o["Region"] as? String ?? ""
        guard let region = RegionNames.code(regionName) else {
            throw AlarmMessageError(
                "AlarmArn missing and Region '\(regionName.prefix(60))' is not a known region: cannot name the alarm")
        }
        return AWSARN(service: "cloudwatch", region: region, account: account, resource: "alarm:\(name)").description
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
