import Foundation

/// Removes what CloudWatch, ECS and common loggers put before the message — leading timestamps
/// (ISO-8601, syslog, epoch seconds or milliseconds, bracketed), log levels (`INFO`, `[error]`,
/// `level=warn`), request and trace ids (UUIDs, X-Ray ids, `RequestId: …`) — and reads JSON log
/// lines by their message field, keeping the level and time. What is left is the message the
/// miner should see; headers left in place ruin grouping.
public enum PrefixStripper {
    /// The message part of a line and what was learnt from its prefix.
    public struct Stripped: Equatable {
        /// The message: a slice of the input line, or of a new buffer for JSON lines.
        public var message: ArraySlice<UInt8>
        public var level: LogLevel?
        public var timestamp: String?
    }

    static let messageKeys = ["message", "msg", "log", "@message", "text", "event", "MESSAGE"]
    static let levelKeys = ["level", "severity", "levelname", "lvl", "log.level", "loglevel", "LEVEL"]
    static let timeKeys = ["timestamp", "time", "ts", "@timestamp", "datetime", "date"]

    /// Strips `line`.
    public static func strip(_ line: ArraySlice<UInt8>) -> Stripped {
        var start = skipSpaces(line, line.startIndex)
        if start < line.endIndex, line[start] == UInt8(ascii: "{"), let json = stripJSON(line[start...]) {
            return json
        }
        var level: LogLevel?
        var timestamp: String?
        // A prefix is a short run of header tokens; stop at the first token that is none of them.
        for _ in 0..<6 {
            guard start < line.endIndex else { break }
            if let end = timestampEnd(line, start) {
                if timestamp == nil {
                    timestamp = text(line[start..<end]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                }
                start = skipSpaces(line, end)
                continue
            }
            let tokenEnd = line[start...].firstIndex { $0 == 0x20 || $0 == 0x09 } ?? line.endIndex
            let token = line[start..<tokenEnd]
            // Cheap first-byte test: header tokens start with a letter, digit or bracket.
            let first = token[token.startIndex]
            guard
                isDigit(first) || (first | 0x20 >= 97 && first | 0x20 <= 122) || first == UInt8(ascii: "[")
                    || first == UInt8(ascii: "(") || first == UInt8(ascii: "<")
            else { break }
            // One level per line: a second level-like word ("FATAL panic: …") is the message.
            if level == nil, let found = levelToken(token) {
                level = found
                start = skipSpaces(line, tokenEnd)
                continue
            }
            if isRequestIdToken(token) {
                start = skipSpaces(line, tokenEnd)
                continue
            }
            if matches(token, "RequestId:") || matches(token, "request_id:") || matches(token, "requestId:") {
                let idStart = skipSpaces(line, tokenEnd)
                let idEnd = line[idStart...].firstIndex { $0 == 0x20 || $0 == 0x09 } ?? line.endIndex
                start = skipSpaces(line, idEnd)
                continue
            }
            break
        }
        // A line that was only a header keeps its text, so nothing disappears.
        if start >= line.endIndex { return Stripped(message: line, level: level, timestamp: timestamp) }
        return Stripped(message: line[start...], level: level, timestamp: timestamp)
    }

    // MARK: JSON lines

    static func stripJSON(_ line: ArraySlice<UInt8>) -> Stripped? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { return nil }
        guard let message = messageKeys.lazy.compactMap({ object[$0] as? String }).first else { return nil }
        let level = levelKeys.lazy.compactMap { (object[$0] as? String).flatMap { LogLevel(word: Array($0.utf8)) } }
            .first
        let time = timeKeys.lazy.compactMap { key -> String? in
            if let text = object[key] as? String { return text }
            if let number = object[key] as? NSNumber { return number.stringValue }
            return nil
        }.first
        let inner = strip(Array(message.utf8)[...])
        // inner.message slices a fresh array, so it outlives this call.
        return Stripped(message: inner.message, level: level ?? inner.level, timestamp: time ?? inner.timestamp)
    }

    // MARK: timestamps

    /// The end of a timestamp starting at `start`, or nil.
    static func timestampEnd(_ line: ArraySlice<UInt8>, _ start: Int) -> Int? {
        var index = start
        let bracketed = line[index] == UInt8(ascii: "[")
        if bracketed { index += 1 }
        guard let end = isoEnd(line, index) ?? syslogEnd(line, index) ?? epochEnd(line, index) else { return nil }
        if bracketed {
            guard end < line.endIndex, line[end] == UInt8(ascii: "]") else { return nil }
            return end + 1
        }
        // A timestamp is a whole token.
        guard
            end == line.endIndex || line[end] == 0x20 || line[end] == 0x09 || line[end] == UInt8(ascii: ":")
                || line[end] == UInt8(ascii: ",")
        else { return nil }
        if end < line.endIndex && (line[end] == UInt8(ascii: ":") || line[end] == UInt8(ascii: ",")) { return end + 1 }
        return end
    }

