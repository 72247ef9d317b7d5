import AWSSigning
import Foundation
import Testing

@Suite("SigV4 signer edge cases")
struct SigV4SignerTests {
    let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    @Test("signing key matches the IAM guide's known answer")
    func signingKeyKnownAnswer() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "iam")
        #expect(
            Digest.hex(signer.signingKey(dateStamp: "20150830"))
                == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test("presign expiry outside 1…604800 seconds is refused", arguments: [0, -5, 604_801, 10_000_000])
    func presignExpiryBounds(_ expires: Int) {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "s3")
        let request = SigV4Request(
            method: "GET", path: "/bucket/key", headers: ["Host": "s3.us-east-1.amazonaws.com"], payload: .unsigned)
        #expect(throws: SigV4Error.expiresOutOfRange(expires)) {
            try signer.presign(request, at: Date(timeIntervalSince1970: 0), expires: expires)
        }
    }

    @Test("presign expiry at the bounds is accepted", arguments: [1, 604_800])
    func presignExpiryEdges(_ expires: Int) throws {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "s3")
        let request = SigV4Request(
            method: "GET", path: "/k", headers: ["Host": "b.s3.us-east-1.amazonaws.com"], payload: .unsigned)
        let result = try signer.presign(request, at: Date(timeIntervalSince1970: 0), expires: expires)
        #expect(result.query.contains("X-Amz-Expires=\(expires)&"))
        #expect(result.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test("non-S3 paths are encoded twice, S3 paths are kept verbatim")
    func pathStyles() {
        let bedrock = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "bedrock")
        #expect(
            bedrock.canonicalURI("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse")
                == "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Ainference-profile%252Fus.x/converse")
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "s3")
        #expect(s3.canonicalURI("/a/./b/../c%2Bd%3A") == "/a/./b/../c%2Bd%3A")
        #expect(s3.canonicalURI("") == "/")
    }

    @Test("session token is signed, S3 gets the content hash, user-agent and expect are not signed")
    func signedHeaderSelection() throws {
        var temporary = credentials
        temporary.sessionToken = "token/with+chars=="
        let signer = SigV4Signer(credentials: temporary, region: "eu-west-1", signingName: "s3")
        let request = SigV4Request(
            method: "PUT", path: "/key",
            headers: [
                "Host": "b.s3.eu-west-1.amazonaws.com", "User-Agent": "triaged", "Expect": "", "If-None-Match": "*",
            ],
            payload: .bytes(Array("hello".utf8)))
        let result = try signer.sign(request, at: Date(timeIntervalSince1970: 1_736_942_400))
        #expect(result.signedHeaders == "host;if-none-match;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        #expect(result.headers["X-Amz-Security-Token"] == "token/with+chars==")
        #expect(
            result.headers["X-Amz-Content-SHA256"]
                == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(
            result.headers["Authorization"]?.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/eu-west-1/s3/aws4_request, SignedHeaders=") == true)
    }

    @Test("header block: ASCII-only lower-casing at the A-Z edges, trimmed and collapsed values, repeats joined")
    func canonicalHeaderBlock() throws {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "sts")
        // Names and values longer than eight bytes, so whole-word paths run; `@` and `[` sit just
        // outside A-Z, `` ` `` and `{` just outside a-z. Signing replaces X-Amz-Date and drops Authorization.
        let headers = HTTPHeaders([
            .init(name: "Host", value: "example.amazonaws.com"),
            .init(name: "X-Amz-Meta-@[`{^_~|AZaz-Long-Name", value: "edge"),
            .init(name: "X-AMZ-META-SPACES", value: "  first   second\tthird  fourth-long-enough  "),
            .init(name: "x-amz-meta-greeting", value: "Grüße aus Köln"),
            .init(name: "X-Amz-Date", value: "stale"),
            .init(name: "authorization", value: "old"),
            .init(name: "X-Amz-Meta-Greeting", value: "again\r\n  folded"),
            .init(name: "X-Amz-Meta-Tight", value: "abcdefgh  ijklmnop qrstuvwx"),
        ])
        let request = SigV4Request(method: "get", path: "/", headers: headers, payload: .bytes([]))
        let result = try signer.sign(request, at: Date(timeIntervalSince1970: 1_736_942_400))
        let lines = result.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "GET")
        #expect(
            Array(lines[3..<11]) == [
                "host:example.amazonaws.com",
                "x-amz-date:20250115T120000Z",
                "x-amz-meta-@[`{^_~|azaz-long-name:edge",
                "x-amz-meta-greeting:Grüße aus Köln,again folded",
                "x-amz-meta-spaces:first second third fourth-long-enough",
                "x-amz-meta-tight:abcdefgh ijklmnop qrstuvwx",
                "",
                "host;x-amz-date;x-amz-meta-@[`{^_~|azaz-long-name;x-amz-meta-greeting;x-amz-meta-spaces;"
                    + "x-amz-meta-tight",
            ])
        #expect(
            result.headers.fields.filter { $0.name.lowercased() == "x-amz-date" }.map(\.value) == ["20250115T120000Z"])
        #expect(result.headers.fields.filter { $0.name.lowercased() == "authorization" }.count == 1)
    }

    @Test("a request without Host cannot be signed")
    func missingHost() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", signingName: "sts")
        let request = SigV4Request(method: "POST", path: "/", headers: [:], payload: .bytes([]))
        #expect(throws: SigV4Error.missingHost) { try signer.sign(request, at: Date()) }
    }

    @Test("UTC date formatting across leap years and centuries")
    func dates() {
        #expect(AMZDate(Date(timeIntervalSince1970: 0)).timestamp == "19700101T000000Z")
        #expect(AMZDate(Date(timeIntervalSince1970: 951_782_400)).timestamp == "20000229T000000Z")
        #expect(AMZDate(Date(timeIntervalSince1970: 4_102_444_799)).timestamp == "20991231T235959Z")
        #expect(AMZDate(Date(timeIntervalSince1970: -1)).timestamp == "19691231T235959Z")
    }

    @Test("percent encoding keeps only the unreserved set")
    func encoding() {
        #expect(SigV4Encoding.uriEncode("a b+c:d/e~f*", keepSlash: false) == "a%20b%2Bc%3Ad%2Fe~f%2A")
        #expect(SigV4Encoding.uriEncode("ሴ/x", keepSlash: true) == "%E1%88%B4/x")
        #expect(SigV4Encoding.percentDecode("%E1%88%B4%2x%") == "ሴ%2x%")
        #expect(SigV4Signer.canonicalQuery("b=2&a=%2F&a=1&c") == "a=%2F&a=1&b=2&c=")
    }
}
