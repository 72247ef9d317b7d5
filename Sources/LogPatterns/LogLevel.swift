/// A log line's severity, ordered from least to most severe.
public enum LogLevel: Int, Sendable, Comparable, Codable, CaseIterable, CustomStringConvertible {
    case trace, debug, info, notice, warning, error, critical

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .notice: return "NOTICE"
        case .warning: return "WARN"
        case .error: return "ERROR"
        case .critical: return "FATAL"
        }
    }

    /// Recognises level words in any case: `INFO`, `warn`, `Warning`, `ERR`, `FATAL`, `CRITICAL`, `SEVERE`, …
    public init?(word: some Collection<UInt8>) {
        let count = word.count
        guard count >= 3 && count <= 9 else { return nil }
        // Upper-case into a fixed buffer; anything but letters means it is not a level word.
        var key: UInt64 = 0
        for byte in word {
            let upper: UInt8
            if byte >= 97 && byte <= 122 {
                upper = byte - 32
            } else if byte >= 65 && byte <= 90 {
                upper = byte
            } else {
                return nil
            }
            if count <= 8 { key = key << 8 | UInt64(upper) }
        }
        if count == 9 {
            // Only "EMERGENCY"-length words would land here; none is a level.
            return nil
        }
        guard let level = Self.words[key] else { return nil }
        self = level
    }

    /// Level words packed big-endian into a UInt64 (at most 8 letters).
    private static let words: [UInt64: LogLevel] = {
        var table: [UInt64: LogLevel] = [:]
        let entries: [(String, LogLevel)] = [
            ("TRACE", .trace), ("TRC", .trace), ("DEBUG", .debug), ("DBG", .debug), ("INFO", .info), ("INF", .info),
            ("NOTICE", .notice), ("WARN", .warning), ("WARNING", .warning), ("WRN", .warning), ("ERROR", .error),
            ("ERR", .error), ("FATAL", .critical), ("CRITICAL", .critical), ("CRIT", .critical), ("SEVERE", .critical),
            ("PANIC", .critical), ("EMERG", .critical), ("ALERT", .critical),
        ]
        for (word, level) in entries {
            var key: UInt64 = 0
            for byte in word.utf8 { key = key << 8 | UInt64(byte) }
            table[key] = level
        }
        return table
    }()

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let level = LogLevel(word: Array(text.utf8)) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown level \(text)"))
        }
        self = level
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
