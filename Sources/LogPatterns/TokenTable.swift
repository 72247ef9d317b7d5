/// Interns token byte strings as dense integer ids, in one byte arena with open addressing, so the
/// miner compares and hashes integers and a line's tokens cost no allocation once seen.
struct TokenTable {
    /// Id 0 is the template wildcard `<*>`.
    static let wildcard: Int32 = 0

    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    /// Whether each id stands for a masked (variable) token.
    private(set) var isMasked: [Bool] = []
    private var slots: [Int32]
    private var hashes: [UInt64] = []

    init() {
        slots = [Int32](repeating: -1, count: 1024)
        _ = intern(Array("<*>".utf8)[...], masked: true)
    }

    var count: Int { offsets.count }

    /// The id of `bytes`, adding it if new. `masked` is recorded for new tokens.
    mutating func intern(_ bytes: ArraySlice<UInt8>, masked: Bool) -> Int32 {
        let hash = Self.hash(bytes)
        var index = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while true {
            let id = slots[index]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
            index = (index + 1) & (slots.count - 1)
        }
        let id = Int32(offsets.count)
        offsets.append(arena.count)
        lengths.append(bytes.count)
        arena.append(contentsOf: bytes)
        isMasked.append(masked)
        hashes.append(hash)
        slots[index] = id
        if offsets.count * 2 > slots.count { grow() }
        return id
    }

    /// The bytes of token `id`.
    func bytes(_ id: Int32) -> ArraySlice<UInt8> {
        let start = offsets[Int(id)]
        return arena[start..<(start + lengths[Int(id)])]
    }

    /// The text of token `id`.
    func string(_ id: Int32) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }

    private func equals(_ id: Int, _ bytes: ArraySlice<UInt8>) -> Bool {
        guard lengths[id] == bytes.count else { return false }
        var a = offsets[id]
        for byte in bytes {
            if arena[a] != byte { return false }
            a += 1
        }
        return true
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        for id in 0..<offsets.count {
            var index = Int(truncatingIfNeeded: hashes[id]) & (bigger.count - 1)
            while bigger[index] >= 0 { index = (index + 1) & (bigger.count - 1) }
            bigger[index] = Int32(id)
        }
        slots = bigger
    }

    /// FNV-1a, then a finaliser so low bits are well mixed for the power-of-two table.
    private static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
