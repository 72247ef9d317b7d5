import Foundation

/// Persists the tracker in the state directory as `incidents.json`, written with `DurableFile`, so
/// a `kill -9` at any moment leaves either the old state or the new one, never a torn file.
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
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        do {
            try DurableFile.replace(file, with: Array(try encoder.encode(tracker)))
        } catch let error as DurableFile.WriteError {
            throw StoreError(description: error.description)
        }
    }
}
