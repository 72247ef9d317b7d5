import Foundation
import Testing

@testable import AWSSigning

@Suite("SHA-256, HMAC and the signing-key cache")
struct DigestTests {
    @Test("HMAC-SHA-256 matches RFC 4231 (short key, long key hashed first)")
    func rfc4231() {
        #expect(
            Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), data: "what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Digest.hex(
                Digest.hmacSHA256(
                    key: [UInt8](repeating: 0xaa, count: 131),
                    data: "Test Using Larger Than Block-Size Key - Hash Key First"))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Digest.hex(Digest.sha256([])) == Digest.emptyPayloadHash)
        #expect(Digest.hex(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a reused access key id with another secret never gets the cached key of the first")
    func cacheKeysOnTheSecret() {
        let first = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDCACHETEST", secretAccessKey: "one"), region: "us-east-1",
            signingName: "sqs")
        let second = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDCACHETEST", secretAccessKey: "two"), region: "us-east-1",
            signingName: "sqs")
        let a = first.signingKey(dateStamp: "20261125")
        let b = second.signingKey(dateStamp: "20261125")
        #expect(a != b)
        #expect(a == first.deriveSigningKey(dateStamp: "20261125"))
        #expect(b == second.deriveSigningKey(dateStamp: "20261125"))
        #expect(first.signingKey(dateStamp: "20261126") == first.deriveSigningKey(dateStamp: "20261126"))
    }
}
