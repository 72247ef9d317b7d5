import AWSCore
import AWSServices
import Foundation
import Logging

/// Polls DescribeAlarms for the configured names and prefixes (metric, composite and log alarms, all
/// pages) and returns the alarms in ALARM (composite ones resolved to their children), and those in
/// OK (so an incident resolves without a queue), as events; the tracker decides which are new. Transitions
/// older than `maxAge` are ignored, so an alarm stuck in ALARM for weeks is not re-investigated
/// after its incident was pruned from the state.
public struct AlarmPoller: Sendable {
    private let cloudWatch: CloudWatchClient
    private let names: [String]
    private let prefixes: [String]
    private let maxAge: TimeInterval
    private let logger: Logger
    private let composites: CompositeAlarmResolver

    public init(cloudWatch: CloudWatchClient, names: [String], prefixes: [String], maxAge: TimeInterval, logger: Logger)
    {
        self.cloudWatch = cloudWatch
        self.composites = CompositeAlarmResolver(cloudWatch: cloudWatch, logger: logger)
        self.names = names
        self.prefixes = prefixes
        self.maxAge = maxAge
        self.logger = logger
    }

    /// One poll as of `now`.
    public func poll(now: Date) throws -> [AlarmEvent] {
        var alarms: [Alarm] = []
        if !names.isEmpty { alarms += try cloudWatch.describeAlarms(names: names) }
        for prefix in prefixes { alarms += try cloudWatch.describeAlarms(prefix: prefix) }
        var seen: Set<String> = []
        var events: [AlarmEvent] = []
        let states: Set<String> = [AlarmState.alarm.rawValue, AlarmState.ok.rawValue]
        for alarm in alarms where states.contains(alarm.stateValue) && seen.insert(alarm.arn).inserted {
            do {
                let event = try AlarmMessageParser.event(from: alarm)
                guard now.timeIntervalSince(event.stateChangeTime) <= maxAge else { continue }
                events.append(composites.resolve(event))
            } catch let error as AlarmMessageError {
                logger.warning("alarm skipped", metadata: ["alarm.name": "\(alarm.name)", "reason": "\(error.reason)"])
            }
        }
        return events
    }
}
