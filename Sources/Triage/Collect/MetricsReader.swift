import AWSServices
import Foundation

/// Reads the incident's metrics in one GetMetricData call and summarises each series.
struct MetricsReader {
    let reader: any CloudWatchReader
    let calls: CallCounter

    struct Planned {
        var query: MetricDataQuery
        var dimensions: [String: String]
    }

    func plan(topology: Topology, period: Int) -> [Planned] {
        var planned: [Planned] = []
        func add(_ id: String, _ namespace: String, _ name: String, _ stat: String, _ dimensions: [String: String]) {
            let list = dimensions.sorted { $0.key < $1.key }.map { MetricDimension(name: $0.key, value: $0.value) }
            planned.append(
                Planned(
                    query: .metric(
                        id: id, namespace: namespace, name: name, dimensions: list, period: period, stat: stat),
                    dimensions: dimensions))
        }
        if let loadBalancer = topology.loadBalancer {
            let lb = ["LoadBalancer": loadBalancer]
            add("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", lb)
            add("elb502", "AWS/ApplicationELB", "HTTPCode_ELB_502_Count", "Sum", lb)
            add("elb503", "AWS/ApplicationELB", "HTTPCode_ELB_503_Count", "Sum", lb)
            add("elb504", "AWS/ApplicationELB", "HTTPCode_ELB_504_Count", "Sum", lb)
            add("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", lb)
            add("requests", "AWS/ApplicationELB", "RequestCount", "Sum", lb)
            add("latencyp50", "AWS/ApplicationELB", "TargetResponseTime", "p50", lb)
            add("latencyp99", "AWS/ApplicationELB", "TargetResponseTime", "p99", lb)
            add("connerrors", "AWS/ApplicationELB", "TargetConnectionErrorCount", "Sum", lb)
        }
        // Per target group: which service's targets answered the errors, and their health.
        let groups =
            topology.targetGroups.isEmpty
            ? topology.targetGroupArns.map {
                TargetGroupRef(arn: $0, loadBalancer: topology.loadBalancer, services: [], alarmed: true)
            } : topology.targetGroups
        for (index, group) in groups.enumerated() {
            guard let targetGroup = group.dimension, let loadBalancer = group.loadBalancer else { continue }
            let dimensions = ["LoadBalancer": loadBalancer, "TargetGroup": targetGroup]
            add("healthy\(index)", "AWS/ApplicationELB", "HealthyHostCount", "Minimum", dimensions)
            add("unhealthy\(index)", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", dimensions)
            add("tg5xx\(index)", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", dimensions)
            add("tgrequests\(index)", "AWS/ApplicationELB", "RequestCount", "Sum", dimensions)
            add("tglatency\(index)", "AWS/ApplicationELB", "TargetResponseTime", "p99", dimensions)
            add("tgconnerrors\(index)", "AWS/ApplicationELB", "TargetConnectionErrorCount", "Sum", dimensions)
        }
        if let cluster = topology.cluster {
            for (index, service) in topology.services.enumerated() {
                let dimensions = ["ClusterName": cluster, "ServiceName": service]
                add("cpu\(index)", "AWS/ECS", "CPUUtilization", "Average", dimensions)
                add("memory\(index)", "AWS/ECS", "MemoryUtilization", "Average", dimensions)
                add("running\(index)", "ECS/ContainerInsights", "RunningTaskCount", "Average", dimensions)
            }
        }
        return planned
    }

    func read(topology: Topology, window: TimeWindow, period: Int) throws -> [MetricSeries] {
        let planned = plan(topology: topology, period: period)
        guard !planned.isEmpty else { return [] }
        calls.add((planned.count + CloudWatchClient.maxQueriesPerCall - 1) / CloudWatchClient.maxQueriesPerCall)
        let results = try reader.getMetricData(planned.map(\.query), start: window.start, end: window.end)
        let byId = Dictionary(results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return planned.map { plan in
            let result = byId[plan.query.id]
            let timestamps = result?.timestamps ?? []
            let values = result?.values ?? []
            return MetricSeries(
                id: plan.query.id, namespace: plan.query.namespace ?? "", name: plan.query.metricName ?? "",
                stat: plan.query.stat ?? "", dimensions: plan.dimensions, period: period, timestamps: timestamps,
                values: values, summary: Self.summarise(timestamps, values, alarmTime: window.alarmTime))
        }
    }

    /// Baseline = median before the alarm's evaluation (points older than 5 minutes before it, else
    /// the first third); the rise began at the earliest point of the run leading to the peak that is
    /// at least halfway from baseline to peak.
    ///
    /// The rise is the run of points leading to the peak that stay above a quarter of the way from
    /// the baseline (so a slow burn's onset is where it left the baseline, not its midpoint); the
    /// baseline is then taken again from the points before that rise only, so a long incident does
    /// not raise its own baseline. Non-finite values (untrusted telemetry) are left out.
    static func summarise(_ timestamps: [Date], _ values: [Double], alarmTime: Date) -> SeriesSummary? {
        guard values.count == timestamps.count else { return nil }
        let points = zip(timestamps, values).filter { $0.1.isFinite }
        guard !points.isEmpty else { return nil }
        let times = points.map(\.0)
        let finite = points.map(\.1)
        var before = points.filter { $0.0 < alarmTime.addingTimeInterval(-300) }.map(\.1)
        if before.isEmpty { before = Array(finite.prefix(max(1, finite.count / 3))) }
        var baseline = median(before)
        let peakIndex = finite.indices.max { finite[$0] < finite[$1] } ?? 0
        let peak = finite[peakIndex]
        var rise: Date?
        if peak > baseline {
            let threshold = baseline + (peak - baseline) * riseFraction
            var start = peakIndex
            while start > 0 && finite[start - 1] > threshold { start -= 1 }
            rise = times[start]
            let beforeRise = Array(finite[..<start])
            if beforeRise.count >= minBaselinePoints { baseline = median(beforeRise) }
        }
        return SeriesSummary(
            baseline: baseline, peak: peak, peakAt: times[peakIndex], riseStartedAt: rise, last: finite.last ?? 0)
    }

    /// How far from baseline to peak a point must be to belong to the rise.
    static let riseFraction = 0.25
    /// Points before the rise needed to take the baseline from them alone.
    static let minBaselinePoints = 3

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
