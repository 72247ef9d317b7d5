import Foundation
import Triage

extension Configuration {
    /// What and how much to collect, from the `collect` section.
    public var collectSettings: CollectSettings {
        var settings = CollectSettings()
        settings.windowBefore = collect.windowBefore
        settings.windowAfter = collect.windowAfter
        settings.loadBalancer = collect.loadBalancer
        settings.cluster = collect.ecs.cluster
        settings.services = collect.ecs.services
        settings.logGroups = collect.logs.groups
        settings.filterPattern = collect.logs.filterPattern
        settings.maxEvents = collect.logs.maxEvents
        settings.tracesEnabled = collect.traces.enabled
        settings.maxTraces = collect.traces.maxTraces
        return settings
    }

    /// What `run` needs beyond a valid file: something to watch and somewhere to deliver.
    public func runRequirements() -> [String] {
        var problems: [String] = []
        let polls = intake.pollInterval > 0 && !(intake.alarmNames.isEmpty && intake.alarmPrefixes.isEmpty)
        if !polls && intake.queueURL == nil {
            problems.append(
                "nothing to watch: set intake.alarms.names or intake.alarms.prefixes (with poll_interval above 0s), or intake.queue_url"
            )
        }
        if report.s3.bucket == nil && report.sns.topicArn == nil && report.localDir == nil {
            problems.append(
                "nowhere to deliver reports: set report.s3.bucket, report.sns.topic_arn or report.local_dir")
        }
        if state.claims == .s3 && report.s3.bucket == nil {
            problems.append("state.claims: s3 needs report.s3.bucket")
        }
        return problems
    }
}
