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
        guard word.count >= 3 && word.count <= 9 else { return nil }
        var upper = ""
        for byte in word {
            guard (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) else { return nil }
            upper.unicodeScalars.append(Unicode.Scalar(byte >= 97 ? byte - 32 : byte))
        }
        switch upper {
        case "TRACE", "TRC": self = .trace
        case "DEBUG", "DBG": self = .debug
        case "INFO", "INF": self = .info
        case "NOTICE": self = .notice
        case "WARN", "WARNING", "WRN": self = .warning
        case "ERROR", "ERR": self = .error
        case "FATAL", "CRITICAL", "CRIT", "SEVERE", "PANIC", "EMERG", "ALERT": self = .critical
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let level = LogLevel(word: Array(text.utf8)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown level \(text)"))
        }
        self = level
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
