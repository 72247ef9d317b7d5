import AWSCore
import Foundation
import Synchronization
import Testing

@testable import AWSServices

/// Queue URLs in every documented form (SQS Developer Guide, "Amazon SQS queue and message
/// identifiers"; botocore's legacy `{region}.queue.{dnsSuffix}` name) and topic ARNs decide the
/// region SQS and SNS calls are signed for and sent to.
@Suite("queue URL and topic ARN regions")
struct QueueAndTopicRegionTests {
    @Test(
        "every documented queue URL form yields its region, account and name",
        arguments: [
            ("https://sqs.us-east-1.amazonaws.com/123456789012/alarms", "us-east-1", "alarms"),
            ("https://sqs.eu-west-1.amazonaws.com/123456789012/alarms.fifo", "eu-west-1", "alarms.fifo"),
            ("https://queue.amazonaws.com/123456789012/alarms", "us-east-1", "alarms"),
            ("https://ap-southeast-2.queue.amazonaws.com/123456789012/alarms", "ap-southeast-2", "alarms"),
            ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/alarms", "cn-north-1", "alarms"),
            ("https://sqs.us-gov-west-1.amazonaws.com/123456789012/alarms", "us-gov-west-1", "alarms"),
            ("https://sqs-fips.us-east-2.amazonaws.com/123456789012/alarms", "us-east-2", "alarms"),
            ("https://sqs.eu-central-1.api.aws/123456789012/alarms", "eu-central-1", "alarms"),
            (
                "https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh.sqs.us-west-2.vpce.amazonaws.com/123456789012/alarms",
                "us-west-2", "alarms"
            ),
            ("HTTPS://SQS.EU-NORTH-1.AMAZONAWS.COM:443/123456789012/alarms", "eu-north-1", "alarms"),
        ])
    func queueURLForms(url: String, region: String, name: String) throws {
        let parsed = try #require(SQSQueueURL(parsing: url))
        #expect(parsed.region == region)
        #expect(parsed.account == "123456789012")
        #expect(parsed.name == name)
    }

    @Test("emulator URLs name no region; malformed URLs are refused")
    func noRegion() {
        #expect(SQSQueueURL(parsing: "http://127.0.0.1:4566/123456789012/alarms")?.region == .some(nil))
        #expect(SQSQueueURL(parsing: "http://localhost:4566/000000000000/q")?.account == "000000000000")
        #expect(SQSQueueURL(parsing: "https://sqs.not-a-region.amazonaws.com/123456789012/q")?.region == .some(nil))
        for bad in [
            "sqs.us-east-1.amazonaws.com/123456789012/q", "https://sqs.us-east-1.amazonaws.com/alarms",
            "https://sqs.us-east-1.amazonaws.com/12345/q", "https://sqs.us-east-1.amazonaws.com/123456789012/",
            "https://sqs.us-east-1.amazonaws.com/123456789012/q/extra",
        ] {
            #expect(SQSQueueURL(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("ARNs: fields, and the partition of a rebuilt ARN from the partition table")
    func arns() throws {
        let topic = try #require(AWSARN(parsing: "arn:aws-cn:sns:cn-north-1:123456789012:ops"))
        #expect(topic.partition == "aws-cn" && topic.region == "cn-north-1" && topic.resource == "ops")
        let role = try #require(AWSARN(parsing: "arn:aws:iam::123456789012:role/path/triaged-read"))
        #expect(role.region.isEmpty && role.resource == "role/path/triaged-read")
        #expect(AWSARN(parsing: "arn:aws:sns") == nil)
        #expect(
            AWSARN(service: "sns", region: "us-gov-east-1", account: "123456789012", resource: "ops").description
                == "arn:aws-us-gov:sns:us-gov-east-1:123456789012:ops")
    }

    /// Records requests; answers ReceiveMessage with an empty queue (`{}`) and Publish as AWS does.
    final class Recorder: HTTPTransport {
        private let log = Mutex<[HTTPRequest]>([])
        var requests: [HTTPRequest] { log.withLock { $0 } }
        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            log.withLock { $0.append(request) }
            if request.headers["X-Amz-Target"] != nil { return HTTPResponse(status: 200, body: Array("{}".utf8)) }
            let body = """
                <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>
                  <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>
                </PublishResponse>
                """
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
        }
    }

    static func context(_ transport: Recorder, endpoint: String? = nil) throws -> AWSContext {
        try AWSContext.resolve(
            settings: AWSSettings(region: "us-east-1", endpointURL: endpoint, allowHTTP: true),
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
            ], transport: transport)
    }

    static func hostAndScope(_ request: HTTPRequest) -> (String?, String?) {
        let scope = request.headers["Authorization"]?.components(separatedBy: "Credential=").last?
            .split(separator: ",").first?.split(separator: "/").dropFirst(2).prefix(2).joined(separator: "/")
        return (URL(string: request.url)?.host, scope)
    }

    @Test("SQS goes to and signs for the queue's region; SNS for the topic's")
    func clientsFollowTheResource() throws {
        let transport = Recorder()
        let context = try Self.context(transport)
        _ = try context.sqsClient(forQueue: "https://eu-west-1.queue.amazonaws.com/123456789012/alarms")
            .receiveMessages(queueURL: "https://eu-west-1.queue.amazonaws.com/123456789012/alarms", waitSeconds: 0)
        _ = try context.snsClient(forTopic: "arn:aws:sns:ap-northeast-1:123456789012:ops").publish(
            topicArn: "arn:aws:sns:ap-northeast-1:123456789012:ops", message: "m")
        _ = try context.sqsClient(forQueue: "https://queue.amazonaws.com/123456789012/legacy")
            .receiveMessages(queueURL: "https://queue.amazonaws.com/123456789012/legacy", waitSeconds: 0)
        let seen = transport.requests.map(Self.hostAndScope)
        #expect(
            seen.map(\.0) == [
                "sqs.eu-west-1.amazonaws.com", "sns.ap-northeast-1.amazonaws.com", "sqs.us-east-1.amazonaws.com",
            ])
        #expect(seen.map(\.1) == ["eu-west-1/sqs", "ap-northeast-1/sns", "us-east-1/sqs"])
    }

    @Test("with a configured endpoint the host stays, the signature follows the resource's region")
    func configuredEndpoint() throws {
        let transport = Recorder()
        let context = try Self.context(transport, endpoint: "http://127.0.0.1:4566")
        let url = "https://sqs.eu-west-2.amazonaws.com/123456789012/alarms"
        _ = try context.sqsClient(forQueue: url).receiveMessages(queueURL: url, waitSeconds: 0)
        _ = try context.snsClient(forTopic: "arn:aws:sns:sa-east-1:123456789012:ops").publish(
            topicArn: "arn:aws:sns:sa-east-1:123456789012:ops", message: "m")
        // A URL naming no region, and no topic: the home region.
        _ = try context.sqsClient(forQueue: "http://127.0.0.1:4566/123456789012/alarms")
            .receiveMessages(queueURL: "http://127.0.0.1:4566/123456789012/alarms", waitSeconds: 0)
        let seen = transport.requests.map(Self.hostAndScope)
        #expect(seen.map(\.0) == ["127.0.0.1", "127.0.0.1", "127.0.0.1"])
        #expect(seen.map(\.1) == ["eu-west-2/sqs", "sa-east-1/sns", "us-east-1/sqs"])
    }
}
