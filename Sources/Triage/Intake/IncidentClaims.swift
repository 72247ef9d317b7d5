import AWSCore
import AWSServices
import Foundation

/// Decides which instance investigates an incident when several share one queue.
public protocol IncidentClaims: Sendable {
    /// Claims `incidentId` for this instance; false when another live instance holds it.
    func claim(_ incidentId: String, now: Date) throws -> Bool
}

/// One instance: every claim succeeds (the local state directory already deduplicates).
public struct LocalClaims: IncidentClaims {
    public init() {}
    public func claim(_ incidentId: String, now: Date) throws -> Bool { true }
}

/// Claims as objects `<prefix>claims/<incident-id>` in the report bucket, created with
/// `If-None-Match: *` and holding the owner and an expiry. An expired claim (its owner crashed) is
/// taken over with `If-Match` on its ETag, so exactly one taker wins.
public struct S3Claims: IncidentClaims {
    struct Record: Codable {
        var owner: String
        var expires: Double
    }

    private let s3: S3Client
    private let bucket: String
    private let prefix: String
    /// This instance's name in claims (host name and process id by default).
    public let owner: String
    /// How long a claim holds without being renewed.
    public let lifetime: TimeInterval

    public init(s3: S3Client, bucket: String, prefix: String, owner: String, lifetime: TimeInterval = 900) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.owner = owner
        self.lifetime = lifetime
    }

    func key(_ incidentId: String) -> String { "\(prefix)claims/\(incidentId)" }

    public func claim(_ incidentId: String, now: Date) throws -> Bool {
        let record = try JSONEncoder().encode(Record(owner: owner, expires: now.timeIntervalSince1970 + lifetime))
        do {
            try s3.putObject(
                bucket: bucket, key: key(incidentId), body: Array(record), contentType: "application/json",
                ifNoneMatch: true)
            return true
        } catch let error as S3ConditionalWriteError
            where error.reason == .preconditionFailed || error.reason == .conflict
        {
            // Someone holds it: ours (a restart of this owner), live, or expired.
            let (body, info) = try s3.getObject(bucket: bucket, key: key(incidentId))
            guard let existing = try? JSONDecoder().decode(Record.self, from: Data(body)) else { return false }
            if existing.owner == owner { return true }
            guard existing.expires < now.timeIntervalSince1970, let etag = info.etag else { return false }
            do {
                try s3.putObject(
                    bucket: bucket, key: key(incidentId), body: Array(record), contentType: "application/json",
                    ifMatch: etag)
                return true
            } catch is S3ConditionalWriteError {
                return false  // another instance took it over first
            }
        }
    }
}
