import Foundation
import Synchronization
import Testing

@testable import AWSCore

@Suite("AWS client: signing, retries, credential refresh")
struct AWSClientTests {
    let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")

    func client(
        _ service: AWSService, _ transport: FakeTransport, provider: (any CredentialProvider)? = nil,
        clock: ManualClock = ManualClock(), sleeps: SleepLog = SleepLog()
    ) -> AWSClient {
        AWSClient(
            service: service, region: "us-east-1",
            endpoint: AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).us-east-1.amazonaws.com"),
            authentication: .sigV4(provider ?? StaticCredentialProvider(credentials)), transport: transport,
            clock: clock,
            sleep: { delay in
                sleeps.record(delay); clock.advance(delay)
            },
            random: { 0.5 })
    }

    @Test("query requests: form body, signed headers, result element")
    func queryRequest() throws {
        let transport = FakeTransport { _, _ in
            response(
                200,
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
            )
        }
        let result = try client(.sts, transport).query("GetCallerIdentity")
        #expect(result.string("Account") == "123")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.us-east-1.amazonaws.com/")
        #expect(String(decoding: request.body, as: UTF8.self) == "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(request.headers["Host"] == "sts.us-east-1.amazonaws.com")
        #expect(request.headers["X-Amz-Date"] == "20250115T120000Z")
        #expect(
            request.headers["Authorization"]?.contains(
                "Credential=AKIDEXAMPLE/20250115/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date,"
            ) == true)
        #expect(request.headers["User-Agent"]?.hasPrefix("triaged/") == true)
    }

    @Test("JSON requests carry X-Amz-Target, the JSON version and query mode for query-compatible services")
    func jsonRequest() throws {
        let transport = FakeTransport { _, _ in response(200, "{}") }
        _ = try client(.sqs, transport).json("ReceiveMessage", body: Data("{}".utf8))
        let request = try #require(transport.requests.first)
        #expect(request.headers["X-Amz-Target"] == "AmazonSQS.ReceiveMessage")
        #expect(request.headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(request.headers["x-amzn-query-mode"] == "true")
        #expect(request.headers["Authorization"]?.contains("x-amz-target;x-amzn-query-mode") == true)
        _ = try client(.ecs, transport).json("ListServices", body: Data("{}".utf8))
        #expect(transport.requests[1].headers["Content-Type"] == "application/x-amz-json-1.1")
        #expect(transport.requests[1].headers["x-amzn-query-mode"] == nil)
    }

    @Test("a throttled call succeeds on retry, re-signed with a new date, after a jittered backoff")
    func throttledThenSuccess() throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, index in
            clock.advance(2)  // the failed exchange takes time: the retry must carry a new date
            return index == 0
                ? response(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
                : response(200, #"{"ok":true}"#)
        }
        let sleeps = SleepLog()
        let c = client(.logs, transport, clock: clock, sleeps: sleeps)
        _ = try c.json("FilterLogEvents", body: Data("{}".utf8))
        #expect(transport.requests.count == 2)
        #expect(sleeps.delays == [0.5])
        #expect(transport.requests[0].headers["X-Amz-Date"] == "20250115T120000Z")
        #expect(transport.requests[1].headers["X-Amz-Date"] == "20250115T120002Z")
        #expect(transport.requests[0].headers["Authorization"] != transport.requests[1].headers["Authorization"])
        #expect(c.retryTokensAvailable == 500)
    }

    @Test("non-retryable errors surface at once with code, message and request id")
    func validationError() {
        let transport = FakeTransport { _, _ in
            response(
                400, #"{"__type":"InvalidParameterException","message":"bad cluster"}"#,
                headers: ["x-amzn-RequestId": "r-9"])
        }
        #expect {
            try client(.ecs, transport).json("DescribeServices", body: Data("{}".utf8))
        } throws: { error in
            let aws = error as? AWSError
            return aws?.code == "InvalidParameterException" && aws?.requestId == "r-9" && aws?.message == "bad cluster"
        }
        #expect(transport.requests.count == 1)
    }

    @Test("503s are tried three times in all, then the last error is thrown")
    func attemptsExhausted() {
        let transport = FakeTransport { _, _ in
            response(503, "<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>")
        }
        #expect { try client(.s3, transport).rest("GetObject", method: "GET", path: "/b/k") } throws: { error in
            (error as? AWSError)?.code == "SlowDown"
        }
        #expect(transport.requests.count == 3)
    }

    @Test("connection failures are retried; TLS failures are not")
    func transportErrors() {
        let refused = FakeTransport { request, _ in
            throw TransportError(kind: .connection, curlCode: 7, message: "Connection refused", url: request.url)
        }
        #expect(throws: TransportError.self) { try client(.sts, refused).query("GetCallerIdentity") }
        #expect(refused.requests.count == 3)
        let tls = FakeTransport { request, _ in
            throw TransportError(kind: .tls, curlCode: 60, message: "SSL certificate problem", url: request.url)
        }
        #expect(throws: TransportError.self) { try client(.sts, tls).query("GetCallerIdentity") }
        #expect(tls.requests.count == 1)
    }

    @Test("ExpiredToken refreshes credentials and re-signs once")
    func expiredTokenRefresh() throws {
        let first = AWSCredentials(accessKeyId: "ASIAFIRST", secretAccessKey: "s1", sessionToken: "t1")
        let second = AWSCredentials(accessKeyId: "ASIASECOND", secretAccessKey: "s2", sessionToken: "t2")
        let provider = SequenceProvider([first, second])
        let transport = FakeTransport { request, _ in
            request.headers["X-Amz-Security-Token"] == "t1"
                ? response(
                    400,
                    "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>")
                : response(200, "<R><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></R>")
        }
        let result = try client(.sts, transport, provider: provider).query("GetCallerIdentity")
        #expect(result.string("Account") == "1")
        #expect(provider.fetches == 2)
        #expect(transport.requests.last?.headers["Authorization"]?.contains("ASIASECOND") == true)
    }

    @Test("unsigned clients send no Authorization (AssumeRoleWithWebIdentity)")
    func unsigned() throws {
        let transport = FakeTransport { _, _ in response(200, "<R/>") }
        let sts = AWSClient(
            service: .sts, region: "us-east-1",
            endpoint: try AWSEndpoint(parsing: "https://sts.us-east-1.amazonaws.com"),
            authentication: .none, transport: transport)
        _ = try sts.query("AssumeRoleWithWebIdentity")
        #expect(transport.requests.first?.headers["Authorization"] == nil)
        #expect(transport.requests.first?.headers["X-Amz-Date"] == nil)
    }

    @Test("the quota drains under a sustained outage and stops retrying")
    func quotaDrains() {
        let transport = FakeTransport { _, _ in response(500, "") }
        let c = client(.sts, transport)
        for _ in 0..<60 { _ = try? c.query("GetCallerIdentity") }
        // 500 tokens at 5 per retry: at most 100 retries across all calls, then first attempts only.
        #expect(transport.requests.count == 60 + 100)
        #expect(c.retryTokensAvailable < 5)
    }
}
