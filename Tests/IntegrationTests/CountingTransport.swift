import AWSCore
import Foundation
import Synchronization

/// The real curl transport, counting requests per path and target so tests can see batching and paging.
final class CountingTransport: HTTPTransport {
    private let inner = CurlTransport()
    private let counts = Mutex<[String: Int]>([:])

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let key = request.headers["X-Amz-Target"] ?? (URL(string: request.url)?.path ?? request.url)
        counts.withLock { $0[key, default: 0] += 1 }
        return try inner.send(request)
    }

    func count(_ key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
}
