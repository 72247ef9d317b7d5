/// A JSON value written as one line, object keys in byte order. The log handler and the metrics
/// emitter write every line through this rather than `JSONSerialization`, whose sorted-keys option
/// compares keys under a locale and so loads ICU's locale and collation data into a daemon that
/// otherwise never needs them. Output is RFC 8259 JSON: strings escape `"`, `\` and control
/// characters (nothing else, slashes included), non-finite numbers are written as `null`.
enum JSONLine: Equatable, Sendable {
    case string(String)
    case number(Double)
    case array([JSONLine])
    case object([String: JSONLine])

    /// The value's JSON text.
    var text: String {
        var output = ""
        write(into: &output)
        return output
    }

    func write(into output: inout String) {
        switch self {
        case .string(let value):
            Self.writeString(value, into: &output)
        case .number(let value):
            Self.writeNumber(value, into: &output)
        case .array(let items):
            output.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(",") }
                item.write(into: &output)
            }
            output.append("]")
        case .object(let members):
            output.append("{")
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(",") }
                Self.writeString(member.key, into: &output)
                output.append(":")
                member.value.write(into: &output)
            }
            output.append("}")
        }
    }

    static func writeNumber(_ value: Double, into output: inout String) {
        guard value.isFinite else {
            output.append("null")
            return
        }
        // Whole numbers that a double holds exactly print without a fraction (`3`, not `3.0`);
        // the rest print in Swift's shortest round-trip form (`0.25`, `1e+300`), which is JSON.
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output.append(String(Int64(value)))
        } else {
            output.append("\(value)")
        }
    }

    private static let hex: [Character] = Array("0123456789abcdef")

    static func writeString(_ value: String, into output: inout String) {
        output.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case "\u{08}": output.append("\\b")
            case "\u{0C}": output.append("\\f")
            case "\u{00}"..."\u{1F}":
                let code = Int(scalar.value)
                output.append("\\u00")
                output.append(hex[code >> 4])
                output.append(hex[code & 0xF])
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }
}
