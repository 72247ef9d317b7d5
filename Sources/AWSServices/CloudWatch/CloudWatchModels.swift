import AWSCore
import Foundation

/// A metric dimension (`Name`/`Value`).
public struct MetricDimension: Sendable, Equatable, Codable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A CloudWatch alarm as DescribeAlarms returns it: metric, composite and log alarms share this
/// shape; composite alarms carry `alarmRule` and log alarms `scheduledQuery`, neither has metric fields.
public struct Alarm: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case metric = "MetricAlarm", composite = "CompositeAlarm", log = "LogAlarm"
    }

    /// A log alarm's `ScheduledQueryConfiguration`.
    public struct ScheduledQuery: Sendable, Equatable {
        public var queryString: String
        /// Log-group names or ARNs (may be empty: the query can name its sources itself).
        public var logGroupIdentifiers: [String]
        public var aggregationExpression: String?
        public var scheduleExpression: String?
        public var startTimeOffset: Int?

        public init(
            queryString: String, logGroupIdentifiers: [String], aggregationExpression: String?,
            scheduleExpression: String?, startTimeOffset: Int?
        ) {
            self.queryString = queryString
            self.logGroupIdentifiers = logGroupIdentifiers
            self.aggregationExpression = aggregationExpression
            self.scheduleExpression = scheduleExpression
            self.startTimeOffset = startTimeOffset
        }
    }
    public var kind: Kind
    public var name: String
    public var arn: String
    public var description: String?
    public var stateValue: String
    public var stateReason: String
    public var stateReasonData: String?
    public var stateUpdatedTimestamp: Date?
    public var stateTransitionedTimestamp: Date?
    public var actionsEnabled: Bool
    public var alarmActions: [String]
    public var okActions: [String]
    public var metricName: String?
    public var namespace: String?
    public var statistic: String?
    public var extendedStatistic: String?
    public var dimensions: [MetricDimension]
    public var period: Int?
    public var evaluationPeriods: Int?
    public var threshold: Double?
    public var comparisonOperator: String?
    public var treatMissingData: String?
    public var thresholdMetricId: String?
    public var alarmRule: String?
    public var scheduledQuery: ScheduledQuery? = nil
}

/// One query of GetMetricData: a metric with a statistic, or an expression.
public struct MetricDataQuery: Sendable, Equatable {
    public var id: String
    public var namespace: String?
    public var metricName: String?
    public var dimensions: [MetricDimension]
    public var period: Int
    public var stat: String?
    public var expression: String?
    public var label: String?
    public var returnData: Bool

    /// A metric-statistic query. `id` must start with a lower-case letter.
    public static func metric(
        id: String, namespace: String, name: String, dimensions: [MetricDimension], period: Int, stat: String,
        label: String? = nil
    ) -> MetricDataQuery {
        MetricDataQuery(
            id: id, namespace: namespace, metricName: name, dimensions: dimensions, period: period, stat: stat,
            expression: nil, label: label, returnData: true)
    }
}

/// The values of one query, oldest first.
public struct MetricDataResult: Sendable, Equatable {
    public var id: String
    public var label: String?
    public var statusCode: String
    public var timestamps: [Date]
    public var values: [Double]
}

/// One entry of an alarm's history.
public struct AlarmHistoryItem: Sendable, Equatable {
    public var alarmName: String
    public var alarmType: String?
    public var timestamp: Date?
    public var historyItemType: String
    public var summary: String
    public var data: String?
}

/// One datum of PutMetricData.
public struct MetricDatum: Sendable, Equatable {
    public var metricName: String
    public var dimensions: [MetricDimension]
    public var value: Double
    public var unit: String?
    public var timestamp: Date?

    public init(
        metricName: String, dimensions: [MetricDimension] = [], value: Double, unit: String? = nil,
        timestamp: Date? = nil
    ) {
        self.metricName = metricName
        self.dimensions = dimensions
        self.value = value
        self.unit = unit
        self.timestamp = timestamp
    }
}
