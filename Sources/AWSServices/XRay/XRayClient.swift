import AWSCore
import Foundation

/// A trace summary from GetTraceSummaries.
public struct TraceSummary: Sendable, Equatable, Decodable {
    public var Id: String
    public var Duration: Double?
    public var ResponseTime: Double?
    public var HasFault: Bool?
    public var HasError: Bool?
    public var HasThrottle: Bool?
    public var Http: TraceHTTP?
    public var ServiceIds: [TraceServiceId]?
}

public struct TraceHTTP: Sendable, Equatable, Decodable {
    public var HttpURL: String?
    public var HttpStatus: Int?
    public var HttpMethod: String?
}

public struct TraceServiceId: Sendable, Equatable, Decodable {
    public var Name: String?
    public var `Type`: String?
}

/// A full trace: its segments' documents are JSON strings, to be parsed separately.
public struct Trace: Sendable, Equatable, Decodable {
    public var Id: String?
    public var Duration: Double?
    public var Segments: [TraceSegment]?
}

public struct TraceSegment: Sendable, Equatable, Decodable {
    public var Id: String?
    public var Document: String?
}

/// AWS X-Ray over REST-JSON.
public struct XRayClient: Sendable {
    /// BatchGetTraces takes at most 5 trace ids per call.
    public static let maxTraceIdsPerBatch = 5

    let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .xray, "XRayClient needs an X-Ray AWSClient")
        self.client = client
    }

    /// GetTraceSummaries over [start, end] with a filter expression (e.g. `fault = true`), every page
    /// (empty pages with a token included) up to `max` summaries.
    public func getTraceSummaries(start: Date, end: Date, filter: String?, max: Int = 100, maxPages: Int = 50) throws
        -> [TraceSummary]
    {
        struct Input: Encodable {
            let StartTime: Double
            let EndTime: Double
            let FilterExpression: String?
            let Sampling: Bool
            let NextToken: String?
        }
        struct Output: Decodable {
            var TraceSummaries: [TraceSummary]?
            var NextToken: String?
        }
        return try Paging.collect(max: max, maxPages: maxPages) { token in
            let input = Input(
                StartTime: start.timeIntervalSince1970.rounded(.down), EndTime: end.timeIntervalSince1970.rounded(.up),
                FilterExpression: filter, Sampling: false, NextToken: token)
            let response = try client.rest(
                "GetTraceSummaries", method: "POST", path: "/TraceSummaries",
                headers: ["Content-Type": "application/json"], body: Array(try JSONEncoder().encode(input)))
            let output = try client.decodeJSON(Output.self, from: Data(response.body), operation: "GetTraceSummaries")
            return (output.TraceSummaries ?? [], output.NextToken)
        }.items
    }

    /// BatchGetTraces in batches of 5 ids, following each batch's pages.
    public func batchGetTraces(ids: [String]) throws -> [Trace] {
        try batchGetTracesNotingUnprocessed(ids: ids).traces
    }

    /// BatchGetTraces, with the ids AWS returned in `UnprocessedTraceIds` (not found or not yet
    /// processed; with Transaction Search on, every id lands there).
    public func batchGetTracesNotingUnprocessed(ids: [String]) throws -> (traces: [Trace], unprocessed: [String]) {
        struct Input: Encodable {
            let TraceIds: [String]
            let NextToken: String?
        }
        struct Output: Decodable {
            var Traces: [Trace]?
            var UnprocessedTraceIds: [String]?
            var NextToken: String?
        }
        var traces: [Trace] = []
        var unprocessed: [String] = []
        for batch in ids.chunked(Self.maxTraceIdsPerBatch) {
            traces += try Paging.collect { token in
                let response = try client.rest(
                    "BatchGetTraces", method: "POST", path: "/Traces", headers: ["Content-Type": "application/json"],
                    body: Array(try JSONEncoder().encode(Input(TraceIds: batch, NextToken: token))))
                let output = try client.decodeJSON(Output.self, from: Data(response.body), operation: "BatchGetTraces")
                unprocessed += output.UnprocessedTraceIds ?? []
                return (output.Traces ?? [], output.NextToken)
            }.items
        }
        return (traces, unprocessed)
    }
}
