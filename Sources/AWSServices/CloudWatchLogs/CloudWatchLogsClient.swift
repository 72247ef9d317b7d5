import AWSCore
import Foundation

/// One log event.
public struct LogEvent: Sendable, Equatable, Codable {
    public var logStreamName: String?
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var message: String
    public var eventId: String?
}

/// A log group.
public struct LogGroup: Sendable, Equatable, Codable {
    public var logGroupName: String
    public var retentionInDays: Int?
    public var storedBytes: Int64?
    public var arn: String?
}

/// The result of FilterLogEvents over all pages.
public struct FilteredLogEvents: Sendable, Equatable {
    public var events: [LogEvent]
    /// Whether `maxEvents` stopped the paging before the end.
    public var capped: Bool
    public var pages: Int
}

/// Logs Insights query results.
public struct QueryResults: Sendable, Equatable {
    public var status: String
    public var rows: [[String: String]]
}

/// Amazon CloudWatch Logs over JSON 1.1.
public struct CloudWatchLogsClient: Sendable {
    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .logs, "CloudWatchLogsClient needs a CloudWatch Logs AWSClient")
        self.client = client
    }

    private struct FilterInput: Encodable {
        let logGroupName: String
        var logStreamNames: [String]? = nil
        let startTime: Int64
        let endTime: Int64
        let filterPattern: String?
        let limit: Int
        let nextToken: String?
    }

    private struct FilterOutput: Decodable {
        var events: [LogEvent]?
        var nextToken: String?
    }

    /// FilterLogEvents over [start, end] (milliseconds), every page — empty pages with a token
    /// included — until no token is left or `maxEvents` events were read.
    public func filterLogEvents(
        group: String, start: Date, end: Date, pattern: String? = nil, maxEvents: Int = 20_000, maxPages: Int = 1000,
        pageSize: Int = 10_000
    ) throws -> FilteredLogEvents {
        var read = 0
        let result = try Paging.collect(max: maxEvents, maxPages: maxPages) { token in
            let input = FilterInput(
                logGroupName: group, startTime: Int64(start.timeIntervalSince1970 * 1000),
                endTime: Int64(end.timeIntervalSince1970 * 1000),
                filterPattern: pattern.flatMap { $0.isEmpty ? nil : $0 },
                limit: min(min(10_000, max(1, pageSize)), max(1, maxEvents - read)), nextToken: token)
            let output: FilterOutput = try client.json("FilterLogEvents", input)
            read += output.events?.count ?? 0
            return (output.events ?? [], output.nextToken)
        }
        return FilteredLogEvents(events: result.items, capped: !result.exhausted, pages: result.pages)
    }

    /// The last `count` events of some log streams (at most 100 names) in [start, end], reading at
    /// most `maxEvents` from the start of that span.
    public func lastEvents(
        group: String, streams: [String], start: Date, end: Date, count: Int, maxEvents: Int = 1000
    ) throws -> [LogEvent] {
        var read = 0
        let result = try Paging.collect(max: maxEvents, maxPages: 20) { token in
            var input = FilterInput(
                logGroupName: group, startTime: Int64(start.timeIntervalSince1970 * 1000),
                endTime: Int64(end.timeIntervalSince1970 * 1000), filterPattern: nil,
                limit: min(10_000, max(1, maxEvents - read)), nextToken: token)
            input.logStreamNames = Array(streams.prefix(100))
            let output: FilterOutput = try client.json("FilterLogEvents", input)
            read += output.events?.count ?? 0
            return (output.events ?? [], output.nextToken)
        }
        return Array(result.items.suffix(max(0, count)))
    }

    private struct DescribeInput: Encodable {
        let logGroupNamePrefix: String?
        let limit: Int
        let nextToken: String?
    }

    private struct DescribeOutput: Decodable {
        var logGroups: [LogGroup]?
        var nextToken: String?
    }

    /// DescribeLogGroups with an optional name prefix, every page up to `maxGroups`.
    public func describeLogGroups(prefix: String? = nil, maxGroups: Int = 1000, pageSize: Int = 50) throws -> [LogGroup]
    {
        try Paging.collect(max: maxGroups) { token in
            let output: DescribeOutput = try client.json(
                "DescribeLogGroups",
                DescribeInput(logGroupNamePrefix: prefix, limit: min(50, max(1, pageSize)), nextToken: token))
            return (output.logGroups ?? [], output.nextToken)
        }.items
    }

    private struct StartQueryInput: Encodable {
        let logGroupNames: [String]
        let startTime: Int64
        let endTime: Int64
        let queryString: String
        let limit: Int
    }

    /// StartQuery (Logs Insights) over at most 50 groups; times in seconds. Returns the query id.
    public func startQuery(groups: [String], start: Date, end: Date, query: String, limit: Int = 1000) throws -> String
    {
        struct Output: Decodable { var queryId: String }
        let output: Output = try client.json(
            "StartQuery",
            StartQueryInput(
                logGroupNames: Array(groups.prefix(50)), startTime: Int64(start.timeIntervalSince1970),
                endTime: Int64(end.timeIntervalSince1970), queryString: query, limit: min(max(1, limit), 100_000)))
        return output.queryId
    }

    /// GetQueryResults: the status and the rows (field → value, `@ptr` dropped).
    public func getQueryResults(queryId: String) throws -> QueryResults {
        struct Field: Decodable {
            var field: String?
            var value: String?
        }
        struct Output: Decodable {
            var status: String?
            var results: [[Field]]?
        }
        let body = try JSONSerialization.data(withJSONObject: ["queryId": queryId])
        let output = try client.decodeJSON(
            Output.self, from: try client.json("GetQueryResults", body: body), operation: "GetQueryResults")
        let rows = (output.results ?? []).map { row in
            var values: [String: String] = [:]
            for field in row where field.field != "@ptr" {
                if let name = field.field { values[name] = field.value ?? "" }
            }
            return values
        }
        return QueryResults(status: output.status ?? "Unknown", rows: rows)
    }
}
