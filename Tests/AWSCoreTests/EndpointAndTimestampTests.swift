import Foundation
import Testing

@testable import AWSCore

@Suite("endpoints, regions and timestamps")
struct EndpointAndTimestampTests {
    @Test("regional defaults use the host prefix, not the signing name")
    func defaults() throws {
        let resolver = EndpointResolver(region: "ap-southeast-1")
        #expect(
            try resolver.resolve(.cloudWatch).endpoint.description == "https://monitoring.ap-southeast-1.amazonaws.com/"
        )
        #expect(try resolver.resolve(.bedrockRuntime).endpoint.host == "bedrock-runtime.ap-southeast-1.amazonaws.com")
        #expect(AWSService.bedrockRuntime.signingName == "bedrock")
        // The control plane has its own host and key, and signs as `bedrock` too.
        #expect(try resolver.resolve(.bedrock).endpoint.host == "bedrock.ap-southeast-1.amazonaws.com")
        #expect(AWSService.bedrock.signingName == "bedrock")
        #expect(AWSService.cloudWatch.signingName == "monitoring")
        #expect(AWSService.elbv2.signingName == "elasticloadbalancing")
        #expect(EndpointResolver.defaultEndpoint(.sqs, region: "cn-north-1").host == "sqs.cn-north-1.amazonaws.com.cn")
    }

    @Test("the most specific setting wins; at equal specificity the file beats the environment")
    func precedence() throws {
        let environment = [
            "AWS_ENDPOINT_URL": "https://env-generic.example",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "https://env-bedrock.example",
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "https://env-logs.example",
            "AWS_ENDPOINT_URL_SQS": "https://env-sqs.example",
        ]
        let resolver = EndpointResolver(
            region: "us-east-1", configEndpointURL: "https://file-generic.example",
            configEndpoints: ["bedrock-runtime": "https://file-bedrock.example"], environment: environment)
        #expect(try resolver.resolve(.bedrockRuntime).source == "aws.endpoints.bedrock-runtime")
        #expect(try resolver.resolve(.logs).endpoint.host == "env-logs.example")
        #expect(try resolver.resolve(.sqs).source == "AWS_ENDPOINT_URL_SQS")
        #expect(try resolver.resolve(.ecs).endpoint.host == "file-generic.example")
        let envOnly = EndpointResolver(
            region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "https://env-generic.example"])
        #expect(try envOnly.resolve(.ecs).source == "AWS_ENDPOINT_URL")
        let ignoring = EndpointResolver(
            region: "us-east-1",
            environment: ["AWS_ENDPOINT_URL": "https://x.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
        #expect(try ignoring.resolve(.ecs).source == "regional default")
    }

    @Test("plain http is refused unless allowed")
    func httpPolicy() throws {
        let refused = EndpointResolver(region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566"])
        #expect(throws: EndpointResolver.ResolutionError.self) { try refused.resolve(.sqs) }
        let allowed = EndpointResolver(
            region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566"], allowHTTP: true)
        #expect(try allowed.resolve(.sqs).endpoint.hostHeader == "127.0.0.1:4566")
    }

    @Test("endpoint URL parsing and Host headers")
    func endpointParsing() throws {
        #expect(
            try AWSEndpoint(parsing: "https://vpce-1.sqs.us-east-1.vpce.amazonaws.com/").hostHeader
                == "vpce-1.sqs.us-east-1.vpce.amazonaws.com")
        #expect(try AWSEndpoint(parsing: "https://h:443").hostHeader == "h")
        #expect(try AWSEndpoint(parsing: "http://[::1]:8080/base/").url(path: "/x") == "http://[::1]:8080/base/x")
        for bad in ["ftp://h", "h:80", "https://", "https://h:99999", "https://user@h", "https://h/?q=1"] {
            #expect(throws: AWSEndpoint.ParseError.self) { try AWSEndpoint(parsing: bad) }
        }
        #expect(AWSService.named("LOGS") == .logs)
        #expect(AWSService.named("bedrock_runtime") == .bedrockRuntime)
        #expect(AWSService.named("bedrock") == .bedrock)
        #expect(AWSService.named("elbv2") == .elbv2)
        #expect(AWSService.named("dynamodb") == nil)
    }

    @Test("region precedence: config, AWS_REGION, AWS_DEFAULT_REGION, profile, instance metadata")
    func regionPrecedence() throws {
        let imds = FakeTransport { request, _ in
            request.method == "PUT" ? response(200, "tok") : response(200, "eu-north-1")
        }
        let metadata = InstanceMetadataClient(environment: [:], transport: imds)
        func region(_ settings: AWSSettings, _ env: [String: String], _ profile: [String: String]?) throws -> String {
            try AWSContext.resolveRegion(
                settings: settings, environment: env, profileSettings: profile, metadata: metadata
            ).0
        }
        let env = ["AWS_REGION": "us-west-1", "AWS_DEFAULT_REGION": "us-west-2"]
        #expect(try region(AWSSettings(region: "eu-west-1"), env, ["region": "p"]) == "eu-west-1")
        #expect(try region(AWSSettings(), env, ["region": "p"]) == "us-west-1")
        #expect(try region(AWSSettings(), ["AWS_DEFAULT_REGION": "us-west-2"], ["region": "p"]) == "us-west-2")
        #expect(try region(AWSSettings(), [:], ["region": "p"]) == "p")
        #expect(try region(AWSSettings(), [:], nil) == "eu-north-1")
        let disabled = InstanceMetadataClient(environment: ["AWS_EC2_METADATA_DISABLED": "true"], transport: imds)
        #expect(throws: AWSContext.ResolutionError.self) {
            try AWSContext.resolveRegion(
                settings: AWSSettings(), environment: [:], profileSettings: nil, metadata: disabled)
        }
    }

    @Test(
        "AWS timestamp forms",
        arguments: [
            ("2025-01-15T13:00:00Z", 1_736_946_000.0), ("2025-01-15T13:00:00.500Z", 1_736_946_000.5),
            ("2024-07-05T15:20:44.959+0000", 1_720_192_844.959), ("2025-01-15T14:00:00+01:00", 1_736_946_000.0),
            ("2025-01-15T08:00:00-0500", 1_736_946_000.0), ("2025-01-15T13:00:00", 1_736_946_000.0),
        ])
    func timestamps(_ text: String, _ epoch: Double) throws {
        let date = try #require(AWSTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.001)
    }

    @Test(
        "malformed timestamps are rejected",
        arguments: [
            "", "2025-13-01T00:00:00Z", "2025-01-15", "2025-01-15T13:00:00Q", "yesterday", "2025-01-15T13:00:00+1",
        ])
    func badTimestamps(_ text: String) {
        #expect(AWSTimestamp.parse(text) == nil)
    }

    @Test("timestamp formatting round-trips")
    func formatting() {
        #expect(AWSTimestamp.format(Date(timeIntervalSince1970: 1_736_946_000)) == "2025-01-15T13:00:00Z")
    }
}
