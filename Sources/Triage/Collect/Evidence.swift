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
    /// The metric the opening alarm watches (`HTTPCode_ELB_5XX_Count`), whose rise onsets are measured against.
    public var alarmMetric: String?

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
    /// Every target group evidence is read for: the alarm's load balancer's, then those of
    /// internal load balancers in front of the services they call.
    public var targetGroups: [TargetGroupRef] = []
    /// Why each service is looked at.
    public var roles: [String: ServiceRole] = [:]
    /// Names a caller may use to reach each service: the service name, Service Connect discovery
    /// names and client aliases, the DNS names of internal load balancers in front of it.
    public var aliases: [String: [String]] = [:]

    public init() {}

    /// The services registered behind a target group.
    public func services(behind targetGroupArn: String) -> [String] {
        targetGroups.first { $0.arn == targetGroupArn }?.services ?? []
    }

    /// The ECS service a host name or URL names, if exactly one service's aliases match it best.
    public func service(forHost text: String) -> String? {
        let found = services(forHost: text)
        return found.count == 1 ? found.first : nil
    }

    /// Every ECS service a host name or URL may name: those whose aliases match it best (an
    /// internal load balancer in front of several services names them all).
    public func services(forHost text: String) -> [String] {
        var host = Self.host(of: text)
        guard !host.isEmpty else { return [] }
        // An ELB DNS name, `[internal-]<name>-<id>.<region>.elb.amazonaws.com`, names its load balancer.
        if host.hasSuffix(".elb.amazonaws.com") || host.hasSuffix(".elb.amazonaws.com.cn"),
            let label = host.split(separator: ".").first
        {
            var name = label.hasPrefix("internal-") ? label.dropFirst("internal-".count) : label
            if let dash = name.lastIndex(of: "-"), name[name.index(after: dash)...].allSatisfy(\.isNumber) {
                name = name[..<dash]
            }
            let balancer = String(name)
            let owners = aliases.filter { $0.value.contains { $0.lowercased() == balancer } }.keys.sorted()
            if !owners.isEmpty { return owners }
            host = balancer
        }
        var best: (services: [String], length: Int) = ([], 0)
        for (service, names) in aliases {
            for name in names {
                let candidate = name.lowercased()
                // A full match, or the alias as the host's first label (`orders` in `orders.prodapp.local`).
                guard host == candidate || host.hasPrefix(candidate + ".") else { continue }
                if candidate.count > best.length {
                    best = ([service], candidate.count)
                } else if candidate.count == best.length, !best.services.contains(service) {
                    best.services.append(service)
                }
            }
        }
        return best.services.sorted()
    }

    /// `http://orders.prodapp.local:8080/x` → `orders.prodapp.local`.
    static func host(of text: String) -> String {
        var rest = Substring(text.lowercased())
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let end = rest.firstIndex { ":/?# ".contains($0) } ?? rest.endIndex
        return String(rest[..<end]).trimmingCharacters(in: CharacterSet(charactersIn: ".'\"()[]<>,;"))
    }
}

/// Why a service is part of the evidence.
public enum ServiceRole: String, Sendable, Equatable, Codable {
    /// Registered behind one of the alarm's target groups: its answers are the alarm's traffic.
    case front
    /// Reached by the front services (Service Connect, an internal load balancer).
    case downstream
    /// Another service of the cluster, read while the budget allows.
    case other
    /// Named in the configuration.
    case configured
}

/// A target group, the `LoadBalancer` dimension value of the load balancer it belongs to, and the
/// ECS services registered behind it.
public struct TargetGroupRef: Sendable, Equatable, Codable {
    public var arn: String
    public var loadBalancer: String?
    public var services: [String]
    /// Whether it belongs to the alarm's load balancer.
    public var alarmed: Bool

    public init(arn: String, loadBalancer: String?, services: [String], alarmed: Bool) {
        self.arn = arn
        self.loadBalancer = loadBalancer
        self.services = services
        self.alarmed = alarmed
    }

    /// `targetgroup/<name>/<id>`, the TargetGroup dimension value.
    public var dimension: String? {
        arn.range(of: "targetgroup/").map { String(arn[$0.lowerBound...]) }
    }
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
    public var state: TargetHealthState
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
    public var status: DeploymentStatus?
    public var taskDefinition: String?
    public var revision: Int?
    public var desired: Int?
    public var running: Int?
    public var failedTasks: Int?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var rolloutState: RolloutState?
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
    /// The last lines its essential container logged before it stopped (failing tasks only, a few per service).
    public var lastLines: [String]? = nil
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
    /// The awslogs driver's group and stream prefix: a task's stream is `<prefix>/<container>/<task id>`.
    public var logGroup: String? = nil
    public var logStreamPrefix: String? = nil
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
    /// The service map's caller → callee edges with their fault, error and throttle counts (GetServiceGraph).
    public var edges: [ServiceEdge] = []
    /// Trace ids BatchGetTraces returned unprocessed.
    public var unprocessedTraceIds: [String] = []
    /// `XRay` or `CloudWatchLogs` (Transaction Search: spans in the `aws/spans` log group), if read.
    public var segmentDestination: String?
    /// Failing spans read from `aws/spans` with Logs Insights (Transaction Search on), if queried.
    public var spansRead: Int?
    /// Why the `aws/spans` query gave nothing to read (failed, denied, timed out), if it did.
    public var spansFailure: String?
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
    /// `remote` or `aws`, for the downstream.
    public var downstreamNamespace: String? = nil
    /// Whether the downstream call was throttled (`throttle: true`, or HTTP 429).
    public var throttled: Bool? = nil
    /// The downstream call's URL or AWS operation.
    public var downstreamTarget: String? = nil
    /// In reports and prompts: how many identical failing segments this row stands for.
    public var count: Int? = nil

    /// Two segments that say the same thing (trace ids aside).
    func same(as other: FailingSegment) -> Bool {
        service == other.service && operation == other.operation && url == other.url && status == other.status
            && cause == other.cause && downstream == other.downstream && throttled == other.throttled
    }

    /// Identical segments as one row each, with their count, in first-seen order.
    public static func collapsed(_ segments: [FailingSegment]) -> [FailingSegment] {
        var rows: [FailingSegment] = []
        for segment in segments {
            if let index = rows.firstIndex(where: { $0.same(as: segment) }) {
                rows[index].count = (rows[index].count ?? 1) + (segment.count ?? 1)
            } else {
                var row = segment
                row.count = segment.count ?? 1
                rows.append(row)
            }
        }
        return rows
    }
}
