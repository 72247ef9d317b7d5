#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A set of AWS credentials: long-term keys, or temporary ones with a session token and an expiry.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    public var accessKeyId: String
    /// The secret access key. Never logged.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public var expiration: Date?

    /// Creates credentials; empty session tokens are treated as absent.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
        self.expiration = expiration
    }
}

extension AWSCredentials: CustomStringConvertible {
    /// Names the key id only, so credentials can appear in logs and test failures without the secret.
    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), temporary: \(sessionToken != nil))"
    }
}
