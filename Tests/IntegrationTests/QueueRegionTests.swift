import AWSCore
import AWSServices
import Foundation
import Testing

/// An intake queue in another region than triaged's, against the local AWS world: SQS finds a
/// queue only in the region a call is signed for, so a wrong region answers QueueDoesNotExist —
/// as AWS does — and the client made for the queue's URL signs for the region the URL names.
@Suite("intake queue in another region", .enabled(if: IntegrationEnvironment.ready))
struct QueueRegionTests {
    @Test(
        "a queue in eu-west-1 is read through its URL's region in the AWS and legacy forms; the home region sees no such queue",
        arguments: [
            "https://sqs.eu-west-1.amazonaws.com/123456789012/far-intake",
            "https://eu-west-1.queue.amazonaws.com/123456789012/far-intake",
        ])
    func queueInAnotherRegion(url: String) throws {
        try LocalAWSWorld.with { world in
            let context = try world.context()
            let far = try context.client(for: .sqs, region: "eu-west-1")
            struct Create: Encodable { let QueueName: String }
            struct Send: Encodable {
                let QueueUrl: String
                let MessageBody: String
            }
            _ = try far.json("CreateQueue", body: try JSONEncoder().encode(Create(QueueName: "far-intake")))
            _ = try far.json("SendMessage", body: try JSONEncoder().encode(Send(QueueUrl: url, MessageBody: "hello")))

            // Signed for the home region (us-east-1), the queue does not exist.
            let home = SQSClient(client: try context.client(for: .sqs))
            let error = try #require(throws: AWSError.self) {
                try home.receiveMessages(queueURL: url, waitSeconds: 0)
            }
            #expect(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"].contains(error.code), "\(error)")

            let sqs = try context.sqsClient(forQueue: url)
            #expect(sqs.region == "eu-west-1")
            let messages = try sqs.receiveMessages(queueURL: url, waitSeconds: 1)
            #expect(messages.map(\.body) == ["hello"])
            try sqs.deleteMessage(queueURL: url, receiptHandle: try #require(messages.first).receiptHandle)
        }
    }
}
