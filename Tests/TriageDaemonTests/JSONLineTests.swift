import Foundation
import Logging
import Synchronization
import Testing

@testable import TriageDaemon

/// The daemon's own JSON writer (log lines, EMF metrics) against Foundation's parser: whatever the
/// text, the line parses back to the same value, keys come in byte order, one line stays one line.
@Suite("JSON lines: log handler and metrics")
struct JSONLineTests {
    static let awkwardStrings = [
        "", "plain", "quote \" backslash \\ slash /", "new\nline\r\ttab", "\u{00}\u{01}\u{1F}\u{7F}",
        "\u{08}\u{0C}", "é ü 日本 🧯", "\u{2028}\u{2029}", "</script>", "{\"nested\": [1, 2]}",
    ]

    @Test("every string survives a round trip through Foundation's JSON parser, on one line")
    func strings() throws {
        // Every pair of characters from the alphabet the escaper treats specially, and its neighbours.
        let alphabet = Array("ab\"\\/\n\r\t\u{00}\u{1B}\u{1F} \u{7F}é日🧯{}[]:,")
        var texts = Self.awkwardStrings
        for first in alphabet { for second in alphabet { texts.append(String([first, second])) } }
        for text in texts {
            let line = JSONLine.object(["k": .string(text)]).text
            #expect(!line.contains("\n") && !line.contains("\r"), "\(line)")
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(parsed == ["k": text], "\(line)")
        }
    }

    @Test("numbers: whole numbers without a fraction, others round-trip, non-finite is null")
    func numbers() throws {
        #expect(JSONLine.number(3).text == "3")
        #expect(JSONLine.number(-0.0).text == "0")
        #expect(JSONLine.number(1_733_227_200_123).text == "1733227200123")
        #expect(JSONLine.number(.nan).text == "null")
        #expect(JSONLine.number(-.infinity).text == "null")
        for value in [
            0.25, -1.5e-300, 1e300, 9_007_199_254_740_994, 18_014_398_509_481_988, 123.456, .leastNonzeroMagnitude,
        ] {
            let parsed = try JSONSerialization.jsonObject(with: Data("[\(JSONLine.number(value).text)]".utf8))
            #expect((parsed as? [Double])?.first == value, "\(value)")
        }
    }

    @Test("object keys come in byte order, nested values too")
    func keyOrder() {
        let line = JSONLine.object([
            "ts": .string("t"), "_aws": .object(["b": .number(1), "B": .number(2)]), "Service": .string("s"),
            "alarm.name": .array([.string("x"), .number(1)]),
        ]).text
        #expect(line == #"{"Service":"s","_aws":{"B":2,"b":1},"alarm.name":["x",1],"ts":"t"}"#)
    }

    @Test("a log line: redacted; metadata named like the handler's keys is kept under meta.")
    func logLine() throws {
        var handler = JSONLogHandler(label: "triaged.test", level: .info, style: .json, target: .standardError)
        handler.metadata = ["service": "orders"]
        let date = Date(timeIntervalSince1970: 1_733_227_200.123)
        let line = handler.line(
            level: .warning, message: "login with password=hunter2 failed",
            metadata: ["msg": "spoofed", "url": "postgres://app:s3cret@db:5432/x"], date: date)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == "login with password=<redacted:secret> failed")
        #expect(object["level"] == "warning")
        #expect(object["logger"] == "triaged.test")
        #expect(object["ts"] == "2024-12-03T12:00:00.123Z")
        #expect(object["service"] == "orders")
        #expect(object["meta.msg"] == "spoofed")
        #expect(object["url"] == "postgres://app:<redacted:password>@db:5432/x")
        #expect(line.hasPrefix(#"{"level":"warning","logger":"triaged.test","meta.msg":"spoofed","msg":"#))
    }

    @Test("an EMF line parses and names its metrics, units and properties")
    func metricsLine() throws {
        let lines = Mutex<[String]>([])
        let emitter = MetricsEmitter(service: "triaged-test") { line in lines.withLock { $0.append(line) } }
        emitter.emit(
            ["QueueLag": (1.5, .seconds), "AlarmsSeen": (1, .count), "Bad": (.nan, .none)],
            properties: ["alarm.name": "orders \"5xx\"", "Service": "spoof"],
            at: Date(timeIntervalSince1970: 1_733_227_200))
        let line = try #require(lines.withLock { $0.first })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["QueueLag"] as? Double == 1.5)
        #expect(object["AlarmsSeen"] as? Double == 1)
        #expect(object["Bad"] as? Double == 0)
        #expect(object["Service"] as? String == "triaged-test")
        #expect(object["alarm.name"] as? String == "orders \"5xx\"")
        let aws = try #require(object["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_733_227_200_000)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "triaged")
        #expect(directive["Dimensions"] as? [[String]] == [["Service"]])
        let metrics = try #require(directive["Metrics"] as? [[String: String]])
        #expect(metrics.map { $0["Name"] ?? "" } == ["AlarmsSeen", "Bad", "QueueLag"])
        #expect(metrics.map { $0["Unit"] ?? "" } == ["Count", "None", "Seconds"])
        #expect(emitter.total("AlarmsSeen") == 1)
    }
}
