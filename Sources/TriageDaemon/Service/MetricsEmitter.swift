import Foundation
import Synchronization

/// CloudWatch Embedded Metric Format lines on standard output: CloudWatch Logs (awslogs, or the
/// CloudWatch agent reading the journal) turns them into metrics in the `triaged` namespace with
/// the dimension `Service`. Also keeps running totals for the systemd STATUS line.
public final class MetricsEmitter: Sendable {
    public enum Unit: String, Sendable {
        case count = "Count"
        case milliseconds = "Milliseconds"
        case seconds = "Seconds"
        case none = "None"
    }

    public let namespace: String
    private let service: String
    private let write: @Sendable (String) -> Void
    private let totals = Mutex<[String: Double]>([:])

    public init(
        namespace: String = "triaged", service: String = "triaged",
        write: @escaping @Sendable (String) -> Void = { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    ) {
        self.namespace = namespace
        self.service = service
        self.write = write
    }

    /// One EMF line holding `values` (name → (value, unit)), with extra properties for Logs Insights.
    public func emit(_ values: [String: (Double, Unit)], properties: [String: String] = [:], at date: Date = Date()) {
        guard !values.isEmpty else { return }
        totals.withLock { totals in
            for (name, (value, unit)) in values where unit == .count { totals[name, default: 0] += value }
        }
        var object: [String: JSONLine] = [
            "_aws": .object([
                "Timestamp": .number(Double(Int64(date.timeIntervalSince1970 * 1000))),
                "CloudWatchMetrics": .array([
                    .object([
                        "Namespace": .string(namespace), "Dimensions": .array([.array([.string("Service")])]),
                        "Metrics": .array(
                            values.keys.sorted().map {
                                .object(["Name": .string($0), "Unit": .string(values[$0]!.1.rawValue)])
                            }),
                    ])
                ]),
            ]),
            "Service": .string(service),
        ]
        for (name, (value, _)) in values { object[name] = .number(value.isFinite ? value : 0) }
        for (key, value) in properties where object[key] == nil { object[key] = .string(value) }
        write(JSONLine.object(object).text)
    }

    public func count(_ name: String, _ value: Double = 1, properties: [String: String] = [:]) {
        emit([name: (value, .count)], properties: properties)
    }

    /// Running total of a count metric since start.
    public func total(_ name: String) -> Int {
        Int(totals.withLock { $0[name] ?? 0 })
    }
}
