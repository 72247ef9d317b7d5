import AWSCore
import Foundation

extension AWSContext {
    /// An SQS client for the queue at `queueURL`: signed for the region its URL names (the home
    /// region when it names none) and, without a configured endpoint, sent to that region's host.
    public func sqsClient(forQueue queueURL: String, timeout: TimeInterval = 30) throws -> SQSClient {
        SQSClient(client: try client(for: .sqs, region: SQSQueueURL(parsing: queueURL)?.region, timeout: timeout))
    }

    /// An SNS client for `topicArn`, in the region of the ARN (the home region if it has none).
    public func snsClient(forTopic topicArn: String?, timeout: TimeInterval = 30) throws -> SNSClient {
        let region = topicArn.flatMap(AWSARN.init(parsing:))?.region
        return SNSClient(
            client: try client(for: .sns, region: region?.isEmpty == false ? region : nil, timeout: timeout))
    }

    /// An S3 client that starts in the home region and follows each bucket to its own region
    /// (endpoints for other regions resolved as every client's are).
    public func s3Client(timeout: TimeInterval = 30) throws -> S3Client {
        S3Client(client: try client(for: .s3, timeout: timeout), endpoints: endpoints)
    }
}
