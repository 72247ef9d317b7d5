import AWSSigning
import Foundation
import Synchronization

/// Caches credentials and refreshes temporary ones before they expire: from 15 minutes before expiry
/// a refresh is attempted (a failure keeps the cached credentials), from 10 minutes before it is
/// mandatory (botocore's advisory and mandatory windows). One refresh runs at a time; callers that
/// arrive meanwhile wait for it and share its result.
public final class RefreshingCredentialProvider: CredentialProvider {
    /// Start refreshing this long before expiry.
    public static let advisoryWindow: TimeInterval = 15 * 60
    /// Refuse cached credentials this close to expiry.
    public static let mandatoryWindow: TimeInterval = 10 * 60

    private let base: any CredentialProvider
    private let clock: any WallClock
    private let cached = Mutex<AWSCredentials?>(nil)
    private let refreshLock = NSLock()

    public init(_ base: any CredentialProvider, clock: any WallClock = SystemWallClock()) {
        self.base = base
        self.clock = clock
    }

    public var name: String { base.name }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        let seen = cached.withLock { $0 }
        if !forceRefresh, let seen, !needsRefresh(seen, window: Self.advisoryWindow) {
            return seen
        }
        refreshLock.lock()
        defer { refreshLock.unlock() }
        // Another caller may have refreshed while this one waited for the lock.
        let current = cached.withLock { $0 }
        if let current, current != seen || (!forceRefresh && !needsRefresh(current, window: Self.advisoryWindow)) {
            return current
        }
        do {
            let fresh = try base.credentials(forceRefresh: true)
            cached.withLock { $0 = fresh }
            return fresh
        } catch {
            // In the advisory window the old credentials still work; keep using them.
            if !forceRefresh, let current, !needsRefresh(current, window: Self.mandatoryWindow) {
                return current
            }
            throw error
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials, window: TimeInterval) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(clock.now()) < window
    }
}
