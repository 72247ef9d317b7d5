import ArgumentParser
import Foundation
import LogPatterns

struct Patterns: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Condense log lines (files or stdin) into templates with counts, most frequent first.")

    @Argument(help: "Log files to read; standard input when none.")
    var files: [String] = []

    @Option(name: .long, help: "Show only the N most frequent patterns.")
    var top: Int?

    @Flag(name: .long, help: "Print the patterns as JSON.")
    var json = false

    @Flag(name: .long, help: "Print '<cluster_id>\\t<template>' for every input line, in input order.")
    var assignments = false

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if assignments && (json || top != nil) {
            throw ValidationError("--assignments cannot be combined with --json or --top")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        var condenser = LogCondenser(keepEvictedTemplates: assignments)
        var clusters: [Int32] = []
        var lines = 0
        // The lines of one file are one stream: a stack trace's lines are one event, mined once;
        // with --assignments each of its lines gets the event's cluster, so output stays one line
        // per input line. Files carry no event times, so lines join by shape alone.
        let add = { (event: AssembledEvent) in
            let cluster = condenser.add(event)
            if assignments { clusters.append(contentsOf: repeatElement(cluster, count: event.rawEvents)) }
        }
        for source in files.isEmpty ? ["-"] : files {
            let descriptor = source == "-" ? STDIN_FILENO : open(source, O_RDONLY)
            guard descriptor >= 0 else {
                FileHandle.standardError.write(
                    Data("triaged: cannot open \(source): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitCode(2)
            }
            defer { if descriptor != STDIN_FILENO { close(descriptor) } }
            var reader = LineReader(descriptor: descriptor, maxLineBytes: LogCondenser.maxLineBytes + 1)
            var assembler = EventAssembler()
            lines += reader.forEachLine { line, _ in
                assembler.add(stream: source, timestamp: nil, message: line, emit: add)
            }
            assembler.finish(emit: add)
        }
        if condenser.linesTruncated > 0 {
            FileHandle.standardError.write(
                Data(
                    "patterns: \(condenser.linesTruncated) lines longer than \(LogCondenser.maxLineBytes) bytes were cut\n"
                        .utf8))
        }
        var output = OutputBuffer()
        if assignments {
            let canonical = condenser.canonicalClusters()
            var templates: [Int32: String] = [:]
            for cluster in clusters {
                let id = canonical[Int(cluster)]
                let template = templates[id] ?? condenser.template(ofCluster: id)
                templates[id] = template
                output.write("c\(id + 1)\t\(template)\n")
            }
        } else if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = PatternsDocument(
                lines: lines, events: condenser.linesRead, truncatedLines: condenser.linesTruncated,
                patterns: condenser.patterns(top: top))
            output.write(String(decoding: try encoder.encode(document), as: UTF8.self) + "\n")
        } else {
            let patterns = condenser.patterns(top: top)
            let events = condenser.linesRead == lines ? "" : " (\(condenser.linesRead) events)"
            output.write("\(lines) lines\(events), \(condenser.patterns().count) patterns\n")
            for pattern in patterns {
                let count = String(pattern.count).leftPadded(to: 8)
                let level = (pattern.level?.description ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0)
                output.write("\(count)  \(level)  \(pattern.template)\n")
                if let first = pattern.firstSeen, let last = pattern.lastSeen {
                    output.write("                 first \(first)  last \(last)\n")
                }
                output.write("                 e.g. \(pattern.example)\n")
            }
        }
        output.flush()
    }
}

/// `triaged patterns --json` output.
struct PatternsDocument: Encodable {
    let lines: Int
    /// Events after multi-line reassembly (equal to `lines` when nothing was joined).
    let events: Int
    let truncatedLines: Int
    let patterns: [LogPattern]

    enum CodingKeys: String, CodingKey {
        case lines, events, patterns
        case truncatedLines = "truncated_lines"
    }
}

/// Buffers standard output and writes it in large blocks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
