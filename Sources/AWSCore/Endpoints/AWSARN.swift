/// An Amazon Resource Name, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. Region and account
/// are empty for global resources (IAM roles, S3 buckets).
public struct AWSARN: Sendable, Equatable, CustomStringConvertible {
    public let partition: String
    public let service: String
    public let region: String
    public let account: String
    /// Everything after the fifth colon (it may hold colons and slashes itself).
    public let resource: String

    /// Parses an ARN; nil when it does not have the six fields.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(
            partition: String(parts[1]), service: String(parts[2]), region: String(parts[3]),
            account: String(parts[4]), resource: String(parts[5]))
    }

    /// An ARN in `region`'s partition (`AWSPartition.of(region:)`) unless `partition` is given.
    public init(
        partition: String? = nil, service: String, region: String, account: String, resource: String
    ) {
        self.partition = partition ?? AWSPartition.of(region: region).id
        self.service = service
        self.region = region
        self.account = account
        self.resource = resource
    }

    public var description: String { "arn:\(partition):\(service):\(region):\(account):\(resource)" }
}
