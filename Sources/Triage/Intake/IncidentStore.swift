import Foundation

/// Persists the tracker in the state directory as `incidents.json`, written atomically: a
/// temporary file is written and fsynced, renamed over the old one, and the directory fsynced, so a
/// `kill -9` at any moment leaves either the old state or the new one, never a torn file.
public struct IncidentStore: Sendable {
    /// A state file that cannot be used.
    public struct StoreError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public var file: URL { directory.appendingPathComponent("incidents.json") }

    public init(directory: URL) {
        self.directory = directory
    }

    /// The saved tracker, or nil when none was saved yet.
    public func load() throws -> IncidentTracker? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw StoreError(description: "cannot read \(file.path)")
        }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .millisecondsSince1970
            return try decoder.decode(IncidentTracker.self, from: data)
        } catch {
            throw StoreError(description: "\(file.path) is not a valid incident state file: \(error)")
        }
    }

    /// Saves `tracker` atomically and durably.
    public func save(_ tracker: IncidentTracker) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(tracker)
        let temporary = directory.appendingPathComponent(".incidents.json.\(getpid()).tmp")
        try Self.writeSynced(data, to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw StoreError(description: "cannot rename state file into \(file.path): \(reason)")
        }
        // The rename itself must reach the disk too.
        let directoryDescriptor = open(directory.path, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func writeSynced(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                throw StoreError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw StoreError(description: "cannot fsync \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
