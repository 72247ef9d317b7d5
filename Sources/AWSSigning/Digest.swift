import CCurlOpenSSL

/// SHA-256 and HMAC-SHA-256 over byte arrays, backed by OpenSSL.
public enum Digest {
    /// The SHA-256 digest of `bytes` (32 bytes).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var context = SHA256()
        context.update(bytes)
        return context.finish()
    }

    /// The SHA-256 digest of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// HMAC-SHA-256 (RFC 2104) of `data` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        let hmac = HMACKey(key)
        return data.withUnsafeBytes { hmac.authenticate($0) }
    }

    /// An HMAC-SHA-256 key with its inner and outer pads already absorbed, so that each message
    /// costs only its own hashing (the signer keeps one per derived signing key).
    public struct HMACKey: Sendable {
        private var inner = SHA256()
        private var outer = SHA256()

        public init(_ key: [UInt8]) {
            var block = [UInt8](repeating: 0, count: 64)
            let material = key.count > 64 ? Digest.sha256(key) : key
            for (index, byte) in material.enumerated() { block[index] = byte }
            for index in 0..<64 { block[index] ^= 0x36 }
            inner.update(block)
            for index in 0..<64 { block[index] ^= 0x36 ^ 0x5c }
            outer.update(block)
        }

        /// The MAC of `message` (32 bytes); the key can be used again.
        public func authenticate(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            var mac = SHA256Digest()
            authenticate(message, into: &mac)
            return mac.bytes
        }

        /// The MAC of `message`, written to `mac`.
        func authenticate(_ message: UnsafeRawBufferPointer, into mac: inout SHA256Digest) {
            var inner = self.inner
            inner.update(message)
            inner.finish(into: &mac)
            var outer = self.outer
            mac.withUnsafeBytes { outer.update($0) }
            outer.finish(into: &mac)
        }
    }

    /// HMAC-SHA-256 of `message` under a key of at most 64 bytes, written to `out` (32 bytes):
    /// the pads live on the stack, nothing is allocated (the signing-key chain runs four of these
    /// per signature when keys are not cached).
    static func hmacSHA256(
        key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer
    ) {
        precondition(key.count <= 64 && out.count >= 32)
        var pad: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &pad) { pad in
            pad.copyMemory(from: key)
            // The key, zero-filled to a block, XORed with the pads a word at a time.
            let words = pad.baseAddress!.assumingMemoryBound(to: UInt64.self)
            for index in 0..<8 { words[index] ^= 0x3636_3636_3636_3636 }
            var inner = tc_sha256_ctx()
            tc_sha256_init(&inner)
            tc_sha256_update(&inner, pad.baseAddress, 64)
            tc_sha256_update(&inner, message.baseAddress, message.count)
            tc_sha256_final(&inner, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            for index in 0..<8 { words[index] ^= 0x3636_3636_3636_3636 ^ 0x5c5c_5c5c_5c5c_5c5c }
            var outer = tc_sha256_ctx()
            tc_sha256_init(&outer)
            tc_sha256_update(&outer, pad.baseAddress, 64)
            tc_sha256_update(&outer, out.baseAddress, 32)
            tc_sha256_final(&outer, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// HMAC-SHA-256 of the UTF-8 bytes of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: String) -> [UInt8] {
        hmacSHA256(key: key, data: Array(data.utf8))
    }

    /// A streaming SHA-256 (OpenSSL's direct implementation).
    public struct SHA256: Sendable {
        private var context = tc_sha256_ctx()

        public init() {
            tc_sha256_init(&context)
        }

        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { tc_sha256_update(&context, $0.baseAddress, $0.count) }
        }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            tc_sha256_update(&context, bytes.baseAddress, bytes.count)
        }

        /// The digest (32 bytes); the context is spent.
        public mutating func finish() -> [UInt8] {
            var digest = SHA256Digest()
            finish(into: &digest)
            return digest.bytes
        }

        /// Writes the digest to `digest`; the context is spent.
        mutating func finish(into digest: inout SHA256Digest) {
            digest.withUnsafeMutableBytes {
                tc_sha256_final(&context, $0.baseAddress?.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// Lower-case hexadecimal rendering of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }

    /// Lower-case hexadecimal rendering of `bytes`.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        guard !bytes.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var out = ByteWriter(buffer)
            out.appendHex(bytes)
            return out.count
        }
    }

    @inline(__always) static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }

    /// Lower-case hex SHA-256 of `bytes`, the form SigV4 uses for payload and request hashes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(sha256(bytes))
    }

    /// The hex SHA-256 of an empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// A SHA-256 digest or HMAC held inline (on the stack), so the signer's hashes allocate nothing.
struct SHA256Digest {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// The digest of `bytes`.
    init(of bytes: UnsafeRawBufferPointer) {
        var context = Digest.SHA256()
        context.update(bytes)
        context.finish(into: &self)
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        Swift.withUnsafeBytes(of: words, body)
    }

    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        Swift.withUnsafeMutableBytes(of: &words, body)
    }

    /// The 32 bytes as an array.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
