/// Decides which parts of a token are variables, with no per-source tuning: anything holding a digit
/// (numbers, hex, IPv4/IPv6 with ports, UUIDs, timestamps, durations like `150ms`, sizes like `12KB`,
/// request and trace ids), AWS ARNs, e-mail addresses, and the values of URL queries and `key=value`
/// pairs. Surrounding punctuation and keys stay, so `(12ms),` becomes `(<*>),` and `id=42` becomes `id=<*>`.
enum TokenMasker {
    static let placeholder: [UInt8] = Array("<*>".utf8)

    /// Writes the masked form of `token` into `output` and returns true, or returns false when the
    /// token holds no variable (then `output` is untouched).
    static func mask(_ token: ArraySlice<UInt8>, into output: inout [UInt8]) -> Bool {
        var start = token.startIndex
        var end = token.endIndex
        while start < end, isLeadingPunctuation(token[start]) { start += 1 }
        while end > start, isTrailingPunctuation(token[end - 1]) { end -= 1 }
        guard start < end else { return false }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: token[token.startIndex..<start])
        guard maskCore(token[start..<end], into: &output) else { return false }
        output.append(contentsOf: token[end..<token.endIndex])
        return true
    }

    /// Appends the masked form of a token without its surrounding punctuation to `output` and
    /// returns true, or returns false when it is constant (`output` may then hold partial bytes).
    static func maskCore(_ core: ArraySlice<UInt8>, into output: inout [UInt8]) -> Bool {
        let first = core[core.startIndex]
        if first == UInt8(ascii: "h"), startsWith(core, "http://") || startsWith(core, "https://") {
            guard let masked = maskURL(core) else { return false }
            output.append(contentsOf: masked)
            return true
        }
        if first == UInt8(ascii: "a"), startsWith(core, "arn:") {
            output.append(contentsOf: placeholder)
            return true
        }
        if isPath(core) || isCalendarWord(core) {
            output.append(contentsOf: placeholder)
            return true
        }
        var hasDigit = false
        var equals: Int?
        var colon: Int?
        for index in core.indices {
            let byte = core[index]
            if isDigit(byte) {
                hasDigit = true
            } else if byte == UInt8(ascii: "=") {
                if equals == nil { equals = index }
            } else if byte == UInt8(ascii: ":") {
                if colon == nil { colon = index }
            }
        }
        if let equals, equals > core.startIndex, isKey(core[core.startIndex..<equals]) {
            let value = core[(equals + 1)...]
            guard !value.isEmpty else { return false }
            output.append(contentsOf: core[core.startIndex...equals])
            return maskCore(value, into: &output)
        }
        guard hasDigit else {
            if isEmail(core) {
                output.append(contentsOf: placeholder)
                return true
            }
            return false
        }
        // key:value with an identifier key and a value holding digits (`onExtend:1514038530000`).
        if let colon, colon > core.startIndex, colon < core.endIndex - 1, isKey(core[core.startIndex..<colon]),
            !containsDigit(core[core.startIndex..<colon])
        {
            output.append(contentsOf: core[core.startIndex...colon])
            output.append(contentsOf: placeholder)
            return true
        }
        if isNamedVersion(core) { return false }
        output.append(contentsOf: placeholder)
        return true
    }

    /// Names that end in one digit are names, not values: `SOCKS5`, `IPv6`, `eth0`, `en0`, `md5`.
    static func isNamedVersion(_ core: ArraySlice<UInt8>) -> Bool {
        guard core.count >= 3, let last = core.last, isDigit(last) else { return false }
        return core.dropLast().allSatisfy(isLetter)
    }

    /// Units that follow a number as their own token (`5.2 KB`, `250 ms`), possibly with trailing punctuation.
    static func isUnit(_ token: ArraySlice<UInt8>) -> Bool {
        var end = token.endIndex
        while end > token.startIndex, isTrailingPunctuation(token[end - 1]) { end -= 1 }
        guard end > token.startIndex, end - token.startIndex <= 4,
            isLetter(token[token.startIndex]) || token[token.startIndex] == 0xC2
        else { return false }
        return units.contains(String(decoding: token[token.startIndex..<end], as: UTF8.self))
    }

    static let units: Set<String> = [
        "B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "kB", "ms", "us", "µs", "ns", "s", "sec", "secs",
        "min", "mins", "h", "hrs",
    ]

    /// File paths: `/var/log/x`, `./run`, `../lib`, `~/data`.
    static func isPath(_ core: ArraySlice<UInt8>) -> Bool {
        guard let first = core.first else { return false }
        if first == UInt8(ascii: "/") { return core.count > 1 }
        return startsWith(core, "./") || startsWith(core, "../") || startsWith(core, "~/")
    }

    /// Day and month names, the words of human-readable timestamps (`Fri Jul  1 07:57:30 2005`).
    static func isCalendarWord(_ core: ArraySlice<UInt8>) -> Bool {
        guard core.count == 3, core[core.startIndex] >= 65, core[core.startIndex] <= 90 else { return false }
        return calendarWords.contains(String(decoding: core, as: UTF8.self))
    }

    static let calendarWords: Set<String> = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec",
    ]

    /// Masks path segments holding digits and every query value of a URL.
    static func maskURL(_ url: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var changed = false
        let query = url.firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = query ?? url.endIndex
        // Scheme and host stay; segments after the host with digits become placeholders.
        var segmentStart = url.startIndex
        var slashes = 0
        var index = url.startIndex
        func flush(_ end: Int) {
            let segment = url[segmentStart..<end]
            if slashes >= 3 && containsDigit(segment) {
                out.append(contentsOf: placeholder)
                changed = true
            } else {
                out.append(contentsOf: segment)
            }
        }
        while index < pathEnd {
            if url[index] == UInt8(ascii: "/") {
                flush(index)
                out.append(UInt8(ascii: "/"))
                slashes += 1
                segmentStart = index + 1
            }
            index += 1
        }
        flush(pathEnd)
        if let query {
            out.append(UInt8(ascii: "?"))
            var inValue = false
            for byte in url[(query + 1)...] {
                if byte == UInt8(ascii: "&") {
                    inValue = false
                    out.append(byte)
                } else if byte == UInt8(ascii: "=") && !inValue {
                    inValue = true
                    out.append(byte)
                    out.append(contentsOf: placeholder)
                    changed = true
                } else if !inValue {
                    out.append(byte)
                }
            }
        }
        return changed ? out : nil
    }

    static func containsDigit(_ bytes: ArraySlice<UInt8>) -> Bool {
        for byte in bytes where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return true }
        return false
    }

    static func isEmail(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > bytes.startIndex else { return false }
        let domain = bytes[(at + 1)...]
        guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > domain.startIndex, dot < domain.endIndex - 1
        else {
            return false
        }
        return true
    }

    /// A `key=` prefix: letters, digits after the first letter, `_`, `-`, `.`.
    static func isKey(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        for byte in bytes {
            if !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "."))
            {
                return false
            }
        }
        return true
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isLeadingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "<"), UInt8(ascii: "\""),
            UInt8(ascii: "'"), UInt8(ascii: "`"):
            return true
        default:
            return false
        }
    }

    static func isTrailingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "\""),
            UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "."),
            UInt8(ascii: ":"), UInt8(ascii: "!"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }

    private static func startsWith(_ bytes: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { buffer in
            var i = 0
            var index = bytes.startIndex
            while i < count {
                if bytes[index] != buffer[i] { return false }
                i += 1
                index += 1
            }
            return true
        }
    }
}
