import Testing

@testable import LogPatterns

@Suite("prefix stripping")
struct PrefixStripperTests {
    func strip(_ line: String) -> PrefixStripper.Stripped {
        PrefixStripper.strip(Array(line.utf8)[...])
    }

    @Test(
        "each header format is removed, and its level and time kept",
        arguments: [
            (
                "2024-05-01T12:00:00.123Z ERROR Connection refused", "Connection refused", LogLevel.error,
                "2024-05-01T12:00:00.123Z"
            ),
            (
                "2024-05-01 12:00:00,123 WARN [main] pool exhausted", "[main] pool exhausted", .warning,
                "2024-05-01 12:00:00,123"
            ),
            ("2024-05-01T12:00:00+02:00 info started", "started", .info, "2024-05-01T12:00:00+02:00"),
            ("Jun 14 15:16:01 combo sshd: session opened", "combo sshd: session opened", nil, "Jun 14 15:16:01"),
            ("1714564800123 DEBUG tick", "tick", .debug, "1714564800123"),
            ("1714564800.5 tick", "tick", nil, "1714564800.5"),
            ("[2024-05-01T12:00:00Z] [error] upstream timed out", "upstream timed out", .error, "2024-05-01T12:00:00Z"),
            ("level=warn msg=slow", "msg=slow", .warning, nil),
            ("[INFO] 3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b GET /health 200", "GET /health 200", .info, nil),
            (
                "2024-05-01T12:00:00Z RequestId: 3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b Task timed out", "Task timed out",
                nil, "2024-05-01T12:00:00Z"
            ),
            ("FATAL: out of memory", "out of memory", .critical, nil),
            ("FATAL panic: runtime error", "panic: runtime error", .critical, nil),
            (
                "2024-05-01T12:00:00Z ERROR warn threshold crossed", "warn threshold crossed", .error,
                "2024-05-01T12:00:00Z"
            ),
        ] as [(String, String, LogLevel?, String?)])
    func headers(_ line: String, _ message: String, _ level: LogLevel?, _ time: String?) {
        let result = strip(line)
        #expect(String(decoding: result.message, as: UTF8.self) == message)
        #expect(result.level == level)
        #expect(result.timestamp == time)
    }

    @Test("JSON log lines use the message field and keep level and time")
    func json() {
        let result = strip(
            #"{"level":"error","time":"2024-05-01T12:00:00Z","msg":"db: connection reset by peer","user":"x"}"#)
        #expect(String(decoding: result.message, as: UTF8.self) == "db: connection reset by peer")
        #expect(result.level == .error)
        #expect(result.timestamp == "2024-05-01T12:00:00Z")
        let nested = strip(#"{"message":"2024-05-01T12:00:00Z WARN slow query","severity":"WARNING"}"#)
        #expect(String(decoding: nested.message, as: UTF8.self) == "slow query")
        #expect(nested.level == .warning)
        // Not a log object: kept as text.
        let plain = strip(#"{"a":1}"#)
        #expect(String(decoding: plain.message, as: UTF8.self) == #"{"a":1}"#)
    }

    @Test("messages that merely start with a number or a word are not eaten")
    func contentKept() {
        #expect(
            String(decoding: strip("1365301360 double-hummer alignment exceptions").message, as: UTF8.self)
                == "1365301360 double-hummer alignment exceptions")
        #expect(String(decoding: strip("Information is power").message, as: UTF8.self) == "Information is power")
        #expect(String(decoding: strip("2024-05-01T12:00:00Z").message, as: UTF8.self) == "2024-05-01T12:00:00Z")
    }
}
