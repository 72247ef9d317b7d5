import AWSServices
import Foundation

/// Reads fault and error trace summaries, then up to `maxTraces` full traces (5 per call), reduced
/// to their failing segments; with Transaction Search on, the failing spans of `aws/spans` instead.
struct TraceReaderStage {
    let reader: any XRayReader
    let calls: CallCounter
    /// Reads `aws/spans` when segments go to CloudWatch Logs; without it that stays a gap.
    var spans: SpanReader? = nil

    /// Summaries read at most (counts of faults and errors come from these).
    static let maxSummaries = 200
    /// Failing segments kept at most.
    static let maxSegments = 50

    func read(window: TimeWindow, maxTraces: Int) throws -> TraceEvidence {
        var evidence = TraceEvidence()
        // Where segments go decides whether BatchGetTraces can find anything (Transaction Search sends
        // them to the `aws/spans` log group instead). A denied or failed read leaves it unknown.
        calls.add()
        evidence.segmentDestination = try? reader.getTraceSegmentDestination().destination
        // The service map: downstream edges with their counts, evidence of their own.
        calls.add()
        if let services = try? reader.getServiceGraph(start: window.start, end: window.end, maxPages: 5) {
            evidence.edges = ServiceEdge.edges(from: services)
        }
        calls.add()
        let summaries = try reader.getTraceSummaries(
            start: window.start, end: window.end, filter: "fault = true OR error = true", max: Self.maxSummaries,
            maxPages: 10)
        evidence.summariesRead = summaries.count
        evidence.faults = summaries.filter { $0.HasFault == true }.count
        evidence.errors = summaries.filter { $0.HasError == true }.count
        if evidence.segmentDestination == "CloudWatchLogs" {
            // BatchGetTraces cannot find these traces (and summaries hold only the indexed share): the
            // spans are read whether or not any summary came back. A failed read is a gap, not a failure.
            guard let spans else { return evidence }
            do {
                let read = try spans.read(window: window, max: Self.maxSegments)
                evidence.failingSegments = read.segments
                evidence.spansRead = read.spans
            } catch {
                evidence.spansFailure = EvidenceCollector.describe(error)
            }
            return evidence
        }
        let ids = Array(summaries.prefix(max(0, maxTraces)).map(\.Id))
        guard !ids.isEmpty else { return evidence }
        calls.add((ids.count + XRayClient.maxTraceIdsPerBatch - 1) / XRayClient.maxTraceIdsPerBatch)
        let batch = try reader.batchGetTracesNotingUnprocessed(ids: ids)
        evidence.unprocessedTraceIds = batch.unprocessed
        for trace in batch.traces {
            for segment in trace.Segments ?? [] {
                guard let text = segment.Document,
                    let document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                else { continue }
                Self.collectFailures(document, traceId: trace.Id ?? "", into: &evidence.failingSegments)
                if evidence.failingSegments.count >= Self.maxSegments { return evidence }
            }
        }
        return evidence
    }

    /// Adds the document if it failed, naming the first failing remote/aws subsegment as downstream.
    static func collectFailures(_ document: [String: Any], traceId: String, into segments: inout [FailingSegment]) {
        let failed = document["fault"] as? Bool == true || document["error"] as? Bool == true
        let subsegments = document["subsegments"] as? [[String: Any]] ?? []
        guard failed else { return }
        let http = document["http"] as? [String: Any]
        let request = http?["request"] as? [String: Any]
        let response = http?["response"] as? [String: Any]
        let downstream = subsegments.first { sub in
            (sub["fault"] as? Bool == true || sub["error"] as? Bool == true)
                && ["remote", "aws"].contains(sub["namespace"] as? String ?? "")
        }
        segments.append(
            FailingSegment(
                traceId: traceId, service: document["name"] as? String ?? "?",
                operation: request?["method"] as? String ?? (document["aws"] as? [String: Any])?["operation"]
                    as? String,
                url: request?["url"] as? String, status: response?["status"] as? Int,
                cause: cause(document) ?? downstream.flatMap(cause), downstream: downstream?["name"] as? String,
                downstreamNamespace: downstream?["namespace"] as? String,
                throttled: downstream.map(throttled),
                downstreamTarget: downstream.flatMap(target)))
    }

    /// X-Ray marks a throttled call with `throttle: true`; a 429 answer means the same.
    static func throttled(_ document: [String: Any]) -> Bool {
        if document["throttle"] as? Bool == true { return true }
        let response = (document["http"] as? [String: Any])?["response"] as? [String: Any]
        return response?["status"] as? Int == 429
    }

    /// The URL a remote subsegment called, or `Service.Operation` of an AWS one.
    static func target(_ document: [String: Any]) -> String? {
        if let url = ((document["http"] as? [String: Any])?["request"] as? [String: Any])?["url"] as? String {
            return url
        }
        if let operation = (document["aws"] as? [String: Any])?["operation"] as? String {
            return "\(document["name"] as? String ?? "?").\(operation)"
        }
        return nil
    }

    static func cause(_ document: [String: Any]) -> String? {
        guard let cause = document["cause"] as? [String: Any] else { return nil }
        if let exceptions = cause["exceptions"] as? [[String: Any]], let first = exceptions.first {
            // `ProvisionedThroughputExceededException: The level of …`: the type classifies, the message explains.
            let parts = [first["type"] as? String, first["message"] as? String].compactMap { $0 }.filter { !$0.isEmpty }
            return parts.isEmpty ? nil : parts.joined(separator: ": ")
        }
        return cause["message"] as? String
    }
}

extension TraceReaderStage {
    /// What the traces could not show: spans in `aws/spans` (Transaction Search) that could not be
    /// read, and trace ids BatchGetTraces left unprocessed.
    static func gaps(_ traces: TraceEvidence) -> [Gap] {
        var gaps: [Gap] = []
        if traces.segmentDestination == "CloudWatchLogs" {
            if let failure = traces.spansFailure {
                gaps.append(
                    Gap(
                        source: "xray",
                        reason: "Transaction Search is on and the aws/spans spans were not read: \(failure)"))
            } else if traces.spansRead == nil {
                gaps.append(
                    Gap(
                        source: "xray",
                        reason: "Transaction Search is on: spans are in the aws/spans log group, which was not queried")
                )
            }
        }
        if !traces.unprocessedTraceIds.isEmpty {
            gaps.append(
                Gap(
                    source: "xray",
                    reason: "BatchGetTraces left \(traces.unprocessedTraceIds.count) trace ids unprocessed: "
                        + traces.unprocessedTraceIds.prefix(5).joined(separator: ", ")))
        }
        return gaps
    }
}
