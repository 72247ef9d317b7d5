import AWSSigning

/// A source of AWS credentials.
public protocol CredentialProvider: Sendable {
    /// A short name for logs and `triaged check`, e.g. `environment`, `profile ops`, `ecs-container`.
    var name: String { get }
    /// Current credentials. `forceRefresh` asks for new ones even if cached ones look valid (after an
    /// `ExpiredToken` answer). Throws `CredentialsError`; `.notConfigured` means this source does not
    /// apply here and a chain may try the next.
    func credentials(forceRefresh: Bool) throws -> AWSCredentials
}

/// Why credentials could not be had.
public struct CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case notConfigured
        case invalid
        case fetchFailed
        case noneFound
    }

    private let code: Code
    /// The provider that failed.
    public let provider: String
    /// What went wrong, in one sentence.
    public let reason: String

    /// The provider's settings are absent; a chain moves on.
    public static func notConfigured(_ provider: String, _ reason: String) -> CredentialsError {
        CredentialsError(code: .notConfigured, provider: provider, reason: reason)
    }
    /// The provider is configured, but its settings are unusable.
    public static func invalid(_ provider: String, _ reason: String) -> CredentialsError {
        CredentialsError(code: .invalid, provider: provider, reason: reason)
    }
    /// The provider is configured, but fetching from it failed.
    public static func fetchFailed(_ provider: String, _ reason: String) -> CredentialsError {
        CredentialsError(code: .fetchFailed, provider: provider, reason: reason)
    }
    /// No provider of a chain had credentials.
    public static func noneFound(_ reason: String) -> CredentialsError {
        CredentialsError(code: .noneFound, provider: "chain", reason: reason)
    }

    /// Whether this only says the provider does not apply.
    public var isNotConfigured: Bool { code == .notConfigured }

    public var description: String {
        switch code {
        case .noneFound: return "no AWS credentials found: \(reason)"
        default: return "credentials from \(provider): \(reason)"
        }
    }
}

/// Fixed credentials (tests, or keys given in code).
public struct StaticCredentialProvider: CredentialProvider {
    public let name: String
    private let value: AWSCredentials

    public init(_ credentials: AWSCredentials, name: String = "static") {
        self.value = credentials
        self.name = name
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials { value }
}
