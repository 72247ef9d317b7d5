import Foundation

extension EventAssembler {
    /// Keys whose string value is a whole trace: python-json-logger and structlog (`exc_info`),
    /// Winston and Bunyan (`stack`), Logstash encoders (`stack_trace`), Serilog (`exception`).
    static let traceKeys = ["exc_info", "stack_trace", "stackTrace", "stack", "exception", "traceback", "error.stack"]
    /// Objects holding the error with its `stack` (pino's `err`, ECS `error`).
    static let errorObjectKeys = ["err", "error", "exception"]

    /// A JSON line carrying its trace in a field: the trace's exception and frames, the message
    /// (mined instead of the JSON text) and the event closed (it is complete). Lines without such
    /// a field stay plain, and the condenser reads them as JSON itself.
    func readJSONTrace(_ line: ArraySlice<UInt8>, into pending: inout Pending) {
        // Cheap test first: only lines that mention a trace key are parsed here.
        guard mentionsTraceKey(line),
            let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
            let trace = traceText(in: object), trace.contains("\n")
        else { return }
        var inner = EventAssembler(limits: limits)
        var events: [AssembledEvent] = []
        inner.add(stream: nil, timestamp: nil, message: trace) { events.append($0) }
        inner.finish { events.append($0) }
        guard let event = events.first, let exception = event.exception else { return }
        pending.shape = .closed
        pending.chain = zip(exception.chain.indices, exception.chain).map { index, type in
            index == exception.chain.count - 1 ? (type, exception.message) : (type, nil)
        }
        pending.frames = event.frames
        pending.impliedLevel = event.knownLevel ?? .error
        let stripped = PrefixStripper.strip(line)
        if stripped.message.elementsEqual(line) {
            // No message field: the exception alone is the text.
            pending.bannerHead = true
        } else {
            pending.jsonMessage = Array(stripped.message)
        }
        pending.headLevel = .some(stripped.level)
    }

    private func mentionsTraceKey(_ line: ArraySlice<UInt8>) -> Bool {
        let needles: [[UInt8]] = [
            Array("\"exc_info\"".utf8), Array("\"stack".utf8), Array("\"exception\"".utf8),
            Array("\"traceback\"".utf8),
        ]
        return needles.contains { needle in
            guard line.count >= needle.count else { return false }
            var index = line.startIndex
            while let found = line[index...].firstIndex(of: needle[0]), found + needle.count <= line.endIndex {
                if line[found..<(found + needle.count)].elementsEqual(needle) { return true }
                index = found + 1
            }
            return false
        }
    }

    private func traceText(in object: [String: Any]) -> String? {
        for key in Self.traceKeys {
            if let text = object[key] as? String { return text }
            if let lines = object[key] as? [String] { return lines.joined(separator: "\n") }
        }
        for key in Self.errorObjectKeys {
            guard let inner = object[key] as? [String: Any] else { continue }
            for field in ["stack", "stack_trace", "stacktrace", "stackTrace"] {
                if let text = inner[field] as? String { return text }
            }
        }
        return nil
    }
}
