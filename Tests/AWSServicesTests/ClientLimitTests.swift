import AWSCore
import Foundation
import Testing

@testable import AWSServices

@Suite("client-side limits and addressing")
struct ClientLimitTests {
    @Test("SNS subjects under 100 characters without control characters; messages within 256 KB")
    func snsLimits() {
        #expect(throws: Never.self) {
            try SNSClient.validate(
                message: "m", subject: String(repeating: "s", count: 99), attributes: [], structure: false)
        }
        #expect(throws: SNSMessageError.self) {
            try SNSClient.validate(
                message: "m", subject: String(repeating: "s", count: 100), attributes: [], structure: false)
        }
        #expect(throws: SNSMessageError.self) {
            try SNSClient.validate(message: "m", subject: "two\nlines", attributes: [], structure: false)
        }
        #expect(throws: Never.self) {
            try SNSClient.validate(
                message: String(repeating: "é", count: 131_072), subject: nil, attributes: [], structure: false)
        }
        // Bytes, not characters: 131,073 two-byte characters are over the limit.
        #expect(throws: SNSMessageError.self) {
            try SNSClient.validate(
                message: String(repeating: "é", count: 131_073), subject: nil, attributes: [], structure: false)
        }
        #expect(throws: SNSMessageError.self) {
            try SNSClient.validate(
                message: String(repeating: "m", count: 262_140), subject: nil,
                attributes: [SNSMessageAttribute(name: "severity", value: "high")], structure: false)
        }
        #expect(throws: SNSMessageError.self) {
            try SNSClient.validate(message: #"{"email":"x"}"#, subject: nil, attributes: [], structure: true)
        }
    }

    @Test("S3 uses virtual-hosted addressing on AWS and path style elsewhere or for dotted names")
    func s3Addressing() throws {
        func client(_ endpoint: AWSEndpoint) -> S3Client {
            S3Client(
                client: AWSClient(
                    service: .s3, region: "eu-west-1", endpoint: endpoint,
                    authentication: .sigV4(
                        StaticCredentialProvider(AWSCredentials(accessKeyId: "A", secretAccessKey: "S"))),
                    transport: CurlTransport()))
        }
        let aws = client(EndpointResolver.defaultEndpoint(.s3, region: "eu-west-1"))
        let (host, path) = aws.address(bucket: "reports", key: "incidents/2026/a b+c.json")
        #expect(host?.host == "reports.s3.eu-west-1.amazonaws.com")
        #expect(path == "/incidents/2026/a%20b%2Bc.json")
        let (dottedHost, dottedPath) = aws.address(bucket: "my.reports", key: "k")
        #expect(dottedHost == nil && dottedPath == "/my.reports/k")
        let local = client(try AWSEndpoint(parsing: "http://127.0.0.1:4566"))
        #expect(local.address(bucket: "reports", key: "k").1 == "/reports/k")
    }

    @Test("batches respect the per-call limits")
    func chunking() {
        #expect(Array(0..<23).chunked(10).map(\.count) == [10, 10, 3])
        #expect(Array(0..<5).chunked(5).count == 1)
        #expect([Int]().chunked(5).isEmpty)
        #expect(XRayClient.maxTraceIdsPerBatch == 5)
        #expect(CloudWatchClient.maxQueriesPerCall == 500)
        #expect(ECSClient.maxServicesPerDescribe == 10 && ECSClient.maxTasksPerDescribe == 100)
    }
}
