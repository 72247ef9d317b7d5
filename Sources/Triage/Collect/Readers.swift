import AWSServices
import Foundation

// The collector's view of each service: the real clients conform, so tests use the real ones
// against the emulator; the protocols only keep the collector from depending on construction details.

public protocol CloudWatchReader: Sendable {
    func getMetricData(_ queries: [MetricDataQuery], start: Date, end: Date) throws -> [MetricDataResult]
}

public protocol ELBv2Reader: Sendable {
    func describeLoadBalancers(names: [String], arns: [String]) throws -> [LoadBalancer]
    func describeTargetGroups(loadBalancerArn: String?, arns: [String]) throws -> [TargetGroup]
    func describeTargetHealth(targetGroupArn: String) throws -> [TargetHealth]
}

public protocol ECSReader: Sendable {
    func listServices(cluster: String, max: Int, pageSize: Int) throws -> [String]
    func describeServices(cluster: String, services: [String]) throws -> (
        services: [ECSService], failures: [ECSFailure]
    )
    func listTasks(cluster: String, service: String?, desiredStatus: String, max: Int, pageSize: Int) throws -> [String]
    func describeTasks(cluster: String, tasks: [String]) throws -> (tasks: [ECSTask], failures: [ECSFailure])
    func describeTaskDefinition(_ taskDefinition: String) throws -> ECSTaskDefinition
}

public protocol LogsReader: Sendable {
    func filterLogEvents(
        group: String, start: Date, end: Date, pattern: String?, maxEvents: Int, maxPages: Int, pageSize: Int
    ) throws -> FilteredLogEvents
    /// The last `count` events of some streams in [start, end].
    func lastEvents(group: String, streams: [String], start: Date, end: Date, count: Int, maxEvents: Int) throws
        -> [LogEvent]
    /// Logs Insights: starts a query, then its status and rows.
    func startQuery(groups: [String], start: Date, end: Date, query: String, limit: Int) throws -> String
    func getQueryResults(queryId: String) throws -> QueryResults
}

public protocol XRayReader: Sendable {
    func getTraceSummaries(start: Date, end: Date, filter: String?, max: Int, maxPages: Int) throws -> [TraceSummary]
    func batchGetTraces(ids: [String]) throws -> [Trace]
    func batchGetTracesNotingUnprocessed(ids: [String]) throws -> (traces: [Trace], unprocessed: [String])
    func getServiceGraph(start: Date, end: Date, maxPages: Int) throws -> [ServiceGraphService]
    func getTraceSegmentDestination() throws -> (destination: String?, status: String?)
}

extension XRayReader {
    /// Readers that cannot tell report every trace as processed.
    public func batchGetTracesNotingUnprocessed(ids: [String]) throws -> (traces: [Trace], unprocessed: [String]) {
        (try batchGetTraces(ids: ids), [])
    }
    /// Readers without a service map report none.
    public func getServiceGraph(start: Date, end: Date, maxPages: Int) throws -> [ServiceGraphService] { [] }
    /// Readers without Transaction Search report X-Ray as the destination.
    public func getTraceSegmentDestination() throws -> (destination: String?, status: String?) { ("XRay", nil) }
}

extension CloudWatchClient: CloudWatchReader {}
extension ELBv2Client: ELBv2Reader {}
extension ECSClient: ECSReader {}
extension CloudWatchLogsClient: LogsReader {}
extension XRayClient: XRayReader {}
