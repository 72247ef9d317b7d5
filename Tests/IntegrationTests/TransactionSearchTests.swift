import AWSCore
import AWSServices
import Foundation
import Testing

@testable import Triage

/// X-Ray's service map, segment destination and Transaction Search against the local AWS world:
/// the emulator computes the map from the segments put and, once the destination is CloudWatch
/// Logs, writes them as spans to `aws/spans`, where the reader finds the failing ones with Logs Insights.
@Suite("traces: service graph, Transaction Search and aws/spans", .enabled(if: IntegrationEnvironment.ready))
struct TransactionSearchTests {
    /// Four requests to `api` a second apart, ending a minute before `now`; the even ones fail with
    /// 502 because `orders-db` refused the connection, the odd ones call it successfully.
    static func segments(now: Double, base: Int) throws -> [String] {
        try (0..<4).map { i in
            let fault = i % 2 == 0
            var document: [String: Any] = [
                "id": String(format: "%016x", base + i), "name": "api",
                "trace_id": String(format: "1-%08x-%024x", Int(now), base + i),
                "start_time": now - 60 + Double(i), "end_time": now - 59 + Double(i), "fault": fault,
                "origin": "AWS::ECS::Container",
                "http": [
                    "request": ["method": "GET", "url": "http://prodapp/api/orders"],
                    "response": ["status": fault ? 502 : 200],
                ],
            ]
            var call: [String: Any] = [
                "id": String(format: "%016x", base + 100 + i), "name": "orders-db", "namespace": "remote",
                "start_time": now - 60 + Double(i), "end_time": now - 59.5 + Double(i),
            ]
            if fault {
                call["fault"] = true
                call["cause"] = ["exceptions": [["type": "ConnectionError", "message": "connection refused"]]]
            }
            document["subsegments"] = [call]
            return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
        }
    }

    func putSegments(_ xray: AWSClient, _ documents: [String]) throws {
        let body = try JSONSerialization.data(withJSONObject: ["TraceSegmentDocuments": documents])
        _ = try xray.rest(
            "PutTraceSegments", method: "POST", path: "/TraceSegments", headers: ["Content-Type": "application/json"],
            body: Array(body))
    }

    func enableTransactionSearch(_ xray: AWSClient) throws {
        let body = try JSONSerialization.data(withJSONObject: ["Destination": "CloudWatchLogs"])
        _ = try xray.rest(
            "UpdateTraceSegmentDestination", method: "POST", path: "/UpdateTraceSegmentDestination",
            headers: ["Content-Type": "application/json"], body: Array(body))
    }

    /// The world's X-Ray and Logs clients, and the second the test calls now.
    struct Clients {
        let raw: AWSClient
        let xray: XRayClient
        let logs: CloudWatchLogsClient
        let now: Double
    }

    /// Runs `body` in a fresh world, Transaction Search switched on first when asked.
    func inWorld(transactionSearch: Bool, _ body: (Clients) throws -> Void) throws {
        try LocalAWSWorld.with { world in
            let context = try world.context()
            let raw = try context.client(for: .xray)
            if transactionSearch { try enableTransactionSearch(raw) }
            try body(
                Clients(
                    raw: raw, xray: XRayClient(client: raw),
                    logs: CloudWatchLogsClient(client: try context.client(for: .logs)),
                    now: Date().timeIntervalSince1970.rounded(.down)))
        }
    }

    func window(_ now: Double) -> TimeWindow {
        TimeWindow(
            start: Date(timeIntervalSince1970: now - 1800), end: Date(timeIntervalSince1970: now + 1),
            alarmTime: Date(timeIntervalSince1970: now))
    }

    @Test("GetServiceGraph counts the edges of the segments put; BatchGetTraces leaves unknown ids unprocessed")
    func serviceGraphAndUnprocessed() throws {
        try inWorld(transactionSearch: false) { world in
            let (raw, xray, now) = (world.raw, world.xray, world.now)
            try putSegments(raw, Self.segments(now: now, base: 1))
            #expect(try xray.getTraceSegmentDestination().destination == "XRay")

            let edges = ServiceEdge.edges(
                from: try xray.getServiceGraph(
                    start: Date(timeIntervalSince1970: now - 600), end: Date(timeIntervalSince1970: now)))
            #expect(
                edges == [
                    ServiceEdge(
                        caller: "api", callee: "orders-db", calleeType: "remote", requests: 4, faults: 2, errors: 0,
                        throttles: 0, meanResponseTime: 0.5)
                ])
            // A window before the segments holds no edges.
            #expect(
                try xray.getServiceGraph(
                    start: Date(timeIntervalSince1970: now - 7200), end: Date(timeIntervalSince1970: now - 3600)
                ).isEmpty)

            let known = String(format: "1-%08x-%024x", Int(now), 1)
            let unknown = String(format: "1-%08x-%024x", Int(now), 0xdead)
            let batch = try xray.batchGetTracesNotingUnprocessed(ids: [known, unknown])
            #expect(batch.traces.map(\.Id) == [known])
            #expect(batch.unprocessed == [unknown])

