import Synchronization

/// Derived signing keys by access key id, day, region and service. An entry remembers the secret
/// it was derived from (already in memory with the credentials), so a key id reused with another
/// secret never gets a stale key. Bounded: cleared when it grows past 256 entries.
final class SigningKeyCache: Sendable {
    static let shared = SigningKeyCache()
    struct Name: Hashable {
        let accessKeyId: String
        let dateStamp: String
        let region: String
        let service: String
    }

    private let entries = Mutex<[Name: (secret: String, key: [UInt8], hmac: Digest.HMACKey)]>([:])

    func entry(_ name: Name, secret: String) -> (key: [UInt8], hmac: Digest.HMACKey)? {
        entries.withLock { entries in
            guard let entry = entries[name], entry.secret == secret else { return nil }
            return (entry.key, entry.hmac)
        }
    }

    func store(_ name: Name, secret: String, state: (key: [UInt8], hmac: Digest.HMACKey)) {
        entries.withLock { entries in
            if entries.count >= 256 { entries.removeAll() }
            entries[name] = (secret, state.key, state.hmac)
        }
    }
}
