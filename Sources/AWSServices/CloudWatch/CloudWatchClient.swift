import AWSCore
import Foundation

/// Amazon CloudWatch over the query protocol (API 2010-08-01).
public struct CloudWatchClient: Sendable {
    /// GetMetricData accepts at most this many queries per call.
    public static let maxQueriesPerCall = 500
    /// AlarmNames accepts at most this many names per call.
    public static let maxAlarmNamesPerCall = 100

    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .cloudWatch, "CloudWatchClient needs a CloudWatch AWSClient")
        self.client = client
    }

    /// DescribeAlarms for exact `names` (batched by 100) or a name `prefix`, metric, composite and log
    /// alarms, every page up to `maxAlarms`.
    public func describeAlarms(names: [String] = [], prefix: String? = nil, maxAlarms: Int = 10_000) throws -> [Alarm] {
        precondition(names.isEmpty || prefix == nil, "AlarmNames cannot be combined with AlarmNamePrefix")
        var batches: [[String]] = []
        if names.isEmpty {
            batches = [[]]
        } else {
            var start = 0
            while start < names.count {
                batches.append(Array(names[start..<min(start + Self.maxAlarmNamesPerCall, names.count)]))
                start += Self.maxAlarmNamesPerCall
            }
        }
        var alarms: [Alarm] = []
        for batch in batches {
            alarms += try Paging.collect(max: maxAlarms - alarms.count) { token in
                var parameters = QueryParameters()
                parameters.addList("AlarmNames", batch)
                parameters.add("AlarmNamePrefix", prefix)
                // Without AlarmTypes only metric alarms are listed; composite ones need the
                // permission on `*`.
                parameters.addList("AlarmTypes", Alarm.Kind.allCases.map(\.rawValue))
                parameters.add("MaxRecords", "100")
                parameters.add("NextToken", token)
                let result = try client.query("DescribeAlarms", parameters)
                return (Self.alarms(result), result.string("NextToken"))
            }.items
            if alarms.count >= maxAlarms { break }
        }
        return Array(alarms.prefix(maxAlarms))
    }

    /// DescribeAlarms `ChildrenOfAlarmName`: the alarms a composite's rule references (name, ARN,
    /// state only; no other parameter is allowed with it), every page.
    public func describeChildren(ofComposite name: String, maxAlarms: Int = 1000) throws -> [Alarm] {
        try Paging.collect(max: maxAlarms) { token in
            var parameters = QueryParameters()
            parameters.add("ChildrenOfAlarmName", name)
            parameters.add("MaxRecords", "100")
            parameters.add("NextToken", token)
            let result = try client.query("DescribeAlarms", parameters)
            return (Self.alarms(result), result.string("NextToken"))
        }.items
    }

    /// The three lists of a DescribeAlarms result.
    static func alarms(_ result: XMLNode) -> [Alarm] {
        (result["MetricAlarms"]?.members ?? []).map { alarm($0, kind: .metric) }
            + (result["CompositeAlarms"]?.members ?? []).map { alarm($0, kind: .composite) }
            + (result["LogAlarms"]?.members ?? []).map { alarm($0, kind: .log) }
    }

    /// GetMetricData over [start, end), queries batched by 500, every page; values oldest first.
    public func getMetricData(_ queries: [MetricDataQuery], start: Date, end: Date) throws -> [MetricDataResult] {
        var merged: [String: MetricDataResult] = [:]
        var order: [String] = []
        var offset = 0
        while offset < queries.count {
            let batch = Array(queries[offset..<min(offset + Self.maxQueriesPerCall, queries.count)])
            offset += Self.maxQueriesPerCall
            var token: String?
            repeat {
                var parameters = QueryParameters()
                for (index, query) in batch.enumerated() {
                    let p = "MetricDataQueries.member.\(index + 1)"
                    parameters.add("\(p).Id", query.id)
                    parameters.add("\(p).Label", query.label)
                    parameters.add("\(p).ReturnData", query.returnData ? "true" : "false")
                    if let expression = query.expression {
                        parameters.add("\(p).Expression", expression)
                        parameters.add("\(p).Period", String(query.period))
                    } else {
                        parameters.add("\(p).MetricStat.Metric.Namespace", query.namespace)
                        parameters.add("\(p).MetricStat.Metric.MetricName", query.metricName)
                        for (d, dimension) in query.dimensions.enumerated() {
                            parameters.add("\(p).MetricStat.Metric.Dimensions.member.\(d + 1).Name", dimension.name)
                            parameters.add("\(p).MetricStat.Metric.Dimensions.member.\(d + 1).Value", dimension.value)
                        }
                        parameters.add("\(p).MetricStat.Period", String(query.period))
                        parameters.add("\(p).MetricStat.Stat", query.stat)
                    }
                }
                parameters.add("StartTime", AWSTimestamp.format(start))
                parameters.add("EndTime", AWSTimestamp.format(end))
                parameters.add("ScanBy", "TimestampAscending")
                parameters.add("NextToken", token)
                let result = try client.query("GetMetricData", parameters)
                for member in result["MetricDataResults"]?.members ?? [] {
                    let id = member.string("Id") ?? ""
                    let timestamps = (member["Timestamps"]?.members ?? []).compactMap { AWSTimestamp.parse($0.text) }
                    let values = (member["Values"]?.members ?? []).compactMap {
                        Double($0.text.trimmingCharacters(in: .whitespaces))
                    }
                    if var existing = merged[id] {
                        existing.timestamps += timestamps
                        existing.values += values
                        existing.statusCode = member.string("StatusCode") ?? existing.statusCode
                        merged[id] = existing
                    } else {
                        order.append(id)
                        merged[id] = MetricDataResult(
                            id: id, label: member.string("Label"), statusCode: member.string("StatusCode") ?? "",
                            timestamps: timestamps, values: values)
                    }
                }
                token = result.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
        }
        return order.compactMap { id in
            guard var result = merged[id] else { return nil }
            // Oldest first whatever order the pages came in.
            let pairs = zip(result.timestamps, result.values).sorted { $0.0 < $1.0 }
            result.timestamps = pairs.map(\.0)
            result.values = pairs.map(\.1)
            return result
        }
    }

    /// DescribeAlarmHistory for one alarm, newest first, every page up to `maxItems`.
    public func describeAlarmHistory(
        alarmName: String, type: String? = "StateUpdate", start: Date? = nil, end: Date? = nil, maxItems: Int = 100
    ) throws -> [AlarmHistoryItem] {
        try Paging.collect(max: maxItems) { token in
            var parameters = QueryParameters()
            parameters.add("AlarmName", alarmName)
            parameters.add("HistoryItemType", type)
            parameters.add("StartDate", start.map(AWSTimestamp.format))
            parameters.add("EndDate", end.map(AWSTimestamp.format))
            parameters.add("MaxRecords", String(min(100, max(1, maxItems))))
            parameters.add("NextToken", token)
            let result = try client.query("DescribeAlarmHistory", parameters)
            let items = (result["AlarmHistoryItems"]?.members ?? []).map { member in
                AlarmHistoryItem(
                    alarmName: member.string("AlarmName") ?? alarmName, alarmType: member.string("AlarmType"),
                    timestamp: member.string("Timestamp").flatMap(AWSTimestamp.parse),
                    historyItemType: member.string("HistoryItemType") ?? "",
                    summary: member.string("HistorySummary") ?? "", data: member.string("HistoryData"))
            }
            return (items, result.string("NextToken"))
        }.items
    }

    /// ListTagsForResource of one alarm (or other CloudWatch resource) by ARN: key → value.
    public func listTagsForResource(arn: String) throws -> [String: String] {
        var parameters = QueryParameters()
        parameters.add("ResourceARN", arn)
        let result = try client.query("ListTagsForResource", parameters)
        var tags: [String: String] = [:]
        for member in result["Tags"]?.members ?? [] {
            if let key = member.string("Key") { tags[key] = member.string("Value") ?? "" }
        }
        return tags
    }

    /// PutMetricData in `namespace` (at most 1000 data per call, batched).
    public func putMetricData(namespace: String, _ data: [MetricDatum]) throws {
        var offset = 0
        while offset < data.count {
            let batch = data[offset..<min(offset + 1000, data.count)]
            offset += 1000
            var parameters = QueryParameters()
            parameters.add("Namespace", namespace)
            for (index, datum) in batch.enumerated() {
                let p = "MetricData.member.\(index + 1)"
                parameters.add("\(p).MetricName", datum.metricName)
                parameters.add("\(p).Value", String(datum.value))
                parameters.add("\(p).Unit", datum.unit)
                parameters.add("\(p).Timestamp", datum.timestamp.map(AWSTimestamp.format))
                for (d, dimension) in datum.dimensions.enumerated() {
                    parameters.add("\(p).Dimensions.member.\(d + 1).Name", dimension.name)
                    parameters.add("\(p).Dimensions.member.\(d + 1).Value", dimension.value)
                }
            }
            _ = try client.query("PutMetricData", parameters)
        }
    }

    static func alarm(_ node: XMLNode, kind: Alarm.Kind) -> Alarm {
        var alarm = Alarm(
            kind: kind, name: node.string("AlarmName") ?? "", arn: node.string("AlarmArn") ?? "",
            description: node.string("AlarmDescription"), stateValue: node.string("StateValue") ?? "",
            stateReason: node.string("StateReason") ?? "", stateReasonData: node.string("StateReasonData"),
            stateUpdatedTimestamp: node.string("StateUpdatedTimestamp").flatMap(AWSTimestamp.parse),
            stateTransitionedTimestamp: node.string("StateTransitionedTimestamp").flatMap(AWSTimestamp.parse),
            actionsEnabled: node.string("ActionsEnabled") == "true",
            alarmActions: (node["AlarmActions"]?.members ?? []).map { $0.text.trimmingCharacters(in: .whitespaces) },
            okActions: (node["OKActions"]?.members ?? []).map { $0.text.trimmingCharacters(in: .whitespaces) },
            metricName: node.string("MetricName"), namespace: node.string("Namespace"),
            statistic: node.string("Statistic"), extendedStatistic: node.string("ExtendedStatistic"),
            dimensions: (node["Dimensions"]?.members ?? []).map {
                MetricDimension(name: $0.string("Name") ?? "", value: $0.string("Value") ?? "")
            },
            period: node.string("Period").flatMap { Int($0) },
            evaluationPeriods: node.string("EvaluationPeriods").flatMap { Int($0) },
            threshold: node.string("Threshold").flatMap { Double($0) },
            comparisonOperator: node.string("ComparisonOperator"),
            treatMissingData: node.string("TreatMissingData"), thresholdMetricId: node.string("ThresholdMetricId"),
            alarmRule: node.string("AlarmRule"))
        if let query = node["ScheduledQueryConfiguration"], let text = query.string("QueryString") {
            let schedule = query["ScheduleConfiguration"]
            alarm.scheduledQuery = Alarm.ScheduledQuery(
                queryString: text,
                logGroupIdentifiers: (query["LogGroupIdentifiers"]?.members ?? []).map {
                    $0.text.trimmingCharacters(in: .whitespaces)
                }, aggregationExpression: query.string("AggregationExpression"),
                scheduleExpression: schedule?.string("ScheduleExpression"),
                startTimeOffset: schedule?.string("StartTimeOffset").flatMap { Int($0) })
        }
        // Metric math: the alarmed series is the metric stat that returns data, else the first one.
        let stats = (node["Metrics"]?.members ?? []).filter { $0["MetricStat"] != nil }
        if alarm.metricName == nil,
            let query = stats.first(where: { $0.string("ReturnData") == "true" }) ?? stats.first,
            let stat = query["MetricStat"], let metric = stat["Metric"]
        {
            alarm.metricName = metric.string("MetricName")
            alarm.namespace = metric.string("Namespace")
            alarm.statistic = stat.string("Stat")
            alarm.period = alarm.period ?? stat.string("Period").flatMap { Int($0) }
            alarm.dimensions = (metric["Dimensions"]?.members ?? []).map {
                MetricDimension(name: $0.string("Name") ?? "", value: $0.string("Value") ?? "")
            }
        }
        return alarm
    }
}
