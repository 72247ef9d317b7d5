import AWSSigning
import Foundation

/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    /// HTTP method (`GET`, `PUT`, `POST`, `HEAD`, …).
    public var method: String
    /// The full URL, already percent-encoded exactly as it must go on the wire.
    public var url: String
    /// Request headers in order; the transport adds nothing that is signed.
    public var headers: HTTPHeaders
    /// The body bytes (empty for none).
    public var body: [UInt8]
    /// Time allowed to establish the connection.
    public var connectTimeout: TimeInterval
    /// Time allowed for the whole exchange.
    public var timeout: TimeInterval
    /// Responses larger than this are cut off with an error, so a hostile or broken peer cannot
    /// exhaust memory.
    public var maxResponseBytes: Int

    public init(
        method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [], connectTimeout: TimeInterval = 5,
        timeout: TimeInterval = 30, maxResponseBytes: Int = 64 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Response headers of the final response (interim 100-continue headers are dropped).
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends HTTP requests. Calls block the calling thread; implementations are safe to use from many
/// threads at once.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, or throws `TransportError` when no response came.
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
