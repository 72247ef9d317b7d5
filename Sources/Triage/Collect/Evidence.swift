import AWSServices
import Foundation
import LogPatterns

/// Everything collected for one incident: a plain `Codable` value that can be saved and reloaded,
/// so an incident can be re-analysed offline. Never holds environment values or secrets.
public struct Evidence: Sendable, Equatable, Codable {
    public var window: TimeWindow
    public var topology: Topology
    public var metrics: [MetricSeries] = []
    public var targetGroups: [TargetGroupHealth] = []
    public var ecs = ECSEvidence()
    public var logs: [LogGroupEvidence] = []
    public var traces = TraceEvidence()
    /// What could not be read and why.
    public var gaps: [Gap] = []
    /// AWS API calls made to collect this.
    public var apiCalls = 0

    public init(window: TimeWindow, topology: Topology) {
        self.window = window
        self.topology = topology
    }
}

/// The evidence window: [alarm − before, alarm + after], clipped to now.
public struct TimeWindow: Sendable, Equatable, Codable {
    public var start: Date
    public var end: Date
    /// The alarm's state-change time.
    public var alarmTime: Date

    public init(start: Date, end: Date, alarmTime: Date) {
        self.start = start
        self.end = end
        self.alarmTime = alarmTime
    }
}

/// A source that could not be read, e.g. `{"source": "xray", "reason": "AccessDeniedException on xray:GetTraceSummaries"}`.
public struct Gap: Sendable, Equatable, Codable {
    public var source: String
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }
}

/// What the incident is about: load balancer, target groups, ECS services and their log groups.
public struct Topology: Sendable, Equatable, Codable {
    /// `app/<name>/<id>`, the LoadBalancer dimension value.
    public var loadBalancer: String?
    public var loadBalancerArn: String?
    public var targetGroupArns: [String] = []
    public var cluster: String?
    public var services: [String] = []
    /// Service name → log group.
    public var logGroups: [String: String] = [:]
    /// How the services were chosen: `target-groups`, `configured`, `cluster`.
    public var servicesFrom: String = "none"

    public init() {}
}

/// One metric series with its points (oldest first) and a summary.
public struct MetricSeries: Sendable, Equatable, Codable {
    public var id: String
    public var namespace: String
    public var name: String
    public var stat: String
    public var dimensions: [String: String]
    public var period: Int
    public var timestamps: [Date]
    public var values: [Double]
    public var summary: SeriesSummary?
}

/// Baseline before the alarm, peak, and when the rise began.
public struct SeriesSummary: Sendable, Equatable, Codable {
    public var baseline: Double
    public var peak: Double
    public var peakAt: Date
    public var riseStartedAt: Date?
    public var last: Double
}

public struct TargetGroupHealth: Sendable, Equatable, Codable {
    public var arn: String
    public var name: String
    public var targets: [TargetState]
}

public struct TargetState: Sendable, Equatable, Codable {
    public var id: String
    public var port: Int?
    public var state: String
    public var reason: String?
    public var description: String?
}

public struct ECSEvidence: Sendable, Equatable, Codable {
    public var services: [ServiceState] = []
    public var stoppedTasks: [StoppedTask] = []
    public var taskDefinitions: [TaskDefinitionSummary] = []
    public init() {}
}

public struct ServiceState: Sendable, Equatable, Codable {
    public var name: String
    public var desired: Int
    public var running: Int
    public var pending: Int
    public var taskDefinition: String?
    public var deployments: [DeploymentState]
    /// The last 50 service events in the window, newest first.
    public var events: [ServiceEventRecord]
}

public struct DeploymentState: Sendable, Equatable, Codable {
    public var id: String?
    public var status: String?
    public var taskDefinition: String?
    public var revision: Int?
    public var desired: Int?
    public var running: Int?
    public var failedTasks: Int?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var rolloutState: String?
}

public struct ServiceEventRecord: Sendable, Equatable, Codable {
    public var at: Date?
    public var message: String
}

public struct StoppedTask: Sendable, Equatable, Codable {
    public var arn: String
    public var service: String?
    public var taskDefinition: String?
    public var stopCode: String?
    public var stoppedReason: String?
    public var stoppedAt: Date?
    public var containers: [StoppedContainer]
}

public struct StoppedContainer: Sendable, Equatable, Codable {
    public var name: String?
    public var exitCode: Int?
    public var reason: String?
}

/// A task definition without environment values or secrets (they are never read).
public struct TaskDefinitionSummary: Sendable, Equatable, Codable {
    public var arn: String
    public var family: String?
    public var revision: Int?
    public var cpu: String?
    public var memory: String?
    public var containers: [ContainerSummary]
}

public struct ContainerSummary: Sendable, Equatable, Codable {
    public var name: String?
    public var image: String?
    public var cpu: Int?
    public var memory: Int?
    public var essential: Bool?
    public var healthCheck: [String]?
}

public struct LogGroupEvidence: Sendable, Equatable, Codable {
    public var group: String
    public var service: String?
    public var linesRead: Int
    /// Whether `max_events` stopped the reading.
    public var capped: Bool
    public var patterns: [LogPattern]
}

public struct TraceEvidence: Sendable, Equatable, Codable {
    public var summariesRead = 0
    public var faults = 0
    public var errors = 0
    public var failingSegments: [FailingSegment] = []
    public init() {}
}

/// A segment or subsegment that failed, reduced to what explains it.
public struct FailingSegment: Sendable, Equatable, Codable {
    public var traceId: String
    public var service: String
    public var operation: String?
    public var url: String?
    public var status: Int?
    public var cause: String?
    /// The downstream a failing subsegment called (`namespace: remote` or `aws`).
    public var downstream: String?
}
