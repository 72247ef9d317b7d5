/// A configuration problem, naming the file, the line and the key, in one sentence.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file.
    public let file: String
    /// The 1-based line of the offending node, when known.
    public let line: Int?
    /// The dotted key path, e.g. `intake.poll_interval` (empty for the whole file).
    public let key: String
    /// What is wrong.
    public let reason: String

    public init(file: String, line: Int?, key: String, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(location): \(reason)" : "\(location): \(key): \(reason)"
    }
}
