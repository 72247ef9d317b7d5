import AWSCore
import AWSServices
import Foundation
import LogPatterns

/// Reads each log group's matching events (all pages, the event cap shared between groups),
/// reassembles multi-line events per log stream, and condenses them into patterns.
struct LogsReaderStage {
    let reader: any LogsReader
    let settings: CollectSettings
    let calls: CallCounter

    func read(groups: [String: String], window: TimeWindow) throws -> [LogGroupEvidence] {
        guard !groups.isEmpty else { return [] }
        let share = max(1, settings.maxEvents / groups.count)
        var result: [LogGroupEvidence] = []
        for (service, group) in groups.sorted(by: { $0.key < $1.key }) {
            let events = try reader.filterLogEvents(
                group: group, start: window.start, end: window.end, pattern: settings.filterPattern, maxEvents: share,
                maxPages: 1000, pageSize: 10_000)
            calls.add(events.pages)
            var condenser = LogCondenser()
            // One exception written over several events (a traceback, a stack trace) is one event
            // again before mining; each assembled event keeps its head line's time.
            var assembler = EventAssembler()
            let add = { (event: AssembledEvent) in
                let time = event.timestamp.map { AWSTimestamp.format(Date(timeIntervalSince1970: Double($0) / 1000)) }
                condenser.add(event, timestamp: time)
            }
            for event in events.events {
                assembler.add(
                    stream: event.logStreamName, timestamp: event.timestamp, message: event.message, emit: add)
            }
            assembler.finish(emit: add)
            result.append(
                LogGroupEvidence(
                    group: group, service: service == group ? nil : service, linesRead: events.events.count,
                    capped: events.capped, patterns: condenser.patterns(top: settings.topPatterns)))
        }
        return result
    }
}
