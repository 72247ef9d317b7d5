/// AWS enumerations that evidence carries. Each is open: the documented values are constants, and
/// any other value AWS sends (services add values) is kept as it came, so decoding telemetry never
/// fails on a new state and the JSON value is always AWS's own string.
public protocol OpenAWSEnum: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String, StringLiteralType == String {
    init(rawValue: String)
}

extension OpenAWSEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// ELBv2 `TargetHealthStateEnum`.
public struct TargetHealthState: OpenAWSEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let initial: Self = "initial"
    public static let healthy: Self = "healthy"
    public static let unhealthy: Self = "unhealthy"
    public static let unhealthyDraining: Self = "unhealthy.draining"
    public static let unused: Self = "unused"
    public static let draining: Self = "draining"
    public static let unavailable: Self = "unavailable"
}

/// An ECS deployment's `status`.
public struct DeploymentStatus: OpenAWSEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The most recent deployment.
    public static let primary: Self = "PRIMARY"
    /// An earlier deployment still running tasks (being replaced).
    public static let active: Self = "ACTIVE"
    /// A deployment whose tasks are all replaced.
    public static let inactive: Self = "INACTIVE"
}

/// An ECS deployment's `rolloutState`.
public struct RolloutState: OpenAWSEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let completed: Self = "COMPLETED"
    public static let failed: Self = "FAILED"
    public static let inProgress: Self = "IN_PROGRESS"
}
