import AWSSigning
import Foundation

/// A role assumed with `sts:AssumeRole`, signed with other credentials (triaged's own chain, or the
/// source profile of a `role_arn` profile). Wrap it in a `RefreshingCredentialProvider` to cache the
/// session and refresh it before it expires; this type calls STS every time it is asked.
///
/// Failures are not wrapped: an STS answer stays the `AWSError` it was (code, message, request id),
/// so a report's gap and `triaged check` can name them.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    /// The shortest and longest sessions STS grants (`DurationSeconds`).
    public static let durationRange = 900...43_200
    /// What triaged asks for when nothing says otherwise (the AWS SDKs' default too).
    public static let defaultDuration = 3600

    public var name: String { "assume-role \(roleArn)" }
    public let roleArn: String
    public let sessionName: String
    public let externalId: String?
    public let durationSeconds: Int
    private let sts: AWSClient

    /// `sts` must be an STS client signed with the credentials that may assume the role.
    public init(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int, sts: AWSClient) {
        precondition(sts.service == .sts, "AssumeRoleCredentialProvider needs an STS AWSClient")
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId.flatMap { $0.isEmpty ? nil : $0 }
        self.durationSeconds = min(max(Self.durationRange.lowerBound, durationSeconds), Self.durationRange.upperBound)
        self.sts = sts
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        try Self.credentials(
            from: sts.query(
                "AssumeRole",
                Self.parameters(
                    roleArn: roleArn, sessionName: sessionName, externalId: externalId,
                    durationSeconds: durationSeconds)))
    }

    /// The query parameters of `sts:AssumeRole` (`DurationSeconds` kept in 900…43200).
    public static func parameters(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int)
        -> QueryParameters
    {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add(
            "DurationSeconds", String(min(max(durationRange.lowerBound, durationSeconds), durationRange.upperBound)))
        if let externalId, !externalId.isEmpty { parameters.add("ExternalId", externalId) }
        return parameters
    }

    /// The session in an `AssumeRoleResult`.
    public static func credentials(from result: XMLNode) throws -> AWSCredentials {
        guard let keyId = result.string("Credentials", "AccessKeyId"),
            let secret = result.string("Credentials", "SecretAccessKey"),
            let sessionToken = result.string("Credentials", "SessionToken"),
            let expiration = result.string("Credentials", "Expiration").flatMap(AWSTimestamp.parse)
        else {
            throw AWSResponseError(service: "sts", operation: "AssumeRole", reason: "no complete Credentials element")
        }
        return AWSCredentials(
            accessKeyId: keyId, secretAccessKey: secret, sessionToken: sessionToken, expiration: expiration)
    }
}

/// `RoleSessionName` values: STS allows 2…64 characters of `[A-Za-z0-9_=,.@-]`.
public enum RoleSessionName {
    /// `triaged-<host>`: the host name or instance id with every other character replaced by `-`,
    /// cut to 64 characters, so CloudTrail in the workload account shows which triaged acted.
    public static func triaged(host: String) -> String {
        let cleaned = String(host.map { isAllowed($0) ? $0 : "-" })
        let name = cleaned.isEmpty ? "triaged" : "triaged-" + cleaned
        return String(name.prefix(64))
    }

    /// The session name for this process: `AWS_ROLE_SESSION_NAME` when set (as the SDKs honour it),
    /// else `triaged-<host>` from `HOSTNAME` or the system's host name.
    public static func forProcess(environment: [String: String]) -> String {
        if let name = environment["AWS_ROLE_SESSION_NAME"], (2...64).contains(name.count), name.allSatisfy(isAllowed) {
            return name
        }
        let host = environment["HOSTNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        return triaged(host: host)
    }

    static func isAllowed(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "_=,.@-".contains(character)
    }
}
