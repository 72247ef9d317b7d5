/// A request that got no HTTP response: connection refused or reset, DNS failure, timeout, TLS
/// failure, a response over the size limit. Carries libcurl's code and error text.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was, for retry decisions.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or broke (retryable).
        case connection
        /// The connect or total timeout passed (retryable, costs more retry quota).
        case timeout
        /// The TLS handshake broke off (a reset or a middlebox mid-handshake; retryable like a
        /// broken connection, as the SDKs retry `SSLError` during connect).
        case tlsHandshake
        /// TLS failed for good: the peer certificate did not verify (never retried).
        case tls
        /// The response was larger than allowed (never retried).
        case responseTooLarge
        /// The URL or options were unusable (never retried).
        case invalidRequest
        /// Anything else libcurl reported.
        case other
    }

    /// The failure kind.
    public let kind: Kind
    /// The libcurl result code (0 when the failure was not libcurl's).
    public let curlCode: Int
    /// libcurl's message for the failure.
    public let message: String
    /// The URL that was being fetched, without its query (which may hold presigned credentials).
    public let url: String

    /// The kind of a libcurl result code (`CURLcode` numbers, stable across libcurl versions).
    /// HTTP/2 framing and stream errors (16 `CURLE_HTTP2`, 92 `CURLE_HTTP2_STREAM`, e.g. a
    /// `REFUSED_STREAM` or GOAWAY from a load balancer) count as a broken connection.
    public static func kind(curlCode: Int, tooLarge: Bool = false) -> Kind {
        switch curlCode {
        case 5, 6, 7, 16, 52, 55, 56, 18, 92: return .connection
        case 28: return .timeout
        case 35: return .tlsHandshake
        case 60, 77, 58, 53, 54, 59, 64, 66, 80, 83, 90, 91: return .tls
        case 23 where tooLarge: return .responseTooLarge
        case 1, 3: return .invalidRequest
        default: return .other
        }
    }

    public init(kind: Kind, curlCode: Int, message: String, url: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
        self.url = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    public var description: String {
        "HTTP request to \(url) failed: \(message) (curl code \(curlCode))"
    }
}
