/// One condensed log pattern: a template with its variables as `<*>`, how often it occurred, when,
/// at what level, and one example line.
public struct LogPattern: Sendable, Equatable, Codable {
    /// A stable id within one condensing run, e.g. `p12`.
    public var id: String
    /// The template, variables written as `<*>`.
    public var template: String
    /// Lines that matched.
    public var count: Int
    /// Timestamp of the first and last matching line, as given or found in the line's prefix.
    public var firstSeen: String?
    public var lastSeen: String?
    /// The most severe level seen among the matching lines, if any was recognised.
    public var level: LogLevel?
    /// The first matching line (prefix removed, cut at `LogCondenser.maxExampleBytes`).
    public var example: String
    /// The exception class of the first assembled event with one (the last exception it printed:
    /// the root cause for JVM, .NET and Node, the last of a Python chain), e.g. `KeyError`.
    public var exception: String?
    /// The top frames (at most two) of that event, as printed.
    public var frames: [String]?

    enum CodingKeys: String, CodingKey {
        case id, template, count, level, example, exception, frames
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
    }

    public init(
        id: String, template: String, count: Int, firstSeen: String?, lastSeen: String?, level: LogLevel?,
        example: String
    ) {
        self.id = id
        self.template = template
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.level = level
        self.example = example
    }
}
