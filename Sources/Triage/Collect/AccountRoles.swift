import AWSCore
import AWSServices
import Foundation
import Synchronization

/// A workload account triaged reads evidence in through a role (`aws.accounts[]`).
public struct AccountRole: Sendable, Equatable {
    /// The 12-digit account id.
    public var accountId: String
    /// `arn:PARTITION:iam::ACCOUNT:role/NAME`, trusting triaged's own identity.
    public var roleArn: String
    /// The `sts:ExternalId` the role's trust policy requires, if any.
    public var externalId: String?
    /// The session's `DurationSeconds` (900…43200).
    public var durationSeconds: Int

    public init(
        accountId: String, roleArn: String, externalId: String? = nil,
        durationSeconds: Int = AssumeRoleCredentialProvider.defaultDuration
    ) {
        self.accountId = accountId
        self.roleArn = roleArn
        self.externalId = externalId
        self.durationSeconds = durationSeconds
    }

    /// The account and region of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:…`), if it has both.
    public static func accountAndRegion(ofArn arn: String) -> (account: String, region: String)? {
        guard let parsed = AWSARN(parsing: arn), !parsed.region.isEmpty, !parsed.account.isEmpty else { return nil }
        return (parsed.account, parsed.region)
    }
}

/// Why evidence cannot be read in an account: no role for it, or its role cannot be assumed.
public struct AccountAccessError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Where evidence is read (`docs/aws-client.md`, "Cross-account triage"): the alarm ARN's account
/// and region decide. The home account is read with triaged's own credentials, a listed account
/// through its role (sessions cached per role, refreshed before they expire, one refresh at a time),
/// an unlisted account not at all. Clients are made per (account, region) and kept.
public final class AccountRouter: Sendable {
    /// The account triaged's own credentials belong to (learnt from sts:GetCallerIdentity on first use
    /// when not given).
    private let homeAccount: Mutex<String?>
    private let home: AWSContext
    private let roles: [String: (AccountRole, AWSContext)]
    private let clients = Mutex<[String: CollectClients]>([:])

    public init(home: AWSContext, homeAccount: String? = nil, roles: [AccountRole]) throws {
        self.home = home
        self.homeAccount = Mutex(homeAccount)
        var contexts: [String: (AccountRole, AWSContext)] = [:]
        for role in roles {
            contexts[role.accountId] = (
                role,
                try home.assumingRole(
                    roleArn: role.roleArn, externalId: role.externalId, durationSeconds: role.durationSeconds)
            )
        }
        self.roles = contexts
    }

    /// The configured role of `account`, if any.
    public func role(of account: String) -> AccountRole? { roles[account]?.0 }

    /// The context whose credentials act in `account`: the home one, or the assumed role's.
    public func context(for account: String) throws -> AWSContext {
        if let (_, context) = roles[account] { return context }
        if account == (try homeAccountId()) { return home }
        throw AccountAccessError(
            description:
                "account \(account) has no role in aws.accounts: triaged reads evidence only in its own account "
                + "(\(try homeAccountId())) and the listed ones")
    }

    /// The evidence clients for `account` in `region`. A role is assumed here once (then cached),
    /// so a role that cannot be assumed is one error naming the role, the AWS code and request id.
    public func clients(account: String, region: String) throws -> CollectClients {
        let key = "\(account)/\(region)"
        if let known = clients.withLock({ $0[key] }) { return known }
        let context = try context(for: account)
        if let role = role(of: account) {
            do {
                _ = try context.credentials.credentials(forceRefresh: false)
            } catch let error as AWSError {
                throw AccountAccessError(
                    description:
                        "cannot assume \(role.roleArn) for account \(account): \(error.code)"
                        + (error.message.isEmpty ? "" : ": \(error.message)")
                        + " (request id \(error.requestId ?? "none"))")
            } catch {
                throw AccountAccessError(description: "cannot assume \(role.roleArn) for account \(account): \(error)")
            }
        }
        let made = CollectClients(
            cloudWatch: CloudWatchClient(client: try context.client(for: .cloudWatch, region: region)),
            elb: ELBv2Client(client: try context.client(for: .elbv2, region: region)),
            ecs: ECSClient(client: try context.client(for: .ecs, region: region)),
            logs: CloudWatchLogsClient(client: try context.client(for: .logs, region: region)),
            xray: XRayClient(client: try context.client(for: .xray, region: region)))
        clients.withLock { $0[key] = made }
        return made
    }

    /// The CloudWatch client acting in `account` and `region` (alarm tags, for runbooks).
    public func cloudWatch(account: String, region: String) throws -> CloudWatchClient? {
        try clients(account: account, region: region).cloudWatch as? CloudWatchClient
    }

    /// The home account id.
    public func homeAccountId() throws -> String {
        if let known = homeAccount.withLock({ $0 }) { return known }
        let identity = try STSClient(client: try home.client(for: .sts)).getCallerIdentity()
        homeAccount.withLock { $0 = identity.account }
        return identity.account
    }
}
