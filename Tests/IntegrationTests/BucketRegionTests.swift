import AWSCore
import AWSServices
import Foundation
import Logging
import Synchronization
import Testing

@testable import Triage

/// The report bucket in another region than the daemon's, against the local AWS world, whose S3
/// refuses a request signed for the wrong region as AWS does (301 PermanentRedirect or 400
/// AuthorizationHeaderMalformed, `x-amz-bucket-region`).
@Suite("report bucket in another region", .enabled(if: IntegrationEnvironment.ready))
struct BucketRegionTests {
    /// The real transport, recording each S3 request's method, path, status and signing region.
    final class S3Log: HTTPTransport {
        struct Entry: Sendable {
            let method: String
            let path: String
            let status: Int
            let region: String?
        }
        private let inner = CurlTransport()
        private let log = Mutex<[Entry]>([])
        var entries: [Entry] { log.withLock { $0 } }

        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            let response = try inner.send(request)
            let scope = request.headers["Authorization"]?.components(separatedBy: "Credential=").last?
                .split(separator: ",").first?.split(separator: "/")
            if scope?.count == 5, scope?[3] == "s3" {
                let entry = Entry(
                    method: request.method, path: URL(string: request.url)?.path ?? request.url,
                    status: response.status, region: scope.map { String($0[2]) })
                log.withLock { $0.append(entry) }
            }
            return response
        }
    }

    static let bucket = "prodapp-reports-eu"

    /// Creates the report bucket in eu-west-1 (signed for eu-west-1, as CreateBucket there must be).
    static func createFarBucket(_ world: LocalAWSWorld) throws {
        let body = """
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>
            """
        _ = try world.context().client(for: .s3, region: "eu-west-1").rest(
            "CreateBucket", method: "PUT", path: "/\(bucket)", headers: ["Content-Type": "application/xml"],
            body: Array(body.utf8))
    }

    static func setAnswer(_ world: LocalAWSWorld, _ answer: String) throws {
        let response = try CurlTransport().send(
            HTTPRequest(
                method: "POST", url: world.description.standin + "/_world/s3/region-answer",
                body: Array(#"{"answer": "\#(answer)"}"#.utf8)))
        #expect(response.status == 200, "\(response.text)")
    }

    @Test(
        "the report lands in a bucket of another region: one wrong-region answer, then every call signed for the bucket's region",
        arguments: ["PermanentRedirect", "AuthorizationHeaderMalformed"])
    func reportLandsInFarBucket(answer: String) throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            try Self.createFarBucket(world)
            try Self.setAnswer(world, answer)
            let log = S3Log()
            let context = try world.context(transport: log)
            let report = try DeliveryTests().investigate(world, scenario, context: context)
            let state = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bucket-region-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: state) }
            var settings = DeliverySettings()
            settings.bucket = Self.bucket
            settings.backoff = 0.1
            let s3 = try context.s3Client()
            let result = try ReportDeliverer(
                s3: s3, sns: try context.snsClient(forTopic: nil), settings: settings,
                outbox: ReportOutbox(stateDirectory: state), clock: context.clock, logger: Logger(label: "t")
            ).deliver(report)

            let entries = log.entries
            let refused = entries.filter { $0.status == (answer == "PermanentRedirect" ? 301 : 400) }
            #expect(refused.count == 1, "\(entries.map { "\($0.method) \($0.path) \($0.status) \($0.region ?? "-")" })")
            #expect(refused.first?.region == "us-east-1")
            // Everything after the one refusal is signed for the bucket's region and is answered
            // there (the history index is absent at first: 404).
            let after = entries.drop { $0.status != refused.first?.status }.dropFirst()
            let listing = "\(entries.map { "\($0.method) \($0.path) \($0.status) \($0.region ?? "-")" })"
            #expect(
                after.allSatisfy { $0.region == "eu-west-1" && ($0.status < 300 || $0.status == 404) }, "\(listing)")
            let reports = after.filter { $0.method == "PUT" && $0.path.contains("/report.") && $0.status == 200 }
            #expect(reports.count == 3, "\(listing)")
            #expect(s3.knownRegion(of: Self.bucket) == "eu-west-1")

            // The objects are in the far bucket, readable by a client of that region.
            let far = S3Client(client: try context.client(for: .s3, region: "eu-west-1"))
            let object = try #require(result.reportObject)
            let key = String(object.dropFirst("s3://\(Self.bucket)/".count))
            #expect(object.hasPrefix("s3://\(Self.bucket)/"))
            #expect(try far.headObject(bucket: Self.bucket, key: key)?.contentType == "application/json")
            // The presigned link is signed for eu-west-1, so S3 does not refuse its region (moto
            // itself answers 500 to presigned GETs with authentication on; docs/local-aws-world.md).
            let link = try #require(result.reportURL)
            #expect(link.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
            let fetched = try CurlTransport().send(HTTPRequest(method: "GET", url: link))
            #expect(!fetched.text.contains("AuthorizationQueryParametersError"), "\(fetched.text.prefix(400))")
        }
    }

    @Test("HeadBucket reports the bucket's region from any region, and a link signed for the wrong region is refused")
    func headBucketAndWrongLink() throws {
        try LocalAWSWorld.with { world in
            try Self.createFarBucket(world)
            let context = try world.context()
            let s3 = try context.s3Client()
            #expect(try s3.bucketRegion(Self.bucket) == "eu-west-1")
            #expect(s3.knownRegion(of: Self.bucket) == "eu-west-1")
            // A link signed for another region than the bucket's: the emulator, like S3, refuses it
            // naming the region it expects.
            let wrong = try context.client(for: .s3).presignedURL(path: "/\(Self.bucket)/k", expires: 60)
            let refused = try CurlTransport().send(HTTPRequest(method: "GET", url: wrong))
            #expect(refused.status == 400)
            #expect(refused.text.contains("<Region>eu-west-1</Region>"))
        }
    }
}
