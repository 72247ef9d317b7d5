/// What a finding says caused the incident (DESIGN.md section 6).
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
    public var title: String
    /// 0…1.
    public var confidence: Double
    /// The facts it rests on, one sentence each.
    public var evidence: [String]

    public init(category: FindingCategory, title: String, confidence: Double, evidence: [String]) {
        self.category = category
        self.title = title
        self.confidence = min(1, max(0, confidence))
        self.evidence = evidence
    }
}
