import Foundation
import Testing

@testable import LogPatterns

@Suite("log condensing")
struct LogCondenserTests {
    @Test("lines of one event become one pattern with its count, times, level and first example")
    func basicGrouping() {
        var condenser = LogCondenser()
        condenser.add("2024-05-01T12:00:01Z ERROR connection to 10.0.0.5:5432 refused after 150ms")
        condenser.add("2024-05-01T12:00:02Z INFO request 9f0c served in 12ms")
        condenser.add("2024-05-01T12:00:03Z ERROR connection to 10.0.0.6:5432 refused after 20ms")
        condenser.add("2024-05-01T12:00:04Z FATAL connection to 10.0.0.7:5432 refused after 3ms")
        let patterns = condenser.patterns()
        #expect(patterns.count == 2)
        let first = patterns[0]
        #expect(first.template == "connection to <*> refused after <*>")
        #expect(first.count == 3)
        #expect(first.level == .critical)
        #expect(first.firstSeen == "2024-05-01T12:00:01Z")
        #expect(first.lastSeen == "2024-05-01T12:00:04Z")
        #expect(first.example == "connection to 10.0.0.5:5432 refused after 150ms")
        #expect(patterns[1].template == "request <*> served in <*>")
    }

    @Test("a line made mostly of variables still finds its cluster")
    func mostlyVariables() {
        var condenser = LogCondenser()
        condenser.add("10.0.0.1 42 3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b 150ms ok")
        condenser.add("10.0.0.2 43 4f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b 151ms ok")
        condenser.add("10.0.0.3 44 5f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b 152ms ok")
        #expect(condenser.patterns().count == 1)
    }

    @Test("the last token of a short message routes and separates")
    func shortMessages() {
        var condenser = LogCondenser()
        for _ in 0..<3 {
            condenser.add("worker started")
            condenser.add("worker stopped")
        }
        #expect(Set(condenser.patterns().map(\.template)) == ["worker started", "worker stopped"])
    }

    @Test("a word position becomes a variable only after several distinct words")
    func wordVariables() {
        var condenser = LogCondenser()
        condenser.add("VM Resumed (Lifecycle Event)")
        condenser.add("VM Paused (Lifecycle Event)")
        condenser.add("VM Resumed (Lifecycle Event)")
        #expect(condenser.patterns().count == 2)
        var users = LogCondenser()
        for name in ["alice", "bob", "carol", "dave", "erin", "frank"] {
            users.add("session opened for user \(name) by sshd")
        }
        #expect(users.patterns().map(\.template) == ["session opened for user <*> by sshd"])
        #expect(users.patterns().first?.count == 6)
    }

    @Test("equal counts order errors before info, then first seen; the order is deterministic")
    func ordering() {
        var condenser = LogCondenser()
        let lines = [
            "INFO cache warmed up", "ERROR disk is full", "WARN queue is slow", "INFO cache warmed up",
            "ERROR disk is full", "DEBUG probe answered fine",
        ]
        for line in lines { condenser.add(line) }
        let templates = condenser.patterns().map(\.template)
        #expect(templates == ["disk is full", "cache warmed up", "queue is slow", "probe answered fine"])
        #expect(condenser.patterns(top: 2).count == 2)
        var again = LogCondenser()
        for line in lines { again.add(line) }
        #expect(again.patterns() == condenser.patterns())
    }

    @Test("the cluster cap evicts the least recently used cluster and keeps memory bounded")
    func clusterCap() {
        var condenser = LogCondenser(settings: MinerSettings(maxClusters: 3), keepEvictedTemplates: true)
        let first = condenser.add("alpha event happened")
        condenser.add("beta thing failed badly")
        condenser.add("gamma x")
        condenser.add("beta thing failed badly")  // beta is now the most recent
        condenser.add("delta one two three four")  // evicts alpha, the least recent
        #expect(condenser.clusterCount == 3)
        #expect(condenser.clustersEvicted == 1)
        #expect(!condenser.patterns().contains { $0.template == "alpha event happened" })
        #expect(condenser.patterns().contains { $0.template == "beta thing failed badly" })
        #expect(condenser.template(ofCluster: first) == "alpha event happened")
        var bounded = LogCondenser(settings: MinerSettings(maxClusters: 50))
        for index in 0..<5_000 {
            bounded.add("unique\(index % 7 == 0 ? "x" : "y")word\(String(UnicodeScalar(65 + index % 26)!)) \(index)")
            bounded.add("event-\(String(repeating: "q", count: index % 300)) happened")
        }
        #expect(bounded.clusterCount <= 50)
    }

    @Test("invalid UTF-8, empty lines and very long lines are handled")
    func invalidInput() {
        var condenser = LogCondenser()
        condenser.add([0xFF, 0xFE, 0x20, 0x61, 0x62, 0x63][...])
        condenser.add([][...])
        condenser.add(String(repeating: "x", count: 20_000))
        #expect(condenser.linesRead == 3)
        #expect(condenser.linesTruncated == 1)
        #expect(condenser.patterns().count == 3)
        #expect(condenser.patterns().allSatisfy { $0.example.utf8.count <= LogCondenser.maxExampleBytes })
    }

    @Test("the line reader splits blocks, trims CR, and truncates long lines")
    func lineReader() throws {
        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        let text = "one\r\ntwo\n" + String(repeating: "z", count: 50) + "\nlast"
        _ = text.utf8CString.withUnsafeBufferPointer { write(pipe[1], $0.baseAddress, $0.count - 1) }
        close(pipe[1])
        var reader = LineReader(descriptor: pipe[0], maxLineBytes: 10, blockSize: 7)
        var lines: [(String, Bool)] = []
        let count = reader.forEachLine { lines.append((String(decoding: $0, as: UTF8.self), $1)) }
        close(pipe[0])
        #expect(count == 4)
        #expect(lines.map(\.0) == ["one", "two", "zzzzzzzzzz", "last"])
        #expect(lines.map(\.1) == [false, false, true, false])
    }
}
