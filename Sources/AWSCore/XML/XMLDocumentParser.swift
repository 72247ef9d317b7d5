/// A small, strict XML parser for AWS responses. It never fetches or expands external entities and
/// ignores DTDs (no XXE, no entity-expansion bombs), bounds nesting depth, and reports the byte
/// offset of the first problem.
public struct XMLDocumentParser {
    /// Malformed XML: what was wrong and where.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    /// Deepest element nesting accepted.
    public static let maximumDepth = 256

    private let bytes: [UInt8]
    private var index = 0

    /// Parses `bytes` and returns the root element.
    public static func parse(_ bytes: [UInt8]) throws -> XMLNode {
        var parser = XMLDocumentParser(bytes: bytes)
        return try parser.document()
    }

    /// Parses UTF-8 `text` and returns the root element.
    public static func parse(_ text: String) throws -> XMLNode {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func document() throws -> XMLNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try skipMisc()
        guard peek() == UInt8(ascii: "<") else { throw fail("expected a root element") }
        let root = try element(depth: 0)
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Skips white space, the XML declaration, processing instructions, comments and DOCTYPE.
    private mutating func skipMisc() throws {
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
            } else if starts("<?") {
                try skip(past: "?>")
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if starts("<!DOCTYPE") {
                try skipDoctype()
            } else {
                return
            }
        }
    }

    private mutating func skipDoctype() throws {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") { depth -= 1 }
            if byte == UInt8(ascii: ">") && depth <= 0 { return }
        }
        throw fail("unterminated DOCTYPE")
    }

    private mutating func element(depth: Int) throws -> XMLNode {
        guard depth < Self.maximumDepth else { throw fail("elements nested deeper than \(Self.maximumDepth)") }
        index += 1  // "<"
        let qualifiedName = try name()
        var node = XMLNode(name: localName(qualifiedName))
        // Attributes.
        while true {
            skipSpaces()
            guard let byte = peek() else { throw fail("unterminated start tag <\(qualifiedName)>") }
            if byte == UInt8(ascii: "/") {
                guard starts("/>") else { throw fail("expected '/>'") }
                index += 2
                return node
            }
            if byte == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attribute = try name()
            skipSpaces()
            guard peek() == UInt8(ascii: "=") else { throw fail("expected '=' after attribute \(attribute)") }
            index += 1
            skipSpaces()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("expected a quoted value for attribute \(attribute)")
            }
            index += 1
            let start = index
            while index < bytes.count && bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw fail("unterminated attribute value") }
            node.attributes[attribute] = try decodeEntities(bytes[start..<index])
            index += 1
        }
        // Content.
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated element <\(qualifiedName)>") }
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "<") { index += 1 }
                text.append(contentsOf: Array(try decodeEntities(bytes[start..<index]).utf8))
            } else if starts("</") {
                index += 2
                let closing = try name()
                guard closing == qualifiedName else {
                    throw fail("closing tag </\(closing)> does not match <\(qualifiedName)>")
                }
                skipSpaces()
                guard peek() == UInt8(ascii: ">") else { throw fail("expected '>'") }
                index += 1
                node.text = String(decoding: text, as: UTF8.self)
                return node
            } else if starts("<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>")
                text.append(contentsOf: bytes[start..<(index - 3)])
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if starts("<?") {
                try skip(past: "?>")
            } else {
                node.children.append(try element(depth: depth + 1))
            }
        }
    }

    private mutating func name() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") {
                break
            }
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    private func decodeEntities(_ slice: ArraySlice<UInt8>) throws -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        var i = slice.startIndex
        while i < slice.endIndex {
            guard slice[i] == UInt8(ascii: "&") else {
                out.append(slice[i])
                i += 1
                continue
            }
            guard let semicolon = slice[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 12 else {
                throw ParseError(reason: "unterminated entity", offset: i)
            }
            let entity = String(decoding: slice[(i + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(), radix: 10)
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else {
                    throw ParseError(reason: "unknown entity &\(entity);", offset: i)
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func starts(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            var i = 0
            while i < count {
                if bytes[index + i] != buffer[i] { return false }
                i += 1
            }
            return true
        }
    }

    private mutating func skip(past literal: StaticString) throws {
        while index < bytes.count {
            if starts(literal) {
                index += literal.utf8CodeUnitCount
                return
            }
            index += 1
        }
        throw fail("expected '\(literal)'")
    }

    private mutating func skipSpaces() {
        while index < bytes.count && isSpace(bytes[index]) { index += 1 }
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func fail(_ reason: String) -> ParseError {
        ParseError(reason: reason, offset: index)
    }
}
