import AWSCore
import AWSServices
import Foundation
import Synchronization
import Testing

@testable import Triage

/// Evidence clients for a region other than the home one must send to that region's host and
/// sign for that region (a home-region host with another region's signature is refused by AWS).
@Suite("evidence clients per region")
struct AccountRouterRegionTests {
    /// Answers every call with an empty DescribeAlarms result, recording the requests.
    final class RecordingTransport: HTTPTransport {
        private let log = Mutex<[HTTPRequest]>([])
        var requests: [HTTPRequest] { log.withLock { $0 } }

        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            log.withLock { $0.append(request) }
            let body = """
                <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
                  <DescribeAlarmsResult><MetricAlarms/><CompositeAlarms/></DescribeAlarmsResult>
                  <ResponseMetadata><RequestId>f2a3c2a4-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
                </DescribeAlarmsResponse>
                """
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
        }
    }

    static func context(_ transport: RecordingTransport, environment extra: [String: String] = [:]) throws -> AWSContext
    {
        try AWSContext.resolve(
            settings: AWSSettings(region: "us-east-1"),
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
            ].merging(extra) { $1 },
            transport: transport)
    }

    static func scope(_ request: HTTPRequest) -> String? {
        guard let authorization = request.headers["Authorization"],
            let credential = authorization.split(separator: " ").first(where: { $0.hasPrefix("Credential=") })
        else { return nil }
        // Credential=AKID/yyyymmdd/<region>/<service>/aws4_request,
        let parts = credential.dropFirst("Credential=".count).split(separator: "/")
        return parts.count >= 4 ? "\(parts[2])/\(parts[3])" : nil
    }

    @Test("another region's evidence clients use that region's host and credential scope")
    func otherRegionHost() throws {
        let transport = RecordingTransport()
        let router = try AccountRouter(home: try Self.context(transport), homeAccount: "123456789012", roles: [])
        for region in ["eu-west-1", "cn-north-1", "us-east-1"] {
            let cloudWatch = try #require(try router.cloudWatch(account: "123456789012", region: region))
            _ = try cloudWatch.describeAlarms(names: ["prodapp-alb-5xx"])
        }
        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(
            requests.map { URL(string: $0.url)?.host } == [
                "monitoring.eu-west-1.amazonaws.com", "monitoring.cn-north-1.amazonaws.com.cn",
                "monitoring.us-east-1.amazonaws.com",
            ])
        #expect(requests.map { $0.headers["Host"] } == requests.map { URL(string: $0.url)?.host })
        #expect(requests.map(Self.scope) == ["eu-west-1/monitoring", "cn-north-1/monitoring", "us-east-1/monitoring"])
    }

    @Test("with a configured endpoint every region goes there, each signed for its own region")
    func configuredEndpointKeepsRegion() throws {
        let transport = RecordingTransport()
        let context = try Self.context(
            transport, environment: ["AWS_ENDPOINT_URL_CLOUDWATCH": "https://monitoring.proxy.example"])
        let router = try AccountRouter(home: context, homeAccount: "123456789012", roles: [])
        _ = try #require(try router.cloudWatch(account: "123456789012", region: "ap-southeast-2"))
            .describeAlarms(names: ["a"])
        let request = try #require(transport.requests.first)
        #expect(URL(string: request.url)?.host == "monitoring.proxy.example")
        #expect(Self.scope(request) == "ap-southeast-2/monitoring")
    }

    @Test("FIPS applies to evidence clients in every region")
    func fipsEverywhere() throws {
        let transport = RecordingTransport()
        let router = try AccountRouter(
            home: try Self.context(transport, environment: ["AWS_USE_FIPS_ENDPOINT": "true"]),
            homeAccount: "123456789012", roles: [])
        _ = try #require(try router.cloudWatch(account: "123456789012", region: "us-west-2")).describeAlarms(names: [
            "a"
        ])
        #expect(
            transport.requests.first.flatMap { URL(string: $0.url)?.host } == "monitoring-fips.us-west-2.amazonaws.com")
    }
}