            // The stage keeps the edges, reads the failing documents and names the unprocessed ids as a gap.
            let traces = try TraceReaderStage(reader: xray, calls: CallCounter())
                .read(window: window(now), maxTraces: 25)
            #expect(traces.segmentDestination == "XRay")
            #expect(traces.edges == edges)
            #expect(traces.failingSegments.map(\.downstream) == ["orders-db", "orders-db"])
            #expect(TraceReaderStage.gaps(traces).isEmpty)
        }
    }

    @Test("with Transaction Search on, the failing spans come from aws/spans through Logs Insights, not BatchGetTraces")
    func spansFromLogsInsights() throws {
        try inWorld(transactionSearch: true) { world in
            let (raw, xray, logs, now) = (world.raw, world.xray, world.logs, world.now)
            #expect(try xray.getTraceSegmentDestination().destination == "CloudWatchLogs")
            try putSegments(raw, Self.segments(now: now, base: 1))

            // BatchGetTraces finds none of them, as AWS documents.
            let id = String(format: "1-%08x-%024x", Int(now), 1)
            #expect(try xray.batchGetTracesNotingUnprocessed(ids: [id]).unprocessed == [id])

            let calls = CallCounter()
            let traces = try TraceReaderStage(
                reader: xray, calls: calls, spans: SpanReader(reader: logs, calls: calls, deadline: 10)
            ).read(window: window(now), maxTraces: 25)
            #expect(traces.segmentDestination == "CloudWatchLogs")
            // Two failing requests: each a failing server span and its failing client call.
            #expect(traces.spansRead == 4)
            #expect(traces.spansFailure == nil)
            let expectedTraces = [2, 0].map { String(format: "%08x%024x", Int(now), 1 + $0) }
            #expect(traces.failingSegments.map(\.traceId) == expectedTraces)
            for segment in traces.failingSegments {
                #expect(segment.service == "api")
                #expect(segment.operation == "GET")
                #expect(segment.status == 502)
                #expect(segment.cause == "ConnectionError: connection refused")
                #expect(segment.downstream == "orders-db")
                #expect(segment.downstreamNamespace == "remote")
                #expect(segment.throttled == false)
            }
            #expect(traces.edges.first?.faults == 2)
            #expect(TraceReaderStage.gaps(traces).isEmpty, "\(TraceReaderStage.gaps(traces))")
        }
    }

    @Test("the collector reads aws/spans when Transaction Search is on: spans in the evidence, no gap")
    func collectorReadsSpans() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            let raw = try context.client(for: .xray)
            try enableTransactionSearch(raw)
            // Only what is sent after the switch is in aws/spans: the scenario's own segments are not.
            try putSegments(raw, Self.segments(now: Date().timeIntervalSince1970.rounded(.down), base: 1))
            let (_, evidence, _) = try world.collectEvidence(for: scenario, context: context)
            #expect(evidence.traces.segmentDestination == "CloudWatchLogs")
            #expect(evidence.traces.spansRead == 4)
            #expect(evidence.traces.failingSegments.map(\.downstream) == ["orders-db", "orders-db"])
            #expect(evidence.gaps.isEmpty, "\(evidence.gaps)")
            let data = try JSONEncoder().encode(evidence)
            #expect(try JSONDecoder().decode(Evidence.self, from: data) == evidence)
        }
    }

    @Test("a span query that fails or does not complete in time is a gap naming why, and loses the rest")
    func spanQueryGaps() throws {
        try inWorld(transactionSearch: true) { world in
            let (raw, xray, logs, now) = (world.raw, world.xray, world.logs, world.now)

            // No span was ever written: aws/spans does not exist and StartQuery is refused.
            let missing = try TraceReaderStage(
                reader: xray, calls: CallCounter(), spans: SpanReader(reader: logs, calls: CallCounter())
            ).read(window: window(now), maxTraces: 25)
            #expect(missing.spansRead == nil)
            let failure = try #require(missing.spansFailure)
            #expect(failure.contains("ResourceNotFoundException") && failure.contains("StartQuery"), "\(failure)")
            #expect(
                TraceReaderStage.gaps(missing).map(\.reason) == [
                    "Transaction Search is on and the aws/spans spans were not read: \(failure)"
                ])

            // The query is still running when the deadline passes.
            try putSegments(raw, Self.segments(now: now, base: 1))
            let slow = try TraceReaderStage(
                reader: xray, calls: CallCounter(),
                spans: SpanReader(reader: logs, calls: CallCounter(), deadline: 0)
            ).read(window: window(now), maxTraces: 25)
            #expect(slow.spansFailure == "the Logs Insights query on aws/spans did not complete within 0 s")
            #expect(slow.failingSegments.isEmpty)
            // The service map is still evidence.
            #expect(slow.edges.map(\.callee) == ["orders-db"])
        }
    }
}
