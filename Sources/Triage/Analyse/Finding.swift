/// What a finding says caused the incident (`docs/analysis.md`).
public enum FindingCategory: String, Sendable, Codable, CaseIterable {
    case badDeployment = "bad_deployment"
    case outOfMemory = "out_of_memory"
    case containerCrash = "container_crash"
    case unhealthyTargets = "unhealthy_targets"
    case dependencyFailure = "dependency_failure"
    case capacityExhaustion = "capacity_exhaustion"
    case throttling
    case applicationError = "application_error"
    case unknown
}

/// One deterministic conclusion with the evidence it rests on.
public struct Finding: Sendable, Equatable, Codable {
    public var category: FindingCategory
    /// The ECS service at fault, when the evidence names one.
    public var service: String?
    /// What it blames besides the service: a target group, a dependency host, an AWS API, a
    /// task definition revision.
    public var resource: String?
    public var title: String
    /// 0…1.
    public var confidence: Double
    /// The facts it rests on, one sentence each.
    public var evidence: [String]

    public init(
        category: FindingCategory, service: String? = nil, resource: String? = nil, title: String,
        confidence: Double, evidence: [String]
    ) {
        self.category = category
        self.service = service
        self.resource = resource
        self.title = title
        self.confidence = confidence.isFinite ? min(1, max(0, confidence)) : 0
        self.evidence = evidence
    }
}

/// Where a report finding comes from: the deterministic rules, or the model (its own findings are
/// recorded, never ranked above the rules').
public enum FindingSource: String, Sendable, Codable {
    case rules, model
}

/// Who wrote a report's analysis: the model on Bedrock when it answered usefully, else the rules
/// alone (model off, out of budget or failing; the reason is in `unavailable_reason`).
public enum AnalysisSource: String, Sendable, Codable {
    case bedrock, rules
}
