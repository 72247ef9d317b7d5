/// A request that got no HTTP response: connection refused or reset, DNS failure, timeout, TLS
/// failure, a response over the size limit. Carries libcurl's code and error text.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was, for retry decisions.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or broke (retryable).
        case connection
        /// The connect or total timeout passed (retryable, costs more retry quota).
        case timeout
        /// TLS failed, e.g. the peer certificate did not verify (never retried).
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