    /// `2024-01-02T03:04:05(.123)(Z|+00:00|+0000)` or with a space or `,123` (Python, log4j).
    static func isoEnd(_ line: ArraySlice<UInt8>, _ start: Int) -> Int? {
        guard digits(line, start, 4), at(line, start + 4, "-"), digits(line, start + 5, 2), at(line, start + 7, "-"),
            digits(line, start + 8, 2)
        else { return nil }
        var index = start + 10
        guard index < line.endIndex, line[index] == UInt8(ascii: "T") || line[index] == UInt8(ascii: " ") else {
            return index
        }
        guard digits(line, index + 1, 2), at(line, index + 3, ":"), digits(line, index + 4, 2) else { return index }
        index += 6
        if at(line, index, ":"), digits(line, index + 1, 2) { index += 3 }
        if at(line, index, ".") || at(line, index, ",") {
            var end = index + 1
            while end < line.endIndex, isDigit(line[end]) { end += 1 }
            if end > index + 1 { index = end }
        }
        if at(line, index, "Z") {
            index += 1
        } else if at(line, index, "+") || at(line, index, "-") {
            if digits(line, index + 1, 2), at(line, index + 3, ":"), digits(line, index + 4, 2) {
                index += 6
            } else if digits(line, index + 1, 4) {
                index += 5
            }
        }
        return index
    }

    /// `Jan  2 03:04:05` (syslog).
    static func syslogEnd(_ line: ArraySlice<UInt8>, _ start: Int) -> Int? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard start + 3 <= line.endIndex, line[start] >= 65, line[start] <= 90, at(line, start + 3, " "),
            months.contains(text(line[start..<(start + 3)]))
        else { return nil }
        var index = start + 4
        if at(line, index, " ") { index += 1 }
        guard index < line.endIndex, isDigit(line[index]) else { return nil }
        index += 1
        if index < line.endIndex, isDigit(line[index]) { index += 1 }
        guard at(line, index, " "), digits(line, index + 1, 2), at(line, index + 3, ":"), digits(line, index + 4, 2),
            at(line, index + 6, ":"), digits(line, index + 7, 2)
        else { return nil }
        return index + 9
    }

    /// Epoch milliseconds (13 digits) or seconds with a fraction (`1700000000.123`). Bare 10-digit
    /// numbers are left alone: too often they are the message's own first value.
    static func epochEnd(_ line: ArraySlice<UInt8>, _ start: Int) -> Int? {
        var end = start
        while end < line.endIndex, isDigit(line[end]) { end += 1 }
        let count = end - start
        if count == 13 { return end }
        guard count == 10, at(line, end, "."), end + 1 < line.endIndex, isDigit(line[end + 1]) else { return nil }
        end += 1
        while end < line.endIndex, isDigit(line[end]) { end += 1 }
        return end
    }

    // MARK: levels and ids

    /// `INFO`, `[INFO]`, `INFO:`, `<error>`, `level=info`, `(warn)`.
    static func levelToken(_ token: ArraySlice<UInt8>) -> LogLevel? {
        var core = token
        if let equals = core.firstIndex(of: UInt8(ascii: "=")) {
            let key = text(core[core.startIndex..<equals]).lowercased()
            guard key == "level" || key == "lvl" || key == "severity" else { return nil }
            core = core[(equals + 1)...]
        }
        while let first = core.first,
            first == UInt8(ascii: "[") || first == UInt8(ascii: "(") || first == UInt8(ascii: "<")
                || first == UInt8(ascii: "\"")
        {
            core = core.dropFirst()
        }
        while let last = core.last,
            last == UInt8(ascii: "]") || last == UInt8(ascii: ")") || last == UInt8(ascii: ">")
                || last == UInt8(ascii: ":") || last == UInt8(ascii: "\"") || last == UInt8(ascii: ",")
        {
            core = core.dropLast()
        }
        return LogLevel(word: core)
    }

    /// A bare or bracketed UUID, or an X-Ray trace id (`1-5f84c7a1-0123456789abcdef01234567`).
    static func isRequestIdToken(_ token: ArraySlice<UInt8>) -> Bool {
        var core = token
        if core.first == UInt8(ascii: "[") && core.last == UInt8(ascii: "]") { core = core.dropFirst().dropLast() }
        let base = core.startIndex
        if core.count == 36 {
            for offset in 0..<36 {
                let byte = core[base + offset]
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    if byte != UInt8(ascii: "-") { return false }
                } else if !isHex(byte) {
                    return false
                }
            }
            return true
        }
        if core.count == 35, core[base] == UInt8(ascii: "1"), core[base + 1] == UInt8(ascii: "-"),
            core[base + 10] == UInt8(ascii: "-")
        {
            return core[(base + 2)..<(base + 10)].allSatisfy(isHex) && core[(base + 11)...].allSatisfy(isHex)
        }
        return false
    }

    // MARK: helpers

    static func skipSpaces(_ line: ArraySlice<UInt8>, _ index: Int) -> Int {
        var index = index
        while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        return index
    }

    static func digits(_ line: ArraySlice<UInt8>, _ start: Int, _ count: Int) -> Bool {
        guard start >= line.startIndex, start + count <= line.endIndex else { return false }
        for index in start..<(start + count) where !isDigit(line[index]) { return false }
        return true
    }

    static func at(_ line: ArraySlice<UInt8>, _ index: Int, _ character: Unicode.Scalar) -> Bool {
        index >= line.startIndex && index < line.endIndex && line[index] == UInt8(character.value)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func matches(_ token: ArraySlice<UInt8>, _ literal: String) -> Bool {
        token.elementsEqual(literal.utf8)
    }
}
