import AWSCore
import Foundation
import Synchronization
import Testing

@testable import AWSServices

/// S3's wrong-region answers as AWS sends them (S3 API reference error bodies; HEAD answers carry
/// no body) and botocore's rules for following them once.
@Suite("S3 bucket regions and redirects")
struct S3RegionRedirectTests {
    static let permanentRedirect = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>reports.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>reports</Bucket><RequestId>5S8TMZ7J3A4N0QHK</RequestId><HostId>Vq1Zr8pZ6l8Jk3m2Qw==</HostId></Error>
        """
    static let headerMalformed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>X1Y2Z3A4B5C6D7E8</RequestId><HostId>aGVsbG8=</HostId></Error>
        """

    static func error(_ status: Int, _ body: String = "", headers: HTTPHeaders = [:]) -> AWSError {
        AWSErrorDecoder.decode(
            HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), protocol: .restXML, service: "s3")
    }

    @Test("which answers redirect, and where to")
    func decisions() {
        let header: HTTPHeaders = ["x-amz-bucket-region": "eu-west-1"]
        #expect(
            S3RegionRedirect.decide(
                after: Self.error(301, Self.permanentRedirect, headers: header), operation: "PutObject")
                == .region("eu-west-1"))
        #expect(
            S3RegionRedirect.decide(after: Self.error(400, Self.headerMalformed), operation: "GetObject")
                == .region("eu-west-1"))
        // HEAD: no body; the header alone names the region.
        #expect(
            S3RegionRedirect.decide(after: Self.error(301, headers: header), operation: "HeadObject")
                == .region("eu-west-1"))
        #expect(
            S3RegionRedirect.decide(after: Self.error(400, headers: header), operation: "HeadBucket")
                == .region("eu-west-1"))
        // A bodiless HeadObject 400 names nothing: ask HeadBucket. A bodiless HeadBucket 400 is just an error.
        #expect(S3RegionRedirect.decide(after: Self.error(400), operation: "HeadObject") == .lookUp)
        #expect(S3RegionRedirect.decide(after: Self.error(400), operation: "HeadBucket") == .none)
        // A 301 without a region: look it up.
        #expect(S3RegionRedirect.decide(after: Self.error(301), operation: "GetObject") == .lookUp)
        // Not wrong-region answers.
        let malformedWithoutRegion = Self.headerMalformed.replacingOccurrences(
            of: "<Region>eu-west-1</Region>", with: "")
        #expect(
            S3RegionRedirect.decide(after: Self.error(400, malformedWithoutRegion), operation: "PutObject") == .none)
        #expect(
            S3RegionRedirect.decide(
                after: Self.error(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"),
                operation: "GetObject") == .none)
        #expect(S3RegionRedirect.decide(after: Self.error(404), operation: "HeadObject") == .none)
    }

    /// S3 as AWS runs it for one bucket in `bucketRegion`: a request signed for another region gets
    /// `wrongRegion`'s answer; the right one succeeds.
    final class RegionalS3: HTTPTransport {
        let bucketRegion: String
        let wrongRegion: @Sendable (HTTPRequest, String) -> HTTPResponse
        private let log = Mutex<[HTTPRequest]>([])
        var requests: [HTTPRequest] { log.withLock { $0 } }

        init(bucketRegion: String, wrongRegion: @escaping @Sendable (HTTPRequest, String) -> HTTPResponse) {
            self.bucketRegion = bucketRegion
            self.wrongRegion = wrongRegion
        }

        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            log.withLock { $0.append(request) }
            guard S3RegionRedirectTests.scope(request) == bucketRegion else {
                return wrongRegion(request, bucketRegion)
            }
            var headers: HTTPHeaders = [
                "ETag": "\"9b2cf535f27731c974343645a3985328\"", "x-amz-bucket-region": bucketRegion,
            ]
            if request.method == "GET" { headers.add("Content-Type", "application/json") }
            return HTTPResponse(status: 200, headers: headers, body: request.method == "GET" ? Array("{}".utf8) : [])
        }
    }

    static func scope(_ request: HTTPRequest) -> String? {
        request.headers["Authorization"]?.components(separatedBy: "Credential=").last?.split(separator: ",").first?
            .split(separator: "/").dropFirst(2).first.map(String.init)
    }

    static func host(_ request: HTTPRequest) -> String? { URL(string: request.url)?.host }

    static func client(_ transport: RegionalS3, region: String = "us-east-1", environment: [String: String] = [:])
        throws -> S3Client
    {
        let endpoints = EndpointResolver(region: region, environment: environment)
        let client = AWSClient(
            service: .s3, region: region, endpoint: try endpoints.resolve(.s3).endpoint,
            authentication: .sigV4(
                StaticCredentialProvider(
                    AWSCredentials(
                        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))),
            transport: transport, sleep: { _ in })
        return S3Client(client: client, endpoints: endpoints)
    }

    static let redirect: @Sendable (HTTPRequest, String) -> HTTPResponse = { request, region in
        HTTPResponse(
            status: 301, headers: ["x-amz-bucket-region": region, "Content-Type": "application/xml"],
            body: request.method == "HEAD" ? [] : Array(permanentRedirect.utf8))
    }

    @Test("a 301 PermanentRedirect is followed once to the bucket's host and scope, then the region is cached")
    func followsPermanentRedirect() throws {
        let transport = RegionalS3(bucketRegion: "eu-west-1", wrongRegion: Self.redirect)
        let s3 = try Self.client(transport)
        try s3.putObject(
            bucket: "reports", key: "incidents/a.json", body: Array("{}".utf8), contentType: "application/json")
        #expect(
            transport.requests.map(Self.host) == ["reports.s3.amazonaws.com", "reports.s3.eu-west-1.amazonaws.com"])
        #expect(transport.requests.map(Self.scope) == ["us-east-1", "eu-west-1"])
        #expect(s3.knownRegion(of: "reports") == "eu-west-1")
        // Later calls go straight to the bucket's region, copies of the client included.
        let copy = s3
        _ = try copy.getObject(bucket: "reports", key: "incidents/a.json")
        #expect(transport.requests.count == 3)
        #expect(transport.requests.last.flatMap(Self.host) == "reports.s3.eu-west-1.amazonaws.com")
        // Presigned links are signed for the bucket's region.
        let url = try s3.presignedGetURL(bucket: "reports", key: "incidents/a.json", expires: 3600)
        #expect(url.hasPrefix("https://reports.s3.eu-west-1.amazonaws.com/incidents/a.json?"))
        #expect(url.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
    }

    @Test("a link made before any request asks HeadBucket once, then is signed for the bucket's region")
    func presignLooksUp() throws {
        let transport = RegionalS3(bucketRegion: "eu-west-1", wrongRegion: Self.redirect)
        let s3 = try Self.client(transport)
        let url = try s3.presignedGetURL(bucket: "reports", key: "r.html", expires: 60)
        _ = try s3.presignedGetURLCapped(bucket: "reports", key: "r.md", expires: 60)
        #expect(transport.requests.map { "\($0.method) \(Self.host($0) ?? "")" } == ["HEAD reports.s3.amazonaws.com"])
        #expect(url.hasPrefix("https://reports.s3.eu-west-1.amazonaws.com/r.html?"))
        #expect(url.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
    }

    @Test("a HeadBucket refused (403, no s3:ListBucket without a prefix) still gives the bucket's region")
    func refusedHeadBucketStillNamesTheRegion() throws {
        // AWS: "regardless of the permissions on the bucket, you will receive a response header with
        // the correct bucket location"; a HEAD answer has no body.
        let transport = RegionalS3(bucketRegion: "eu-west-1") { _, region in
            HTTPResponse(status: 403, headers: ["x-amz-bucket-region": region], body: [])
        }
        let s3 = try Self.client(transport)
        #expect(try s3.bucketRegion("reports") == "eu-west-1")
        #expect(s3.knownRegion(of: "reports") == "eu-west-1")
        let url = try s3.presignedGetURL(bucket: "reports", key: "r.html", expires: 60)
        #expect(url.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
        #expect(transport.requests.count == 1)
    }

    @Test("400 AuthorizationHeaderMalformed names the region in its body")
    func followsAuthorizationHeaderMalformed() throws {
        let transport = RegionalS3(bucketRegion: "ap-southeast-2") { request, _ in
            let body =
                request.method == "HEAD"
                ? ""
                : S3RegionRedirectTests.headerMalformed
                    .replacingOccurrences(of: "eu-west-1", with: "ap-southeast-2")
            return HTTPResponse(status: 400, body: Array(body.utf8))
        }
        let s3 = try Self.client(transport, region: "eu-central-1")
        _ = try s3.getObjectIfPresent(bucket: "reports", key: "k")
        #expect(transport.requests.map(Self.scope) == ["eu-central-1", "ap-southeast-2"])
        #expect(transport.requests.last.flatMap(Self.host) == "reports.s3.ap-southeast-2.amazonaws.com")
    }

    @Test("a bodiless HeadObject 400 asks HeadBucket for the region, then retries")
    func headObjectLooksUp() throws {
        let transport = RegionalS3(bucketRegion: "eu-west-1") { request, region in
            // HEAD / on the bucket (HeadBucket) says where it is; HEAD on a key says nothing.
            let isBucket = URL(string: request.url)?.path == "/"
            return HTTPResponse(status: 400, headers: isBucket ? ["x-amz-bucket-region": region] : [:])
        }
        let s3 = try Self.client(transport)
        let info = try s3.headObject(bucket: "reports", key: "k")
        #expect(info?.etag == "\"9b2cf535f27731c974343645a3985328\"")
        #expect(transport.requests.map { URL(string: $0.url)?.path } == ["/k", "/", "/k"])
        #expect(transport.requests.map(Self.scope) == ["us-east-1", "us-east-1", "eu-west-1"])
    }

    @Test("only one redirect per request: a second wrong-region answer surfaces")
    func onlyOnce() throws {
        // A bucket that answers every region with a redirect to eu-west-1 (even eu-west-1 itself).
        let transport = RegionalS3(bucketRegion: "nowhere-1") { request, _ in Self.redirect(request, "eu-west-1") }
        let s3 = try Self.client(transport)
        #expect(throws: AWSError.self) { try s3.getObject(bucket: "reports", key: "k") }
        #expect(transport.requests.map(Self.scope) == ["us-east-1", "eu-west-1"])
    }

    @Test("FIPS and dual-stack hosts are kept when following a bucket; dotted names stay path-style")
    func variantsAndDots() throws {
        let transport = RegionalS3(bucketRegion: "us-west-2", wrongRegion: Self.redirect)
        let s3 = try Self.client(
            transport, environment: ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
        _ = try s3.getObject(bucket: "my.reports", key: "k")
        #expect(
            transport.requests.map { URL(string: $0.url).map { "\($0.host ?? "")\($0.path)" } } == [
                "s3-fips.dualstack.us-east-1.amazonaws.com/my.reports/k",
                "s3-fips.dualstack.us-west-2.amazonaws.com/my.reports/k",
            ])
    }
}
