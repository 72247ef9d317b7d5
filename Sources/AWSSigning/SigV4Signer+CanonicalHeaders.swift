extension SigV4Signer {
    /// The `unsignedHeaders` names.
    static let unsignedHeaderNames: [StaticString] = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The lengths of the `unsignedHeaders` names as a bit set: most names are rejected by length.
    static let unsignedLengths: UInt64 = unsignedHeaderNames.reduce(0) { $0 | (1 << UInt64($1.utf8CodeUnitCount)) }

    /// Whether a lower-cased name is one of `unsignedHeaders`.
    static func isUnsigned(_ lowered: UnsafeRawBufferPointer) -> Bool {
        let length = lowered.count
        guard length < 64, unsignedLengths & (1 << UInt64(length)) != 0 else { return false }
        return unsignedHeaderNames.contains { lowered.bytesEqual($0.bytes) }
    }

    /// Canonical header block (`name:value\n` per header, sorted) and the `SignedHeaders` list.
    static func canonicalHeaders(_ headers: HTTPHeaders) throws -> (block: String, signed: String) {
        let fields = headers.fields
        var signed = 0..<0
        let bytes = try [UInt8](unsafeUninitializedCapacity: canonicalHeadersBound(fields)) { buffer, count in
            var out = ByteWriter(buffer)
            signed = try writeCanonicalHeaders(fields, to: &out)
            count = out.count
        }
        // The block ends one byte before the list: the blank line between them.
        return (
            String(decoding: bytes[..<(signed.lowerBound - 1)], as: UTF8.self),
            String(decoding: bytes[signed], as: UTF8.self)
        )
    }

    /// The most bytes `writeCanonicalHeaders` writes for `fields`: a name twice (block and list),
    /// the value, `:`, the line end and `;` per field.
    static func canonicalHeadersBound(_ fields: [HTTPHeaders.Field]) -> Int {
        var count = 1
        for field in fields { count += 2 * field.name.utf8.count + field.value.utf8.count + 3 }
        return count
    }

    /// One signed header while the block is built: its lower-cased name in the scratch buffer and
    /// the index of its field.
    private struct NameSpan {
        var start: Int
        var count: Int
        var field: Int
    }

    /// Writes the canonical header block, a blank line and the `SignedHeaders` list, and returns
    /// where the list is. Names are lower-cased, values trimmed with inner whitespace runs
    /// collapsed, repeated names joined with commas in their original order. The lower-cased
    /// names and their sort order live in stack scratch space (sorted by insertion as they are
    /// read: header lists are short); nothing is allocated.
    static func writeCanonicalHeaders(_ fields: [HTTPHeaders.Field], to out: inout ByteWriter) throws -> Range<Int> {
        var nameBytes = 0
        for field in fields { nameBytes += field.name.utf8.count }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(nameBytes, 1)) { names in
            try withUnsafeTemporaryAllocation(of: NameSpan.self, capacity: max(fields.count, 1)) { spans in
                func name(_ span: NameSpan) -> UnsafeRawBufferPointer {
                    UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: names[span.start..<span.start + span.count]))
                }
                var used = 0
                var signed = 0
                var hasHost = false
                for index in fields.indices {
                    let start = used
                    withUTF8Bytes(fields[index].name) { name in
                        let free = UnsafeMutableBufferPointer(rebasing: names[used...])
                        lowerASCII(name, into: UnsafeMutableRawBufferPointer(free))
                        used += name.count
                    }
                    let span = NameSpan(start: start, count: used - start, field: index)
                    let lowered = name(span)
                    if isUnsigned(lowered) {
                        used = start
                        continue
                    }
                    if lowered.bytesEqual(("host" as StaticString).bytes) { hasHost = true }
                    // Insertion keeps equal names in field order: their values are joined in order.
                    var position = signed
                    while position > 0 && lowered.bytesPrecede(name(spans[position - 1])) {
                        spans[position] = spans[position - 1]
                        position -= 1
                    }
                    spans[position] = span
                    signed += 1
                }
                guard hasHost else { throw SigV4Error.missingHost }
                for position in 0..<signed {
                    let span = spans[position]
                    if position > 0 && name(span).bytesEqual(name(spans[position - 1])) {
                        out.append(UInt8(ascii: ","))
                    } else {
                        if position > 0 { out.append(0x0A) }
                        out.append(name(span))
                        out.append(UInt8(ascii: ":"))
                    }
                    appendCollapsed(fields[span.field].value, to: &out)
                }
                out.append(0x0A)
                out.append(0x0A)
                let listStart = out.count
                for position in 0..<signed {
                    let span = spans[position]
                    if position > 0 {
                        if name(span).bytesEqual(name(spans[position - 1])) { continue }
                        out.append(UInt8(ascii: ";"))
                    }
                    out.append(name(span))
                }
                return listStart..<out.count
            }
        }
    }

    /// Writes `bytes` with ASCII capitals lower-cased to the start of `out`, eight bytes at a time
    /// (SWAR: a byte's 0x20 bit is set when it lies in `A`…`Z`; bytes of 0x80 and up are left alone).
    static func lowerASCII(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let low = word & 0x7f7f_7f7f_7f7f_7f7f
            // High bit set where the low seven bits are >= "A" (0x41), and where they are > "Z" (0x5A).
            let atLeastA = low &+ 0x3f3f_3f3f_3f3f_3f3f
            let aboveZ = low &+ 0x2525_2525_2525_2525
            let upper = (atLeastA ^ aboveZ) & ~word & 0x8080_8080_8080_8080
            out.storeBytes(of: word | upper >> 2, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            out[index] = HTTPHeaders.lowerASCII(bytes[index])
            index += 1
        }
    }

    /// Appends `value` trimmed, with whitespace runs (folded lines included) collapsed to one space.
    static func appendCollapsed(_ value: String, to out: inout ByteWriter) {
        withUTF8Bytes(value) { bytes in
            // Most values need nothing done (no white space at the ends, no tab, line break or
            // double space): copy them whole. Eight bytes at a time are checked for any byte
            // up to 0x20 (SWAR "has a byte less than 0x21"); only words with one are looked into.
            if let first = bytes.first, let last = bytes.last, first > 0x20, last > 0x20 {
                var index = 0
                var previous: UInt8 = 0
                var clean = true
                while index < bytes.count {
                    if index + 8 <= bytes.count {
                        let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        if (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080 == 0 {
                            index += 8
                            previous = 0x21
                            continue
                        }
                    }
                    let byte = bytes[index]
                    if byte <= 0x20 && (byte != 0x20 || previous == 0x20) {
                        clean = false
                        break
                    }
                    previous = byte
                    index += 1
                }
                if clean {
                    out.append(bytes)
                    return
                }
            }
            var pendingSpace = false
            var started = false
            for byte in bytes {
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    pendingSpace = started
                } else {
                    if pendingSpace { out.append(0x20) }
                    pendingSpace = false
                    started = true
                    out.append(byte)
                }
            }
        }
    }
}

extension StaticString {
    /// The string's UTF-8 bytes.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}
