import AWSCore
import AWSServices
import Foundation
import Logging

/// Polls DescribeAlarms for the configured names and prefixes (metric, composite and log alarms, all
/// pages) and returns the alarms in ALARM (composite ones resolved to their children), and those in
/// OK (so an incident resolves without a queue), as events; the tracker decides which are new. Transitions
/// older than `maxAge` are ignored, so an alarm stuck in ALARM for weeks is not re-investigated
/// after its incident was pruned from the state. With several targets (accounts × regions), each is
/// asked with its own credentials and its alarms keep their own ARNs.
public struct AlarmPoller: Sendable {
    /// One account and region polled, with the CloudWatch client whose credentials act there.
    public struct Target: Sendable {
        /// `account/region`, for logs.
        public let label: String
        let cloudWatch: CloudWatchClient
        let composites: CompositeAlarmResolver

        public init(label: String, cloudWatch: CloudWatchClient, logger: Logger) {
            self.label = label
            self.cloudWatch = cloudWatch
            self.composites = CompositeAlarmResolver(cloudWatch: cloudWatch, logger: logger)
        }
    }

    private let targets: [Target]
    private let names: [String]
    private let prefixes: [String]
    private let maxAge: TimeInterval
    private let logger: Logger

    public init(cloudWatch: CloudWatchClient, names: [String], prefixes: [String], maxAge: TimeInterval, logger: Logger)
    {
        self.init(
            targets: [Target(label: "home", cloudWatch: cloudWatch, logger: logger)], names: names, prefixes: prefixes,
            maxAge: maxAge, logger: logger)
    }

    /// Polls every target (the home account and each listed account, in each polled region). A
    /// target that fails is logged and skipped, so one account's broken role does not blind the
    /// others; a poll fails only when every target failed.
    public init(targets: [Target], names: [String], prefixes: [String], maxAge: TimeInterval, logger: Logger) {
        self.targets = targets
        self.names = names
        self.prefixes = prefixes
        self.maxAge = maxAge
        self.logger = logger
    }

    /// One poll as of `now`.
    public func poll(now: Date) throws -> [AlarmEvent] {
        var events: [AlarmEvent] = []
        var failures: [any Error] = []
        var seen: Set<String> = []
        for target in targets {
            do {
                events += try poll(target, now: now, seen: &seen)
            } catch {
                failures.append(error)
                logger.warning(
                    "alarm poll failed", metadata: ["poll.target": "\(target.label)", "error": "\(error)"])
            }
        }
        if let first = failures.first, failures.count == targets.count { throw first }
        return events
    }

    private func poll(_ target: Target, now: Date, seen: inout Set<String>) throws -> [AlarmEvent] {
        var alarms: [Alarm] = []
        if !names.isEmpty { alarms += try target.cloudWatch.describeAlarms(names: names) }
        for prefix in prefixes { alarms += try target.cloudWatch.describeAlarms(prefix: prefix) }
        var events: [AlarmEvent] = []
        let states: Set<String> = [AlarmState.alarm.rawValue, AlarmState.ok.rawValue]
        for alarm in alarms where states.contains(alarm.stateValue) && seen.insert(alarm.arn).inserted {
            do {
                let event = try AlarmMessageParser.event(from: alarm)
                guard now.timeIntervalSince(event.stateChangeTime) <= maxAge else { continue }
                events.append(target.composites.resolve(event))
            } catch let error as AlarmMessageError {
                logger.warning("alarm skipped", metadata: ["alarm.name": "\(alarm.name)", "reason": "\(error.reason)"])
            }
        }
        return events
    }
}
