import Foundation
import Testing

/// `triaged patterns` as users and the log-parsing benchmark run it.
@Suite("triaged patterns", .enabled(if: TriagedBinary.url != nil))
struct PatternsCommandTests {
    let lines = [
        "2024-05-01T12:00:01Z ERROR connection to 10.0.0.5:5432 refused",
        "2024-05-01T12:00:02Z INFO request 9f0c served in 12ms",
        "2024-05-01T12:00:03Z ERROR connection to 10.0.0.6:5432 refused",
        #"{"level":"info","time":"2024-05-01T12:00:04Z","msg":"request 7a1b served in 3ms"}"#,
        "2024-05-01T12:00:05Z ERROR connection to 10.0.0.7:5432 refused",
    ]

    func runWithStdin(_ arguments: [String], _ input: String) throws -> (Int32, String, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patterns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("in.log")
        try input.write(to: file, atomically: true, encoding: .utf8)
        // Through a shell so the file becomes standard input.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = ([TriagedBinary.url!.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", command + " < '\(file.path)'"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errors, as: UTF8.self)
        )
    }

    @Test("--assignments prints one '<id>\\t<template>' line per input line, in order")
    func assignments() throws {
        let (status, output, _) = try runWithStdin(["patterns", "--assignments"], lines.joined(separator: "\n") + "\n")
        #expect(status == 0)
        let rows = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            $0.split(separator: "\t", maxSplits: 1)
        }
        #expect(rows.count == lines.count)
        #expect(rows[0][1] == "connection to <*> refused")
        #expect(rows[0][0] == rows[2][0] && rows[2][0] == rows[4][0])
        #expect(rows[1][0] == rows[3][0])
        #expect(rows[0][0] != rows[1][0])
        #expect(rows[3][1] == "request <*> served in <*>")
    }

    @Test("--json gives patterns with counts, levels, times and examples; --top limits")
    func json() throws {
        let (status, output, _) = try runWithStdin(["patterns", "--json", "--top", "1"], lines.joined(separator: "\n"))
        #expect(status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(document["lines"] as? Int == 5)
        let patterns = try #require(document["patterns"] as? [[String: Any]])
        #expect(patterns.count == 1)
        #expect(patterns[0]["template"] as? String == "connection to <*> refused")
        #expect(patterns[0]["count"] as? Int == 3)
        #expect(patterns[0]["level"] as? String == "ERROR")
        #expect(patterns[0]["first_seen"] as? String == "2024-05-01T12:00:01Z")
        #expect(patterns[0]["last_seen"] as? String == "2024-05-01T12:00:05Z")
        #expect(patterns[0]["example"] as? String == "connection to 10.0.0.5:5432 refused")
    }

    @Test("a stack trace's lines are one event: one pattern, and every line of it gets the event's cluster")
    func multiLineEvents() throws {
        let trace = [
            "2024-05-01T12:00:06Z ERROR request failed",
            "java.lang.IllegalStateException: order 42 not loaded",
            "\tat com.example.OrderService.load(OrderService.java:64)",
            "Caused by: java.net.ConnectException: Connection refused",
            "\t... 12 more",
        ]
        let input = (lines + trace + lines).joined(separator: "\n") + "\n"
        let (status, output, _) = try runWithStdin(["patterns", "--assignments"], input)
        #expect(status == 0)
        let rows = output.split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 1) }
        #expect(rows.count == lines.count * 2 + trace.count)
        let traceRows = rows[lines.count..<(lines.count + trace.count)]
        #expect(Set(traceRows.map { $0[0] }).count == 1)
        #expect(traceRows.first?[1] == "request failed java.net.ConnectException: Connection refused")
        #expect(rows[0][0] == rows[lines.count + trace.count][0])
        let (_, json, _) = try runWithStdin(["patterns", "--json"], input)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["lines"] as? Int == lines.count * 2 + trace.count)
        #expect(document["events"] as? Int == lines.count * 2 + 1)
        let patterns = try #require(document["patterns"] as? [[String: Any]])
        let failed = try #require(patterns.first { $0["exception"] != nil })
        #expect(failed["exception"] as? String == "java.net.ConnectException")
        #expect(failed["level"] as? String == "ERROR")
        #expect(failed["frames"] as? [String] == ["at com.example.OrderService.load(OrderService.java:64)"])
    }

    @Test("files as arguments, long lines cut with a note, invalid UTF-8 survives")
    func filesAndBadInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patterns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a.log")
        var bytes = Data("ok line one\n".utf8)
        bytes.append(contentsOf: [0xFF, 0xFE, 0x0A])
        bytes.append(Data(String(repeating: "y", count: 100_000).utf8))
        bytes.append(Data("\nok line two\n".utf8))
        try bytes.write(to: file)
        let outcome = try TriagedBinary.run(["patterns", file.path], environment: [:])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("4 lines, "))
        #expect(outcome.stderr.contains("1 lines longer than 8192 bytes were cut"))
        let missing = try TriagedBinary.run(
            ["patterns", directory.appendingPathComponent("nope.log").path], environment: [:])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot open"))
        let usage = try TriagedBinary.run(["patterns", "--top", "0"], environment: [:])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--top must be at least 1"))
    }
}
