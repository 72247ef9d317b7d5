import AWSSigning
import Foundation
import Synchronization

/// Caches credentials and refreshes temporary ones before they expire: from 15 minutes before expiry
/// a refresh is attempted (a failure keeps the cached credentials), from 10 minutes before it is
/// mandatory (botocore's advisory and mandatory windows; assumed-role sessions of `aws.accounts`
/// use 5 and 1 minutes, see `assumedRoleWindows`). One refresh runs at a time; callers that
/// arrive meanwhile wait for it and share its result.
public final class RefreshingCredentialProvider: CredentialProvider {
    /// Start refreshing this long before expiry.
    public static let advisoryWindow: TimeInterval = 15 * 60
    /// Refuse cached credentials this close to expiry.
    public static let mandatoryWindow: TimeInterval = 10 * 60
    /// The windows of the sessions triaged assumes in workload accounts: refreshed from 5 minutes
    /// before expiry (a 15-minute session is used for 10 minutes), refused 1 minute before.
    public static let assumedRoleWindows: (advisory: TimeInterval, mandatory: TimeInterval) = (5 * 60, 60)

    private let advisory: TimeInterval
    private let mandatory: TimeInterval

    private let base: any CredentialProvider
    private let clock: any WallClock
    private let cached = Mutex<AWSCredentials?>(nil)
    /// Held for the whole refresh (a network call): the callers that arrive meanwhile wait here.
    private let refreshLock = Mutex(())

    public init(
        _ base: any CredentialProvider, clock: any WallClock = SystemWallClock(),
        windows: (advisory: TimeInterval, mandatory: TimeInterval) = (advisoryWindow, mandatoryWindow)
    ) {
        self.base = base
        self.clock = clock
        self.advisory = windows.advisory
        self.mandatory = windows.mandatory
    }

    public var name: String { base.name }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        let seen = cached.withLock { $0 }
        if !forceRefresh, let seen, !needsRefresh(seen, window: advisory) {
            return seen
        }
        return try refreshLock.withLock { _ in
            // Another caller may have refreshed while this one waited for the lock.
            let current = cached.withLock { $0 }
            if let current, current != seen || (!forceRefresh && !needsRefresh(current, window: advisory)) {
                return current
            }
            do {
                let fresh = try base.credentials(forceRefresh: true)
                cached.withLock { $0 = fresh }
                return fresh
            } catch {
                // In the advisory window the old credentials still work; keep using them.
                if !forceRefresh, let current, !needsRefresh(current, window: mandatory) {
                    return current
                }
                throw error
            }
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials, window: TimeInterval) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(clock.now()) < window
    }
}
