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

        var hashValue: String {
            switch self {
            case .bytes(let bytes): return bytes.isEmpty ? Digest.emptyPayloadHash : Digest.sha256Hex(bytes)
            case .hash(let hash): return hash
            case .unsigned: return "UNSIGNED-PAYLOAD"
            }
        }
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
    /// The canonical request's bytes (kept as bytes: the signer hashes them, and a String is made only
    /// when asked for).
    public let canonicalRequestBytes: [UInt8]
    /// The string to sign's bytes.
    public let stringToSignBytes: [UInt8]
    /// The canonical request.
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    /// The string to sign.
    public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    /// The lower-case hex signature.
    public let signature: String
    /// The `SignedHeaders` list, e.g. `content-type;host;x-amz-date`.
    public let signedHeaders: String
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
