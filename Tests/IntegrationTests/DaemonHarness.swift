import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A `$NOTIFY_SOCKET` for a test: a datagram socket that collects what the daemon tells systemd.
final class NotifyListener: @unchecked Sendable {
    final class Inbox: Sendable {
        let received = Mutex<[String]>([])
        let running = Atomic<Bool>(true)
    }

    let path: String
    private let descriptor: Int32
    private let inbox = Inbox()
    private let thread: Thread

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        descriptor = socketDescriptor
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard socketDescriptor >= 0, bound == 0 else {
            throw LocalAWSWorld.WorldError(message: "cannot bind \(path): \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let inbox = self.inbox
        thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while inbox.running.load(ordering: .relaxed) {
                let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    let text = String(decoding: buffer[0..<count], as: UTF8.self)
                    inbox.received.withLock { $0.append(text) }
                }
            }
        }
        thread.start()
    }

    /// Every datagram so far.
    var messages: [String] { inbox.received.withLock { $0 } }

    /// Waits until a datagram contains `assignment` (e.g. `READY=1`).
    @discardableResult
    func wait(for assignment: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if messages.contains(where: { $0.split(separator: "\n").contains { $0 == assignment } }) { return true }
            usleep(50_000)
        }
        return false
    }

    func close() {
        guard inbox.running.exchange(false, ordering: .relaxed) else { return }
        usleep(300_000)
        Glibc.close(descriptor)
        unlink(path)
    }

    deinit { close() }
}

/// `triaged run` started for a test, its output collected into a file, stopped by PID.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let output: URL

    init(config: URL, environment: [String: String]) throws {
        guard let binary = TriagedBinary.url else {
            throw LocalAWSWorld.WorldError(message: "the triaged executable was not built")
        }
        output = FileManager.default.temporaryDirectory.appendingPathComponent("triaged-run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = binary
        process.arguments = ["run", "--config", config.path]
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        process.environment = env
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The JSON log lines (metric lines and others skipped).
    var events: [[String: Any]] {
        log.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["msg"] != nil }
    }

    func waitForLog(_ message: String, count: Int = 1, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if events.filter({ $0["msg"] as? String == message }).count >= count { return true }
            if !process.isRunning { return false }
            usleep(100_000)
        }
        return false
    }

    /// Whether the process has taken `signal` over (its bit set in `SigCgt` or `SigIgn` of
    /// `/proc/<pid>/status`, proc(5)), so sending it no longer ends the process.
    func handles(_ signal: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return false }
        let bit = UInt64(1) << UInt64(signal - 1)
        return status.split(separator: "\n").contains { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "SigCgt" || parts[0] == "SigIgn",
                let mask = UInt64(parts[1].trimmingCharacters(in: .whitespaces), radix: 16)
            else { return false }
            return mask & bit != 0
        }
    }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the exit; nil when it did not exit within `timeout`.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: output)
    }
}

/// Polls `condition` every 50 ms until it holds (true) or `timeout` passes (false): a condition
/// waited for with a bounded deadline, never a fixed sleep.
func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(50_000)
    }
}
