import AWSSigning
import Synchronization

/// Tries providers in order and keeps the first that yields credentials, as the AWS SDKs do. A
/// provider that is not configured is skipped; one that is configured but fails stops the chain
/// with its error, so a broken setting is reported rather than silently replaced by another identity.
public final class CredentialChain: CredentialProvider {
    private let providers: [any CredentialProvider]
    private let chosen = Mutex<(any CredentialProvider)?>(nil)

    public init(_ providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// The provider that supplied credentials last, or "chain" before the first success.
    public var name: String {
        chosen.withLock { $0?.name } ?? "chain"
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        if let provider = chosen.withLock({ $0 }) {
            return try provider.credentials(forceRefresh: forceRefresh)
        }
        var skipped: [String] = []
        for provider in providers {
            do {
                let credentials = try provider.credentials(forceRefresh: forceRefresh)
                chosen.withLock { $0 = provider }
                return credentials
            } catch let error as CredentialsError where error.isNotConfigured {
                skipped.append("\(provider.name) (\(error.reason))")
                continue
            }
        }
        throw CredentialsError.noneFound("tried " + skipped.joined(separator: "; "))
    }
}
