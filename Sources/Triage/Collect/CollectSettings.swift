import Foundation

/// What and how much to collect (the `collect` section of the configuration).
public struct CollectSettings: Sendable, Equatable {
    public var windowBefore: TimeInterval = 1800
    public var windowAfter: TimeInterval = 300
    public var loadBalancer: String?
    public var cluster: String?
    public var services: [String] = []
    public var logGroups: [String] = []
    public var filterPattern = "?ERROR ?Error ?error ?Exception ?exception ?FATAL ?Timeout ?timeout"
    public var maxEvents = 20_000
    public var tracesEnabled = true
    public var maxTraces = 25
    /// Time allowed to each source.
    public var sourceBudget: TimeInterval = 20
    /// Patterns kept per log group.
    public var topPatterns = 25

    public init() {}
}

/// The clients the collector reads with.
public struct CollectClients: Sendable {
    public var cloudWatch: CloudWatchReader
    public var elb: ELBv2Reader
    public var ecs: ECSReader
    public var logs: LogsReader
    public var xray: XRayReader

    public init(cloudWatch: CloudWatchReader, elb: ELBv2Reader, ecs: ECSReader, logs: LogsReader, xray: XRayReader) {
        self.cloudWatch = cloudWatch
        self.elb = elb
        self.ecs = ecs
        self.logs = logs
        self.xray = xray
    }
}
