import AWSCore
import Foundation

/// A service of GetServiceGraph's map. Edges name their callee by the callee's `ReferenceId`.
public struct ServiceGraphService: Sendable, Equatable, Decodable {
    public var ReferenceId: Int?
    public var Name: String?
    public var `Type`: String?
    public var Root: Bool?
    public var Edges: [ServiceGraphEdge]?
}

public struct ServiceGraphEdge: Sendable, Equatable, Decodable {
    public var ReferenceId: Int?
    public var SummaryStatistics: EdgeStatistics?
    public var EdgeType: String?
}

/// `EdgeStatistics`: 2xx in `OkCount`, 4xx in `ErrorStatistics` (429 in `ThrottleCount`), 5xx in `FaultStatistics`.
public struct EdgeStatistics: Sendable, Equatable, Decodable {
    public struct Counts: Sendable, Equatable, Decodable {
        public var ThrottleCount: Int?
        public var OtherCount: Int?
        public var TotalCount: Int?
    }
    public var OkCount: Int?
    public var ErrorStatistics: Counts?
    public var FaultStatistics: Counts?
    public var TotalCount: Int?
    public var TotalResponseTime: Double?
}

/// One caller → callee edge of the service map with its counts over the window.
public struct ServiceEdge: Sendable, Equatable, Codable {
    public var caller: String
    public var callee: String
    /// The callee's X-Ray type, e.g. `AWS::DynamoDB::Table`, `remote`.
    public var calleeType: String?
    public var requests: Int
    /// 5xx answers.
    public var faults: Int
    /// 4xx answers, throttles included.
    public var errors: Int
    /// 429 answers.
    public var throttles: Int
    /// Mean response time in seconds, when there were requests.
    public var meanResponseTime: Double?

    public init(
        caller: String, callee: String, calleeType: String?, requests: Int, faults: Int, errors: Int, throttles: Int,
        meanResponseTime: Double?
    ) {
        self.caller = caller
        self.callee = callee
        self.calleeType = calleeType
        self.requests = requests
        self.faults = faults
        self.errors = errors
        self.throttles = throttles
        self.meanResponseTime = meanResponseTime
    }

    /// The edges of a service map, joined on the callee's `ReferenceId`; edges to an unknown id are
    /// kept with the id as the callee's name.
    public static func edges(from services: [ServiceGraphService]) -> [ServiceEdge] {
        var byId: [Int: ServiceGraphService] = [:]
        for service in services { if let id = service.ReferenceId { byId[id] = service } }
        var edges: [ServiceEdge] = []
        for service in services {
            for edge in service.Edges ?? [] {
                let callee = edge.ReferenceId.flatMap { byId[$0] }
                let stats = edge.SummaryStatistics
                let requests = stats?.TotalCount ?? 0
                let time = stats?.TotalResponseTime
                edges.append(
                    ServiceEdge(
                        caller: service.Name ?? "?",
                        callee: callee?.Name ?? edge.ReferenceId.map { "#\($0)" } ?? "?", calleeType: callee?.Type,
                        requests: requests, faults: stats?.FaultStatistics?.TotalCount ?? 0,
                        errors: stats?.ErrorStatistics?.TotalCount ?? 0,
                        throttles: stats?.ErrorStatistics?.ThrottleCount ?? 0,
                        meanResponseTime: requests > 0 && (time?.isFinite ?? false)
                            ? time.map { $0 / Double(requests) } : nil))
            }
        }
        return edges
    }
}

extension XRayClient {
    /// GetServiceGraph over [start, end], every page.
    public func getServiceGraph(start: Date, end: Date, maxPages: Int = 10) throws -> [ServiceGraphService] {
        struct Input: Encodable {
            let StartTime: Double
            let EndTime: Double
            let NextToken: String?
        }
        struct Output: Decodable {
            var Services: [ServiceGraphService]?
            var NextToken: String?
        }
        return try Paging.collect(max: 10_000, maxPages: maxPages) { token in
            let input = Input(
                StartTime: start.timeIntervalSince1970.rounded(.down), EndTime: end.timeIntervalSince1970.rounded(.up),
                NextToken: token)
            let response = try client.rest(
                "GetServiceGraph", method: "POST", path: "/ServiceGraph", headers: ["Content-Type": "application/json"],
                body: Array(try JSONEncoder().encode(input)))
            let output = try client.decodeJSON(Output.self, from: Data(response.body), operation: "GetServiceGraph")
            return (output.Services ?? [], output.NextToken)
        }.items
    }

    /// Where segments go: `XRay`, or `CloudWatchLogs` when Transaction Search is on (then BatchGetTraces
    /// finds nothing and spans are in the `aws/spans` log group). Sent without a body, as botocore does.
    public func getTraceSegmentDestination() throws -> (destination: String?, status: String?) {
        struct Output: Decodable {
            var Destination: String?
            var Status: String?
        }
        let response = try client.rest(
            "GetTraceSegmentDestination", method: "POST", path: "/GetTraceSegmentDestination")
        let output = try client.decodeJSON(
            Output.self, from: Data(response.body), operation: "GetTraceSegmentDestination")
        return (output.Destination, output.Status)
    }
}
