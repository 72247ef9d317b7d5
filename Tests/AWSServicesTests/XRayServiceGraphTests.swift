import AWSCore
import Foundation
import Synchronization
import Testing

@testable import AWSServices

/// Answers X-Ray calls from recorded responses (the wire reference's GetServiceGraph and BatchGetTraces shapes).
private final class RecordedXRay: HTTPTransport {
    let requests = Mutex<[HTTPRequest]>([])
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        requests.withLock { $0.append(request) }
        let body: String
        if request.url.hasSuffix("/ServiceGraph") {
            body = """
                {"StartTime":1.7369388E9,"EndTime":1.7369424E9,"ContainsOldGroupVersions":false,
                 "Services":[
                  {"ReferenceId":0,"Name":"api","Names":["api"],"Root":true,"AccountId":"123456789012","Type":"AWS::ECS::Container","State":"active","StartTime":1.73693881E9,"EndTime":1.73694239E9,
                   "Edges":[{"ReferenceId":1,"StartTime":1.73693881E9,"EndTime":1.73694239E9,
                     "SummaryStatistics":{"OkCount":9120,"ErrorStatistics":{"ThrottleCount":2,"OtherCount":1,"TotalCount":3},"FaultStatistics":{"OtherCount":412,"TotalCount":412},"TotalCount":9535,"TotalResponseTime":1907.0},
                     "ResponseTimeHistogram":[{"Value":0.05,"Count":8800},{"Value":2.0,"Count":412}],"Aliases":[]}],
                   "SummaryStatistics":{"OkCount":9120,"ErrorStatistics":{"ThrottleCount":0,"OtherCount":3,"TotalCount":3},"FaultStatistics":{"OtherCount":412,"TotalCount":412},"TotalCount":9535,"TotalResponseTime":2210.7},
                   "DurationHistogram":[{"Value":0.06,"Count":9123}],"ResponseTimeHistogram":[{"Value":0.06,"Count":9123}]},
                  {"ReferenceId":1,"Name":"orders-db","Names":["orders-db"],"Type":"remote","State":"unknown","Edges":[],"DurationHistogram":[],"ResponseTimeHistogram":[]}]}
                """
        } else if request.url.hasSuffix("/Traces") {
            body =
                #"{"Traces":[{"Id":"1-5f84c7a1-0123456789abcdef01234567","Duration":1.2,"Segments":[]}],"UnprocessedTraceIds":["1-5f84c7a1-00000000000000000000dead"]}"#
        } else {
            body = #"{"Destination":"CloudWatchLogs","Status":"ACTIVE"}"#
        }
        return HTTPResponse(status: 200, headers: ["x-amzn-RequestId": "r"], body: Array(body.utf8))
    }
}

@Suite("X-Ray: service graph edges, unprocessed trace ids, segment destination")
struct XRayServiceGraphTests {
    private func xray(_ transport: RecordedXRay) -> XRayClient {
        XRayClient(
            client: AWSClient(
                service: .xray, region: "us-east-1",
                endpoint: AWSEndpoint(scheme: "https", host: "xray.us-east-1.amazonaws.com"),
                authentication: .sigV4(
                    StaticCredentialProvider(AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s"))),
                transport: transport))
    }

    @Test("GetServiceGraph's edges join callers to callees by ReferenceId, with fault, error and throttle counts")
    func serviceGraph() throws {
        let transport = RecordedXRay()
        let services = try xray(transport).getServiceGraph(
            start: Date(timeIntervalSince1970: 1_736_938_800), end: Date(timeIntervalSince1970: 1_736_942_400))
        let edges = ServiceEdge.edges(from: services)
        #expect(
            edges == [
                ServiceEdge(
                    caller: "api", callee: "orders-db", calleeType: "remote", requests: 9535, faults: 412, errors: 3,
                    throttles: 2, meanResponseTime: 0.2)
            ])
        let request = try #require(transport.requests.withLock { $0.first })
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Int])
        #expect(sent == ["StartTime": 1_736_938_800, "EndTime": 1_736_942_400])
        #expect(request.url == "https://xray.us-east-1.amazonaws.com/ServiceGraph")
    }

    @Test("BatchGetTraces reports UnprocessedTraceIds; GetTraceSegmentDestination is sent without a body")
    func unprocessedAndDestination() throws {
        let transport = RecordedXRay()
        let client = xray(transport)
        let batch = try client.batchGetTracesNotingUnprocessed(ids: [
            "1-5f84c7a1-0123456789abcdef01234567", "1-5f84c7a1-00000000000000000000dead",
        ])
        #expect(batch.traces.map(\.Id) == ["1-5f84c7a1-0123456789abcdef01234567"])
        #expect(batch.unprocessed == ["1-5f84c7a1-00000000000000000000dead"])
        let destination = try client.getTraceSegmentDestination()
        #expect(destination.destination == "CloudWatchLogs" && destination.status == "ACTIVE")
        let request = try #require(transport.requests.withLock { $0.last })
        #expect(request.url.hasSuffix("/GetTraceSegmentDestination") && request.body.isEmpty)
    }

    @Test("an edge to an unknown service keeps its id; no requests means no mean response time")
    func unknownCallee() {
        let services = [
            ServiceGraphService(
                ReferenceId: 0, Name: "api", Type: nil, Root: true,
                Edges: [ServiceGraphEdge(ReferenceId: 7, SummaryStatistics: nil, EdgeType: nil)])
        ]
        #expect(
            ServiceEdge.edges(from: services) == [
                ServiceEdge(
                    caller: "api", callee: "#7", calleeType: nil, requests: 0, faults: 0, errors: 0, throttles: 0,
                    meanResponseTime: nil)
            ])
    }
}
