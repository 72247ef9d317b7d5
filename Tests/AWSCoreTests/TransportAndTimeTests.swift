import Foundation
import Testing

@testable import AWSCore

@Suite("Transport and time: clock skew, TLS/HTTP2 retries, IMDSv1 fallback on a timed-out token")
struct TransportAndTimeTests {
    func client(_ service: AWSService, _ transport: FakeTransport, clock: ManualClock, sleeps: SleepLog = SleepLog())
        -> AWSClient
    {
        AWSClient(
            service: service, region: "us-east-1",
            endpoint: AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).us-east-1.amazonaws.com"),
            authentication: .sigV4(StaticCredentialProvider(AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s"))),
            transport: transport, clock: clock, sleep: { sleeps.record($0) }, random: { 0.5 })
    }

    @Test("RequestTimeTooSkewed: re-signed with the response Date, and later calls keep the correction")
    func s3Skew() throws {
        // The local clock is 2025-01-15T12:00:00Z; AWS's is 20 minutes later.
        let transport = FakeTransport { request, _ in
            request.headers["X-Amz-Date"] == "20250115T120000Z"
                ? response(
                    403,
                    "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>",
                    headers: ["Date": "Wed, 15 Jan 2025 12:20:00 GMT", "x-amz-request-id": "r1"])
                : response(200, "")
        }
        let sleeps = SleepLog()
        let s3 = client(.s3, transport, clock: ManualClock(), sleeps: sleeps)
        _ = try s3.rest("GetObject", method: "GET", path: "/b/k")
        #expect(transport.requests.map { $0.headers["X-Amz-Date"] } == ["20250115T120000Z", "20250115T122000Z"])
        #expect(s3.clockCorrection == 1200)
        #expect(sleeps.delays.isEmpty)
        _ = try s3.rest("GetObject", method: "GET", path: "/b/k")
        #expect(transport.requests.count == 3)
        #expect(transport.requests[2].headers["X-Amz-Date"] == "20250115T122000Z")
    }

    @Test("'Signature expired' and RequestExpired are skew, not expired credentials; a plain signature bug is not")
    func signatureExpired() throws {
        let expired = FakeTransport { request, _ in
            request.headers["X-Amz-Date"] == "20250115T120000Z"
                ? response(
                    400,
                    #"{"__type":"InvalidSignatureException","message":"Signature expired: 20250115T120000Z is now earlier than 20250115T120100Z (20250115T120600Z - 5 min.)"}"#,
                    headers: ["Date": "Wed, 15 Jan 2025 12:06:00 GMT"])
                : response(200, "{}")
        }
        let logs = client(.logs, expired, clock: ManualClock())
        _ = try logs.json("FilterLogEvents", body: Data("{}".utf8))
        #expect(logs.clockCorrection == 360)
        #expect(expired.requests.count == 2)

        #expect(!AWSError(code: "RequestExpired", message: "", httpStatus: 400, requestId: nil).isExpiredCredentials)
        let requestExpired = AWSError(
            code: "RequestExpired", message: "Request has expired.", httpStatus: 400, requestId: nil)
        #expect(
            ClockSkew.correction(
                for: requestExpired, responseDate: "Wed, 15 Jan 2025 11:50:00 GMT",
                localNow: Date(timeIntervalSince1970: 1_736_942_400)) == -600)

        // SignatureDoesNotMatch with clocks that agree is a signing bug: surfaced at once, nothing corrected.
        let mismatch = FakeTransport { _, _ in
            response(
                403,
                "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>",
                headers: ["Date": "Wed, 15 Jan 2025 12:00:30 GMT"])
        }
        let sts = client(.sts, mismatch, clock: ManualClock())
        #expect { try sts.query("GetCallerIdentity") } throws: { ($0 as? AWSError)?.code == "SignatureDoesNotMatch" }
        #expect(mismatch.requests.count == 1)
        #expect(sts.clockCorrection == 0)
    }

