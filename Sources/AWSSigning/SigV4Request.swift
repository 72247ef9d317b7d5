/// What the signer needs to know about one HTTP request.
public struct SigV4Request: Sendable {
    /// How the payload enters the signature.
    public enum Payload: Sendable, Equatable {
        /// Hash these exact body bytes.
        case bytes([UInt8])
        /// A hex SHA-256 computed elsewhere.
        case hash(String)
        /// `UNSIGNED-PAYLOAD` (S3 only): the body is not covered by the signature.
        case unsigned
    }

    /// HTTP method, e.g. `POST`.
    public var method: String
    /// The path exactly as it goes on the wire (already percent-encoded once), e.g. `/model/a%3A0/invoke`.
    public var path: String
    /// The query string as it goes on the wire, without the leading `?`; empty when there is none.
    public var query: String
    /// Headers to send, `Host` included (with `:port` when the port is not the scheme's default).
    public var headers: HTTPHeaders
    /// The payload.
    public var payload: Payload

    public init(method: String, path: String, query: String = "", headers: HTTPHeaders, payload: Payload) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }
}

/// Everything a signing step produced: the headers to add and the intermediate strings, which
/// tests compare against AWS's published suites and operators compare against a server's
/// `SignatureDoesNotMatch` message.
public struct SigV4Signature: Sendable, Equatable {
    /// The canonical request, the string to sign and the hex signature end to end, as the signer
    /// wrote them (one buffer); the strings below are made from it only when asked for.
    let bytes: [UInt8]
    /// Where the string to sign starts in `bytes` (the canonical request ends there).
    let stringToSignStart: Int
    /// Where the hex signature starts in `bytes` (it runs to the end).
    let signatureStart: Int
    /// The `SignedHeaders` list's bytes, a line of the canonical request.
    let signedHeadersRange: Range<Int>

    /// The canonical request's bytes.
    public var canonicalRequestBytes: [UInt8] { Array(bytes[..<stringToSignStart]) }
    /// The string to sign's bytes.
    public var stringToSignBytes: [UInt8] { Array(bytes[stringToSignStart..<signatureStart]) }
    /// The canonical request.
    public var canonicalRequest: String { String(decoding: bytes[..<stringToSignStart], as: UTF8.self) }
    /// The string to sign.
    public var stringToSign: String { String(decoding: bytes[stringToSignStart..<signatureStart], as: UTF8.self) }
    /// The lower-case hex signature.
    public var signature: String { String(decoding: bytes[signatureStart...], as: UTF8.self) }
    /// The `SignedHeaders` list, e.g. `content-type;host;x-amz-date`.
    public var signedHeaders: String { String(decoding: bytes[signedHeadersRange], as: UTF8.self) }
    /// Header signing: the request's headers with `X-Amz-Date`, the session token, the S3 content
    /// hash and `Authorization` added. Presigning: the request's headers unchanged.
    public let headers: HTTPHeaders
    /// Presigning: the full query string to send (original parameters, the `X-Amz-*` ones and the
    /// signature). Header signing: the original query.
    public let query: String
}

/// A signing failure: the request cannot be signed as asked.
public struct SigV4Error: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable { case expiresOutOfRange(Int), missingHost }
    private let code: Code

    /// Presigned URLs live between 1 second and 7 days (604800 s).
    public static func expiresOutOfRange(_ seconds: Int) -> SigV4Error { SigV4Error(code: .expiresOutOfRange(seconds)) }
    /// Every SigV4 request must sign `Host`.
    public static let missingHost = SigV4Error(code: .missingHost)

    public var description: String {
        switch code {
        case .expiresOutOfRange(let seconds):
            return "presigned URL expiry \(seconds)s is outside 1…604800 seconds (7 days)"
        case .missingHost:
            return "the request has no Host header to sign"
        }
    }
}
