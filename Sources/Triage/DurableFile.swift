import Foundation

/// Atomic, durable file replacement: a temporary file in the same directory is written and
/// fsynced, renamed over the target, and the directory fsynced, so a `kill -9` at any moment leaves
/// either the old content or the new one, never a torn file.
public enum DurableFile {
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func replace(_ url: URL, with bytes: [UInt8], mode: mode_t = 0o600) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try writeSynced(bytes, to: temporary, mode: mode)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw WriteError(description: "cannot rename a temporary file into \(url.path): \(reason)")
        }
        // The rename itself must reach the disk too.
        let descriptor = open(directory.path, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    private static func writeSynced(_ bytes: [UInt8], to url: URL, mode: mode_t) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard descriptor >= 0 else {
            throw WriteError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                throw WriteError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw WriteError(description: "cannot fsync \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