    @Test("the skew correction is tried once per call, not in a loop")
    func skewOnce() {
        let transport = FakeTransport { _, _ in
            response(
                403, "<Error><Code>RequestTimeTooSkewed</Code><Message>too large</Message></Error>",
                headers: ["Date": "Wed, 15 Jan 2025 12:20:00 GMT"])
        }
        #expect(throws: AWSError.self) {
            try client(.s3, transport, clock: ManualClock()).rest("GetObject", method: "GET", path: "/b/k")
        }
        #expect(transport.requests.count == 2)
    }

    @Test("HTTP Date headers parse as IMF-fixdate and nothing else")
    func httpDate() {
        #expect(
            AWSTimestamp.parseHTTPDate("Wed, 15 Jan 2025 12:00:00 GMT") == Date(timeIntervalSince1970: 1_736_942_400))
        #expect(AWSTimestamp.parseHTTPDate("2025-01-15T12:00:00Z") == nil)
        #expect(AWSTimestamp.parseHTTPDate("Wed, 15 Foo 2025 12:00:00 GMT") == nil)
    }

    @Test("TLS handshake and HTTP/2 stream errors are retried; certificate failures are not")
    func transientTransport() {
        #expect(TransportError.kind(curlCode: 35) == .tlsHandshake)
        #expect(TransportError.kind(curlCode: 16) == .connection)
        #expect(TransportError.kind(curlCode: 92) == .connection)
        #expect(TransportError.kind(curlCode: 60) == .tls)
        #expect(TransportError.kind(curlCode: 28) == .timeout)
        let policy = RetryPolicy()
        #expect(policy.retryCost(of: .transport(.tlsHandshake)) == RetryPolicy.retryCost)
        #expect(policy.retryCost(of: .transport(.tls)) == nil)
        let handshake = FakeTransport { request, index in
            if index == 0 {
                throw TransportError(
                    kind: TransportError.kind(curlCode: 35), curlCode: 35, message: "SSL connect error",
                    url: request.url)
            }
            if index == 1 {
                throw TransportError(
                    kind: TransportError.kind(curlCode: 92), curlCode: 92,
                    message: "Stream error in the HTTP/2 framing layer",
                    url: request.url)
            }
            return response(200, "<R><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></R>")
        }
        #expect(
            (try? client(.sts, handshake, clock: ManualClock()).query("GetCallerIdentity").string("Account")) == "1")
        #expect(handshake.requests.count == 3)
    }

    @Test("IMDSv2 token PUT timing out (hop limit 1) falls back to IMDSv1, unless IMDSv1 is disabled")
    func imdsHopLimit() throws {
        let transport = FakeTransport { request, _ in
            if request.method == "PUT" {
                throw TransportError(kind: .timeout, curlCode: 28, message: "Operation timed out", url: request.url)
            }
            return response(200, "eu-west-1")
        }
        let imds = InstanceMetadataClient(environment: [:], transport: transport)
        #expect(try imds.get("/latest/meta-data/placement/region") == "eu-west-1")
        #expect(try imds.get("/latest/meta-data/placement/region") == "eu-west-1")
        // One PUT only: the fallback is remembered instead of waiting for the timeout on every call.
        #expect(transport.requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(transport.requests[1].headers["X-aws-ec2-metadata-token"] == nil)
        #expect {
            try InstanceMetadataClient(environment: ["AWS_EC2_METADATA_V1_DISABLED": "true"], transport: transport)
                .get("/latest/meta-data/placement/region")
        } throws: { error in
            "\(error)".contains("HttpPutResponseHopLimit")
        }
        // A refused connection is not a hop-limit symptom: no silent fallback.
        let refused = FakeTransport { request, _ in
            throw TransportError(kind: .connection, curlCode: 7, message: "Connection refused", url: request.url)
        }
        #expect(throws: InstanceMetadataClient.MetadataError.self) {
            try InstanceMetadataClient(environment: [:], transport: refused).get("/latest/meta-data/placement/region")
        }
    }

    @Test("a presigned link never outlives the temporary credentials that signed it")
    func presignCap() throws {
        let clock = ManualClock()
        let expiring = AWSCredentials(
            accessKeyId: "ASIA", secretAccessKey: "s", sessionToken: "t",
            expiration: clock.now().addingTimeInterval(600))
        let transport = FakeTransport { _, _ in response(200) }
        func s3(_ credentials: AWSCredentials) -> AWSClient {
            AWSClient(
                service: .s3, region: "us-east-1", endpoint: AWSEndpoint(scheme: "https", host: "b.s3.amazonaws.com"),
                authentication: .sigV4(StaticCredentialProvider(credentials)), transport: transport, clock: clock)
        }
        let capped = try s3(expiring).presignedURLCapped(path: "/k", expires: 86_400)
        #expect(capped.expires == 600)
        #expect(capped.url.contains("X-Amz-Expires=600"))
        let permanent = try s3(AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s")).presignedURLCapped(
            path: "/k", expires: 86_400)
        #expect(permanent.expires == 86_400 && permanent.url.contains("X-Amz-Expires=86400"))
    }
}
