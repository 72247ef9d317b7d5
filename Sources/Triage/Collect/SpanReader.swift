import AWSServices
import Foundation

/// With Transaction Search on, segments are OpenTelemetry spans in the `aws/spans` log group:
/// reads the failing ones with Logs Insights and reduces them to the same failing-segment rows the
/// X-Ray documents give.
public struct SpanReader {
    let reader: any LogsReader
    let calls: CallCounter
    /// How long the query may run before it counts as timed out.
    var deadline: TimeInterval = 10
    var pollInterval: TimeInterval = 0.25
    var sleep: @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }

    public static let group = "aws/spans"
    /// Failing spans read at most (a trace's server span and its failing client calls are separate spans).
    static let maxSpans = 200
    /// Faults (`status.code` ERROR; OpenTelemetry sets it on 5xx server spans and failed client calls)
    /// or a 5xx answer under either semantic-convention name; the whole event is read and parsed here.
    static let query =
        "fields @timestamp, @message"
        + " | filter status.code = \"ERROR\" or attributes.http.response.status_code >= 500"
        + " or attributes.http.status_code >= 500"
        + " | sort @timestamp desc | limit \(maxSpans)"

    enum Failure: Error, CustomStringConvertible {
        case ended(String)
        case timedOut(TimeInterval)
        var description: String {
            switch self {
            case .ended(let status): return "the Logs Insights query on aws/spans ended \(status)"
            case .timedOut(let seconds):
                return "the Logs Insights query on aws/spans did not complete within \(Int(seconds)) s"
            }
        }
    }

    /// The failing spans of [start, end] as failing segments (at most `max`), and how many spans were read.
    func read(window: TimeWindow, max: Int) throws -> (segments: [FailingSegment], spans: Int) {
        calls.add()
        let id = try reader.startQuery(
            groups: [Self.group], start: window.start, end: window.end, query: Self.query, limit: Self.maxSpans)
        let started = Date()
        while true {
            calls.add()
            let results = try reader.getQueryResults(queryId: id)
            switch results.status {
            case "Complete":
                let spans = results.rows.compactMap { row in
                    row["@message"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                }
                return (Array(Self.failingSegments(spans).prefix(Swift.max(0, max))), spans.count)
            case "Scheduled", "Running":
                guard Date().timeIntervalSince(started) < deadline else { throw Failure.timedOut(deadline) }
                sleep(pollInterval)
            default:
                throw Failure.ended(results.status)
            }
        }
    }

    /// One row per failing server span, naming the failing client call of its trace (same local
    /// service) as downstream; failing client calls without a failing server span are rows of their own.
    static func failingSegments(_ spans: [[String: Any]]) -> [FailingSegment] {
        let clients = spans.filter { remoteService($0) != nil }
        let servers = spans.filter { remoteService($0) == nil }
        var rows: [FailingSegment] = []
        var explained = Set<Int>()
        for server in servers {
            let service = localService(server)
            let callIndex = clients.indices.first { index in
                !explained.contains(index) && string(clients[index], "traceId") == string(server, "traceId")
                    && localService(clients[index]) == service
            }
            let call = callIndex.map { clients[$0] }
            if let callIndex { explained.insert(callIndex) }
            rows.append(row(server, call: call))
        }
        for (index, call) in clients.enumerated() where !explained.contains(index) {
            rows.append(row(nil, call: call))
        }
        return rows
    }

    private static func row(_ server: [String: Any]?, call: [String: Any]?) -> FailingSegment {
        let span = server ?? call ?? [:]
        let remote = call.flatMap(remoteService)
        return FailingSegment(
            traceId: string(span, "traceId") ?? "",
            service: localService(span),
            operation: attribute(span, "aws.local.operation") ?? server.flatMap { string($0, "name") },
            url: attribute(span, "url.full") ?? attribute(span, "http.url"),
            status: server.flatMap(httpStatus),
            cause: server.flatMap(exception) ?? call.flatMap(exception) ?? server.flatMap(statusMessage)
                ?? call.flatMap(statusMessage),
            downstream: remote,
            downstreamNamespace: remote.map { $0.hasPrefix("AWS::") ? "aws" : "remote" },
            throttled: call.map { httpStatus($0) == 429 },
            downstreamTarget: call.flatMap { call in
                if let url = attribute(call, "url.full") ?? attribute(call, "http.url") { return url }
                return attribute(call, "aws.remote.operation").map { "\(remote ?? "?").\($0)" }
            })
    }

    static func string(_ span: [String: Any], _ key: String) -> String? { span[key] as? String }

    /// An attribute by its semantic-convention name, whether stored flat (`"aws.local.service"`) or nested.
    static func attribute(_ span: [String: Any], _ name: String) -> String? {
        attributeValue(span, name).flatMap { value in
            if let text = value as? String { return text }
            if let number = value as? NSNumber { return number.stringValue }
            return nil
        }
    }

    static func attributeValue(_ span: [String: Any], _ name: String) -> Any? {
        guard let attributes = span["attributes"] as? [String: Any] else { return nil }
        if let value = attributes[name] { return value }
        var node: Any? = attributes
        for part in name.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
        return node
    }

    static func remoteService(_ span: [String: Any]) -> String? {
        attribute(span, "aws.remote.service")
    }

    static func localService(_ span: [String: Any]) -> String {
        attribute(span, "aws.local.service")
            ?? ((span["resource"] as? [String: Any])?["attributes"] as? [String: Any])?["service.name"] as? String
            ?? string(span, "name") ?? "?"
    }

    static func httpStatus(_ span: [String: Any]) -> Int? {
        for name in ["http.response.status_code", "http.status_code"] {
            if let number = attributeValue(span, name) as? Int { return number }
            if let text = attributeValue(span, name) as? String, let number = Int(text) { return number }
        }
        return nil
    }

    /// `type: message` of the first `exception` event.
    static func exception(_ span: [String: Any]) -> String? {
        let events = span["events"] as? [[String: Any]] ?? []
        guard let event = events.first(where: { $0["name"] as? String == "exception" }),
            let attributes = event["attributes"] as? [String: Any]
        else { return nil }
        let parts = [attributes["exception.type"] as? String, attributes["exception.message"] as? String]
            .compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    static func statusMessage(_ span: [String: Any]) -> String? {
        let message = (span["status"] as? [String: Any])?["message"] as? String
        return message?.isEmpty == false ? message : nil
    }
}
