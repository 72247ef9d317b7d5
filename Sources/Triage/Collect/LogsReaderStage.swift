import AWSCore
import AWSServices
import Foundation
import LogPatterns

/// Reads each log group's matching events (all pages, the event cap shared between groups) and
/// condenses them into patterns.
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
            for event in events.events {
                let time = AWSTimestamp.format(Date(timeIntervalSince1970: Double(event.timestamp) / 1000))
                condenser.add(event.message, timestamp: time)
            }
            result.append(
                LogGroupEvidence(
                    group: group, service: service == group ? nil : service, linesRead: events.events.count,
                    capped: events.capped, patterns: condenser.patterns(top: settings.topPatterns)))
        }
        return result
    }
}
