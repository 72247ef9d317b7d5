import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for transport tests: keep-alive, Content-Length bodies,
/// a handler per request, and counters of connections and raw request lines. Stopped by `stop()`.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request {
        let method: String
        let target: String
        let headers: [(String, String)]
        let body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    struct Reply {
        var status = 200
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var delay: TimeInterval = 0
        var closeWithoutResponse = false
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let state = Mutex<(connections: Int, requests: [Request], open: [Int32])>((0, [], []))
    private let running = Atomic<Bool>(true)
    private var acceptThread: Thread?

    init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [unowned self] in self.acceptLoop() }
        acceptThread = thread
        thread.start()
    }

    var connectionCount: Int { state.withLock { $0.connections } }
    var requests: [Request] { state.withLock { $0.requests } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        guard running.exchange(false, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in state.withLock({ $0.open }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while running.load(ordering: .sequentiallyConsistent) {
            let fd = accept(listener, nil, nil)
            if fd < 0 { break }
            state.withLock {
                $0.connections += 1
                $0.open.append(fd)
            }
            Thread { [unowned self] in self.serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        while running.load(ordering: .sequentiallyConsistent) {
            var headerEnd: Int?
            while headerEnd == nil {
                if let range = findHeaderEnd(buffer) { headerEnd = range } else if !fill() { return }
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
            buffer.removeFirst(headerEnd! + 4)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count >= 2 else { return }
            let headers = lines.compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
            while buffer.count < length { if !fill() { return } }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            let request = Request(
                method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
            state.withLock { $0.requests.append(request) }
            let reply = handler(request)
            if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
            if reply.closeWithoutResponse { return }
            var response = "HTTP/1.1 \(reply.status) Status\r\nContent-Length: \(reply.body.count)\r\n"
            for (name, value) in reply.headers { response += "\(name): \(value)\r\n" }
            response += "\r\n"
            var bytes = Array(response.utf8)
            if request.method != "HEAD" { bytes += reply.body }
            var sent = 0
            while sent < bytes.count {
                // MSG_NOSIGNAL: a peer that already hung up must not SIGPIPE the test process.
                let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                sent += count
            }
        }
    }

    private func findHeaderEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
