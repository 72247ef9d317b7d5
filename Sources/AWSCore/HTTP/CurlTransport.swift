import Synchronization

/// `HTTPTransport` over libcurl. Easy handles are pooled and reused, so each keeps its open
/// (TLS) connections alive across calls; a handle serves one request at a time.
public final class CurlTransport: HTTPTransport {
    private let idle = Mutex<[CurlEasy]>([])
    private let maxIdle: Int

    /// Creates a transport that keeps at most `maxIdleHandles` idle handles (and their connections).
    public init(maxIdleHandles: Int = 16) {
        self.maxIdle = maxIdleHandles
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let easy = try idle.withLock { $0.popLast() } ?? CurlEasy()
        defer {
            idle.withLock { handles in
                if handles.count < maxIdle { handles.append(easy) }
            }
        }
        return try easy.perform(request)
    }
}
