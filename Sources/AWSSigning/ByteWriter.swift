/// Appends bytes to memory whose size the caller worked out in advance: the signer writes the
/// canonical request, the string to sign and the signature end to end into one buffer this way.
/// Every append checks the capacity, so a wrong size estimate stops the process instead of
/// writing past the buffer.
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// How many bytes have been written.
    private(set) var count = 0

    /// Writes into `buffer` (not empty) from its start.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress else { preconditionFailure("ByteWriter needs a buffer") }
        self.base = base
        capacity = buffer.count
    }

    /// The bytes written so far (valid while the buffer is).
    var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Bytes `range` of what has been written.
    func written(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.upperBound <= count)
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "ByteWriter capacity exceeded")
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(bytes.count <= capacity - count, "ByteWriter capacity exceeded")
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The UTF-8 bytes of `text`.
    mutating func append(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            for byte in text.utf8 { append(byte) }
        }
    }

    /// The UTF-8 bytes of `text`, ASCII letters upper-cased (the HTTP method).
    mutating func appendUppercased(_ text: String) {
        for byte in text.utf8 { append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte) }
    }

    /// The lower-case hexadecimal rendering of `bytes`.
    mutating func appendHex(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count * 2 <= capacity - count, "ByteWriter capacity exceeded")
        // Two digits per table look-up, stored together.
        Self.hexPairs.withUnsafeBufferPointer { pairs in
            let out = UnsafeMutableRawPointer(base + count)
            for index in 0..<bytes.count {
                out.storeBytes(of: pairs[Int(bytes[index])], toByteOffset: 2 * index, as: UInt16.self)
            }
        }
        count += bytes.count * 2
    }

    /// The two hex digits of each byte value, in memory order.
    private static let hexPairs: [UInt16] = (0..<256).map { value in
        let digits = (UInt16(Digest.hexDigit(UInt8(value >> 4))), UInt16(Digest.hexDigit(UInt8(value & 0x0f))))
        return (digits.0 | digits.1 << 8).littleEndian
    }
}

/// Calls `body` with the UTF-8 bytes of `text`, without copying them when the string is stored
/// contiguously (native and small strings always are).
@inline(__always) func withUTF8Bytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(text.utf8).withUnsafeBytes(body)
}

extension UnsafeRawBufferPointer {
    /// Whether both hold the same bytes (a plain loop: the names compared are a few bytes long).
    func bytesEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        for index in 0..<count where self[index] != other[index] { return false }
        return true
    }

    /// Whether these bytes sort before `other`'s (byte-wise, a prefix first).
    func bytesPrecede(_ other: UnsafeRawBufferPointer) -> Bool {
        for index in 0..<Swift.min(count, other.count) where self[index] != other[index] {
            return self[index] < other[index]
        }
        return count < other.count
    }
}
