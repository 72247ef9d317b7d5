import AWSServices
import Foundation
import Testing

@testable import Triage

/// Service-map edges (GetServiceGraph) as signals: a failing edge is evidence about what it points at.
@Suite("service-map edges as signals")
struct ServiceMapSignalTests {
    func edge(
        _ caller: String, _ callee: String, type: String? = "remote", requests: Int = 400, faults: Int = 0,
        throttles: Int = 0
    ) -> ServiceEdge {
        ServiceEdge(
            caller: caller, callee: callee, calleeType: type, requests: requests, faults: faults, errors: throttles,
            throttles: throttles, meanResponseTime: 0.2)
    }

    func signals(_ world: WorldEvidence) -> [Signal] {
        SignalReader(facts: Facts(world.evidence)).serviceMap()
    }

    @Test("an edge to another ECS service that faults points at that service, which then carries the finding")
    func edgeToECSService() {
        var world = WorldEvidence(front: ["storefront"], downstream: ["inventory": ["inventory.shop.local"]])
        world.errors(targets: ["storefront": 80])
        world.evidence.traces.edges = [edge("storefront", "inventory.shop.local", requests: 500, faults: 200)]
        let found = signals(world)
        #expect(found.count == 1)
        let signal = found.first
        #expect(signal?.service == "storefront")
        #expect(signal?.category == .dependencyFailure)
        #expect(signal?.pointsAt == "inventory")
        #expect(signal?.strength == FindingsEngine.serviceMapEdge)
        #expect(
            signal?.fact
                == "service map: inventory.shop.local (remote) faulted on 200 of 500 calls from storefront (40%)")
        let top = world.top()
        #expect(top?.category == .dependencyFailure)
        #expect(top?.service == "inventory")
        #expect(top?.evidence.contains { $0.hasPrefix("callers' errors point at inventory: service map:") } == true)
    }

    @Test("an edge to an AWS resource that faults is the caller's failing dependency on that resource")
    func edgeToAWSResource() {
        var world = WorldEvidence(front: ["orders"])
        world.errors(targets: ["orders": 60])
        world.evidence.traces.edges = [edge("orders", "orders-table", type: "AWS::DynamoDB::Table", faults: 120)]
        let top = world.top()
        #expect(top?.category == .dependencyFailure)
        #expect(top?.service == "orders")
        #expect(top?.resource == "orders-table")
        #expect(
            top?.evidence.contains { $0.contains("orders-table (AWS::DynamoDB::Table) faulted on 120 of 400") } == true)
    }

    @Test("throttled calls on an edge are the caller being throttled by the callee")
    func throttledEdge() {
        var world = WorldEvidence(front: ["ledger"])
        world.errors(targets: ["ledger": 40])
        world.evidence.traces.edges = [edge("ledger", "DynamoDB", type: "AWS::DynamoDB", throttles: 90)]
        let signal = signals(world).first
        #expect(signal?.category == .throttling)
        #expect(signal?.service == "ledger")
        #expect(signal?.resource == "DynamoDB")
        #expect(signal?.pointsAt == nil)
    }

    @Test("edges below the rate or the count, and edges between unknown services, give no signal")
    func quietEdges() {
        var world = WorldEvidence(front: ["orders"], downstream: ["stock": []])
        world.evidence.traces.edges = [
            // 5 % faults: below the rate.
            edge("orders", "payments-api", requests: 400, faults: 20),
            // Every call faulted, but only two calls: below the count.
            edge("orders", "payments-api", requests: 2, faults: 2),
            // Neither end is a service of this cluster.
            edge("batch", "reports-db", requests: 100, faults: 100),
            // A service calling itself under an alias is not a dependency.
            edge("stock", "stock", requests: 100, faults: 100),
            // No requests at all.
            edge("orders", "stock", requests: 0, faults: 0),
        ]
        #expect(signals(world).isEmpty)
        // The threshold itself counts: 10 % of calls, at least three.
        world.evidence.traces.edges = [edge("orders", "payments-api", requests: 30, faults: 3)]
        #expect(signals(world).map(\.resource) == ["payments-api"])
    }

    @Test("beside failing traces of the same call, the edge adds no corroboration: both are X-Ray")
    func sameSourceAsTraces() {
        var world = WorldEvidence(front: ["orders"])
        world.errors(targets: ["orders": 60])
        world.evidence.traces.failingSegments = (0..<3).map {
            FailingSegment(
                traceId: "1-\($0)", service: "orders", operation: "GET", url: nil, status: 502,
                cause: "connection refused", downstream: "payments-api", downstreamNamespace: "remote")
        }
        let without = world.top()
        world.evidence.traces.edges = [edge("orders", "payments-api", faults: 300)]
        let with = world.top()
        #expect(with?.category == .dependencyFailure && with?.service == "orders")
        #expect(with?.confidence == without?.confidence)
        #expect(with?.evidence.contains { $0.hasPrefix("service map: payments-api") } == true)
    }
}
