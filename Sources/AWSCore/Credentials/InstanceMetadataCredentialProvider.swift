import AWSSigning

/// The EC2 instance role's credentials from instance metadata (IMDSv2).
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    public let name = "ec2-instance-metadata"
    private let client: InstanceMetadataClient

    public init(client: InstanceMetadataClient) {
        self.client = client
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        guard !client.isDisabled else {
            throw CredentialsError.notConfigured(name, "AWS_EC2_METADATA_DISABLED is true")
        }
        let base = "/latest/meta-data/iam/security-credentials/"
        do {
            let roles = try client.get(base).split(whereSeparator: \.isNewline)
            guard let role = roles.first.map({ String($0).trimmingWhitespace() }), !role.isEmpty else {
                throw CredentialsError.fetchFailed(name, "the instance has no IAM role attached")
            }
            let document = try client.get(base + role)
            return try CredentialDocument.credentials(from: Array(document.utf8), provider: name)
        } catch let error as InstanceMetadataClient.MetadataError {
            throw CredentialsError.fetchFailed(name, error.description)
        }
    }
}
