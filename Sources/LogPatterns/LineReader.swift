import Foundation

/// Reads newline-separated lines from a file descriptor in large blocks, handing each line (without
/// `\n` or a trailing `\r`) as bytes. Lines of any length are accepted: bytes beyond `maxLineBytes`
/// are skipped, and the line is reported as truncated. Invalid UTF-8 passes through as bytes.
public struct LineReader {
    private let descriptor: Int32
    private let maxLineBytes: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var finished = false
    private var line: [UInt8] = []

    public init(descriptor: Int32, maxLineBytes: Int = LogCondenser.maxLineBytes, blockSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
        buffer = [UInt8](repeating: 0, count: blockSize)
    }

    /// Calls `body` with each line and whether it was cut; returns the number of lines.
    public mutating func forEachLine(_ body: (ArraySlice<UInt8>, Bool) throws -> Void) rethrows -> Int {
        var count = 0
        var truncated = false
        line.removeAll(keepingCapacity: true)
        while true {
            if start == end {
                if finished { break }
                let read = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
                if read <= 0 {
                    finished = true
                    if !line.isEmpty || truncated {
                        try body(trimmed(line[...]), truncated)
                        count += 1
                    }
                    break
                }
                start = 0
                end = read
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                if line.isEmpty && !truncated {
                    let slice = buffer[start..<newline]
                    if slice.count > maxLineBytes {
                        try body(trimmed(slice.prefix(maxLineBytes)), true)
                    } else {
                        try body(trimmed(slice), false)
                    }
                } else {
                    append(buffer[start..<newline], &truncated)
                    try body(trimmed(line[...]), truncated)
                }
                count += 1
                line.removeAll(keepingCapacity: true)
                truncated = false
                start = newline + 1
            } else {
                append(buffer[start..<end], &truncated)
                start = end
            }
        }
        return count
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, _ truncated: inout Bool) {
        let room = maxLineBytes - line.count
        if bytes.count > room {
            line.append(contentsOf: bytes.prefix(max(0, room)))
            truncated = true
        } else {
            line.append(contentsOf: bytes)
        }
    }

    private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.last == 0x0D ? bytes.dropLast() : bytes
    }
}
