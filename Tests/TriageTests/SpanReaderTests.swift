import Foundation
import Testing

@testable import Triage

/// aws/spans events (OpenTelemetry-shaped JSON, as Transaction Search stores them) into failing-segment rows.
@Suite("aws/spans spans into failing segments")
struct SpanReaderTests {
    func spans(_ texts: [String]) throws -> [[String: Any]] {
        try texts.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test(
        "a failing server span names its trace's failing client call; attributes flat or nested, statuses as numbers or text"
    )
    func serverWithClient() throws {
        let rows = SpanReader.failingSegments(
            try spans([
                #"{"traceId":"6745f0c1a2b3c4d5e6f708192a3b4c5d","spanId":"a1","name":"POST /checkout","kind":"SERVER","attributes":{"aws.local.service":"checkout","aws.local.operation":"POST /checkout","http.response.status_code":500},"events":[],"status":{"code":"ERROR"}}"#,
                #"{"traceId":"6745f0c1a2b3c4d5e6f708192a3b4c5d","spanId":"b2","parentSpanId":"a1","name":"DynamoDB.PutItem","kind":"CLIENT","attributes":{"aws":{"local":{"service":"checkout"},"remote":{"service":"AWS::DynamoDB","operation":"PutItem"}},"http":{"status_code":"429"}},"events":[{"name":"exception","attributes":{"exception.type":"ProvisionedThroughputExceededException","exception.message":"Rate of requests exceeds the allowed throughput."}}],"status":{"code":"ERROR"}}"#,
            ]))
        #expect(
            rows == [
                FailingSegment(
                    traceId: "6745f0c1a2b3c4d5e6f708192a3b4c5d", service: "checkout", operation: "POST /checkout",
                    url: nil,
                    status: 500,
                    cause: "ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.",
                    downstream: "AWS::DynamoDB", downstreamNamespace: "aws", throttled: true,
                    downstreamTarget: "AWS::DynamoDB.PutItem")
            ])
    }

    @Test("a failing client call alone is a row; a server span without aws.* attributes is named by its resource")
    func clientAloneAndResourceName() throws {
        let rows = SpanReader.failingSegments(
            try spans([
                #"{"traceId":"t1","name":"GET","kind":"CLIENT","attributes":{"aws.local.service":"web","aws.remote.service":"pricing","url.full":"http://pricing.shop.local/quote","http.response.status_code":503},"status":{"code":"ERROR","message":"upstream unavailable"}}"#,
                #"{"traceId":"t2","name":"GET /","kind":"SERVER","resource":{"attributes":{"service.name":"front"}},"attributes":{"http.status_code":502},"status":{"code":"ERROR"}}"#,
            ]))
        #expect(rows.count == 2)
        #expect(rows[0].service == "front" && rows[0].operation == "GET /" && rows[0].status == 502)
        #expect(rows[0].downstream == nil && rows[0].cause == nil)
        #expect(rows[1].service == "web" && rows[1].downstream == "pricing" && rows[1].downstreamNamespace == "remote")
        #expect(rows[1].downstreamTarget == "http://pricing.shop.local/quote" && rows[1].throttled == false)
        #expect(rows[1].cause == "upstream unavailable" && rows[1].status == nil)
    }
}
