import Foundation
import Testing

@testable import LogPatterns

@Suite("multi-line event assembly")
struct EventAssemblerTests {
    typealias Raw = (stream: String?, timestamp: Int64?, message: String)

    static let start: Int64 = 1_796_148_251_000

    /// The lines of `text` as the awslogs driver ships them: one event per line, 1 ms apart.
    static func split(_ text: String, stream: String? = "api/api/0f3c", at time: Int64 = start) -> [Raw] {
        TraceFixtures.lines(text).enumerated().map { (stream, time + Int64($0.offset), $0.element) }
    }

    /// (fixture, exception type, message, chain, level, text)
    static let cases: [(String, String, String?, [String], LogLevel, String)] = [
        (
            TraceFixtures.pythonLogged, "KeyError", "'user_id'", ["KeyError"], .error,
            "2026-12-02 18:04:11,532 ERROR [orders.api] Exception on /orders/42 [GET] KeyError: 'user_id'"
        ),
        (
            TraceFixtures.pythonChained, "worker.errors.DatabaseUnavailable", "orders database unreachable",
            ["psycopg2.OperationalError", "worker.errors.DatabaseUnavailable"], .error,
            "worker.errors.DatabaseUnavailable: orders database unreachable"
        ),
        (
            TraceFixtures.pythonDuringHandling, "payments.errors.PaymentGatewayError", "bad gateway response 502",
            ["requests.exceptions.JSONDecodeError", "payments.errors.PaymentGatewayError"], .error,
            "ERROR:payments.client:charge failed for order 7781 payments.errors.PaymentGatewayError: bad gateway response 502"
        ),
        (
            TraceFixtures.javaLogged, "java.sql.SQLTransientConnectionException",
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            [
                "org.springframework.dao.DataAccessResourceFailureException",
                "org.hibernate.exception.JDBCConnectionException", "java.sql.SQLTransientConnectionException",
            ], .error,
            "2026-12-02 18:04:12,118 ERROR [http-nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() for servlet [dispatcherServlet] threw exception java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms."
        ),
        (
            TraceFixtures.javaUncaught, "java.net.ConnectException", "Connection refused",
            ["java.lang.IllegalStateException", "java.net.ConnectException"], .error,
            "Exception in thread \"main\" java.lang.IllegalStateException: Failed to load ApplicationContext java.net.ConnectException: Connection refused"
        ),
        (
            TraceFixtures.kotlinCoroutine, "java.lang.IllegalArgumentException", "Order id must be positive, was -3",
            ["java.lang.IllegalArgumentException"], .error,
            "Exception in thread \"DefaultDispatcher-worker-2\" java.lang.IllegalArgumentException: Order id must be positive, was -3"
        ),
        (
            TraceFixtures.nodeCause, "Error", "connect ECONNREFUSED 10.0.3.17:5432", ["Error", "Error"], .error,
            "Error: failed to load order 42 Error: connect ECONNREFUSED 10.0.3.17:5432"
        ),
        (
            TraceFixtures.nodeUncaught, "TypeError", "Cannot read properties of undefined (reading 'id')",
            ["TypeError"], .error, "TypeError: Cannot read properties of undefined (reading 'id')"
        ),
        (
            TraceFixtures.nodeRejection, "UnhandledPromiseRejection",
            "This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason \"quota exceeded\".",
            ["UnhandledPromiseRejection"], .error,
            "UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason \"quota exceeded\"."
        ),
        (
            TraceFixtures.goPanic, "runtime error", "invalid memory address or nil pointer dereference",
            ["runtime error"], .critical, "panic: runtime error: invalid memory address or nil pointer dereference"
        ),
        (
            TraceFixtures.goFatal, "fatal error", "concurrent map writes", ["fatal error"], .critical,
            "fatal error: concurrent map writes"
        ),
        (
            TraceFixtures.dotnetUnhandled, "System.Collections.Generic.KeyNotFoundException",
            "The given key '42' was not present in the dictionary.",
            ["System.InvalidOperationException", "System.Collections.Generic.KeyNotFoundException"], .error,
            "Unhandled exception. System.InvalidOperationException: Order 42 could not be loaded System.Collections.Generic.KeyNotFoundException: The given key '42' was not present in the dictionary."
        ),
        (
            TraceFixtures.dotnetConsole, "System.TimeoutException", "The operation has timed out.",
            ["System.TimeoutException"], .error,
            "fail: Microsoft.AspNetCore.Server.Kestrel[13] Connection id \"0HN8S3GQ4J1K2\", Request id \"0HN8S3GQ4J1K2:00000002\": An unhandled exception was thrown by the application. System.TimeoutException: The operation has timed out."
        ),
    ]

    @Test("a trace split one line per event is one event with its exception, level and text", arguments: cases)
    func splitTrace(
        _ fixture: String, _ type: String, _ message: String?, _ chain: [String], _ level: LogLevel, _ text: String
    ) throws {
        let events = EventAssembler.assemble(Self.split(fixture))
        try #require(events.count == 1, "\(events.map(\.head))")
        let event = events[0]
        let lines = TraceFixtures.lines(fixture)
        #expect(event.rawEvents == lines.count)
        #expect(event.head == lines[0])
        #expect(event.continuation == Array(lines.dropFirst()))
        #expect(event.timestamp == Self.start)
        #expect(event.stream == "api/api/0f3c")
        #expect(event.exception == ExceptionInfo(type: type, message: message, chain: chain))
        #expect(event.level == level)
        #expect(event.text == text)
        #expect(event.omittedLines == 0)
        // Node's unhandled rejection of a non-Error value prints no stack.
        #expect(event.frames.isEmpty == (type == "UnhandledPromiseRejection"))
    }

    @Test("the same trace in one event with embedded newlines gives the same result", arguments: cases)
    func embeddedNewlines(
        _ fixture: String, _ type: String, _ message: String?, _ chain: [String], _ level: LogLevel, _ text: String
    ) throws {
        let split = EventAssembler.assemble(Self.split(fixture))
        let joined = EventAssembler.assemble([("api/api/0f3c", Self.start, fixture + "\n")])
        try #require(joined.count == 1)
        #expect(joined[0].rawEvents == 1)
        #expect(joined[0].exception == split[0].exception)
        #expect(joined[0].text == text)
        #expect(joined[0].level == level)
        #expect(joined[0].frames == split[0].frames)
        #expect(joined[0].continuation == split[0].continuation)
    }

    @Test("top frames: the first two for JVM, .NET and Node, the innermost two for Python, function lines for Go")
    func frames() {
        let java = EventAssembler.assemble(Self.split(TraceFixtures.javaUncaught))[0]
        #expect(
            java.frames == [
                "at org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate.loadContext(DefaultCacheAwareContextLoaderDelegate.java:132)",
                "at com.example.Main.main(Main.java:21)",
            ])
        let python = EventAssembler.assemble(Self.split(TraceFixtures.pythonLogged))[0]
        #expect(
            python.frames == [
                "File \"/usr/local/lib/python3.12/site-packages/flask/app.py\", line 1473, in wsgi_app",
                "File \"/app/orders/views.py\", line 88, in get_order",
            ])
        let node = EventAssembler.assemble(Self.split(TraceFixtures.nodeCause))[0]
        #expect(node.frames == ["at loadOrder (/app/src/orders.js:31:11)", "at async /app/src/routes.js:12:19"])
        let go = EventAssembler.assemble(Self.split(TraceFixtures.goFatal))[0]
        #expect(go.frames == ["main.(*Cache).Put(...)", "main.worker(0xc000010030)"])
    }

    @Test("JSON lines carrying the trace in a field give the exception of the split form")
    func jsonTraces() throws {
        let traceback = TraceFixtures.lines(TraceFixtures.pythonLogged).dropFirst().joined(separator: "\n")
        let python = try Self.json([
            "asctime": "2026-12-02 18:04:11,532", "levelname": "ERROR", "name": "orders.api",
            "message": "Exception on /orders/42 [GET]", "exc_info": traceback,
        ])
        let split = EventAssembler.assemble(Self.split(TraceFixtures.pythonLogged))[0]
        let fromJSON = try #require(EventAssembler.assemble([("api/api/0f3c", Self.start, python)]).first)
        #expect(fromJSON.exception == split.exception)
        #expect(fromJSON.level == .error)
        #expect(fromJSON.text == "Exception on /orders/42 [GET] KeyError: 'user_id'")
        #expect(fromJSON.frames == split.frames)

        // pino: numeric level, the error object under `err`.
        let pino = try Self.json([
            "level": 50, "time": 1_796_148_251_000, "pid": 1, "hostname": "ip-10-0-3-4",
            "msg": "failed to load order 42",
            "err": ["type": "Error", "message": "failed to load order 42", "stack": TraceFixtures.nodeCause],
        ])
        let node = try #require(EventAssembler.assemble([("web/web/77aa", Self.start, pino)]).first)
        let nodeSplit = EventAssembler.assemble(Self.split(TraceFixtures.nodeCause))[0]
        #expect(node.exception == nodeSplit.exception)
        #expect(node.text == "failed to load order 42 Error: connect ECONNREFUSED 10.0.3.17:5432")
        #expect(node.level == .error)

        // Logstash encoder: `stack_trace`, level WARN kept.
        let logstash = try Self.json([
            "@timestamp": "2026-12-02T18:04:12.118Z", "level": "WARN", "logger_name": "c.e.orders.OrderService",
            "message": "retrying order lookup",
            "stack_trace": TraceFixtures.lines(TraceFixtures.javaUncaught).dropFirst().joined(separator: "\n")
                .replacingOccurrences(
                    of: "Caused by:", with: "java.lang.IllegalStateException: lookup failed\nCaused by:"),
        ])
        let java = try #require(EventAssembler.assemble([(nil, nil, logstash)]).first)
        #expect(java.exception?.type == "java.net.ConnectException")
        #expect(java.level == .warning)

        // A JSON line without a trace is left to the condenser: text unchanged, no level decided.
        let plain = try Self.json(["level": "info", "msg": "order 42 loaded", "stack": "orders"])
        let event = try #require(EventAssembler.assemble([(nil, nil, plain)]).first)
        #expect(event.text == plain)
        #expect(event.exception == nil)
        #expect(event.knownLevel == nil)
    }

    @Test("the split form and the JSON form condense into one pattern")
    func samePattern() throws {
        var condenser = LogCondenser()
        var assembler = EventAssembler()
        let head = "2026-12-02T18:04:11.532Z ERROR Exception on /orders/42 [GET]"
        let trace = TraceFixtures.lines(TraceFixtures.pythonLogged).dropFirst()
        for (offset, line) in ([head] + trace).enumerated() {
            assembler.add(stream: "a", timestamp: Self.start + Int64(offset), message: line) { condenser.add($0) }
        }
        let json = try Self.json([
            "levelname": "ERROR", "message": "Exception on /orders/43 [GET]",
            "exc_info": trace.joined(separator: "\n").replacingOccurrences(of: "line 88", with: "line 91"),
        ])
        assembler.add(stream: "b", timestamp: Self.start + 20, message: json) { condenser.add($0) }
        assembler.finish { condenser.add($0) }
        let patterns = condenser.patterns()
        try #require(patterns.count == 1, "\(patterns.map(\.template))")
        #expect(patterns[0].count == 2)
        #expect(patterns[0].level == .error)
        #expect(patterns[0].exception == "KeyError")
        #expect(patterns[0].template == "Exception on <*> [GET] KeyError: 'user_id'")
    }

    @Test("one exception from different call sites and with different values is one pattern")
    func oneExceptionOnePattern() throws {
        var condenser = LogCondenser()
        var assembler = EventAssembler()
        var time = Self.start
        for (site, order) in [("views.py\", line 88", "42"), ("api.py\", line 12", "7"), ("jobs.py\", line 7", "1999")]
        {
            let trace = TraceFixtures.pythonLogged.replacingOccurrences(of: "views.py\", line 88", with: site)
                .replacingOccurrences(of: "/orders/42", with: "/orders/\(order)")
            for raw in Self.split(trace, at: time) {
                assembler.add(stream: raw.stream, timestamp: raw.timestamp, message: raw.message) { condenser.add($0) }
            }
            time += 60_000
        }
        assembler.finish { condenser.add($0) }
        let patterns = condenser.patterns()
        try #require(patterns.count == 1, "\(patterns.map(\.template))")
        #expect(patterns[0].count == 3)
        #expect(patterns[0].level == .error)
        #expect(patterns[0].template == "[orders.api] Exception on <*> [GET] KeyError: 'user_id'")
        #expect(patterns[0].exception == "KeyError")
        #expect(patterns[0].frames?.last == "File \"/app/orders/views.py\", line 88, in get_order")
    }

    @Test("streams interleaved line by line are assembled per stream")
    func interleaved() throws {
        let python = Self.split(TraceFixtures.pythonLogged, stream: "orders/orders/1")
        let java = Self.split(TraceFixtures.javaLogged, stream: "billing/billing/2")
        let plain: [Raw] = (0..<12).map { ("web/web/3", Self.start + Int64($0), "GET /health 200 \($0)ms") }
        var raw: [Raw] = []
        for index in 0..<max(python.count, java.count, plain.count) {
            for source in [python, java, plain] where index < source.count { raw.append(source[index]) }
        }
        let events = EventAssembler.assemble(raw)
        #expect(events.count == 2 + plain.count)
        #expect(events.reduce(0) { $0 + $1.rawEvents } == raw.count)
        let byStream = Dictionary(grouping: events.filter { $0.exception != nil }, by: { $0.stream ?? "" })
        #expect(byStream["orders/orders/1"]?.first?.exception?.type == "KeyError")
        #expect(byStream["orders/orders/1"]?.first?.rawEvents == python.count)
        #expect(byStream["billing/billing/2"]?.first?.exception?.type == "java.sql.SQLTransientConnectionException")
        #expect(byStream["billing/billing/2"]?.first?.rawEvents == java.count)
        #expect(events.filter { $0.stream == "web/web/3" }.map(\.text) == plain.map(\.message))
    }

    @Test("a continuation later than the gap after its stream's previous line starts a new event")
    func tooLate() {
        var raw = Self.split(TraceFixtures.javaUncaught)
        let late = raw.count - 1
        raw[late].timestamp = raw[late - 1].timestamp.map { $0 + EventAssembler.Limits().continuationGap + 1 }
        let events = EventAssembler.assemble(raw)
        #expect(events.map(\.rawEvents) == [raw.count - 1, 1])
        #expect(events[1].head == "\t... 8 more")
        // Exactly at the gap it still joins.
        raw[late].timestamp = raw[late - 1].timestamp.map { $0 + EventAssembler.Limits().continuationGap }
        #expect(EventAssembler.assemble(raw).map(\.rawEvents) == [raw.count])
    }

    @Test("with the default filter pattern only some lines of a trace arrive; head and exception still join")
    func filteredTrace() throws {
        // What `?ERROR ?Error ?error ?Exception ?exception ?FATAL ?Timeout ?timeout` lets through.
        let terms = ["ERROR", "Error", "error", "Exception", "exception", "FATAL", "Timeout", "timeout"]
        func matching(_ text: String) -> [Raw] {
            Self.split(text).filter { raw in terms.contains { raw.message.contains($0) } }
        }
        let java = EventAssembler.assemble(matching(TraceFixtures.javaLogged))
        try #require(java.count == 1, "\(java.map(\.head))")
        #expect(java[0].exception?.type == "java.sql.SQLTransientConnectionException")
        #expect(java[0].level == .error)
        let python = EventAssembler.assemble(matching(TraceFixtures.pythonLogged))
        try #require(python.count == 1, "\(python.map(\.head))")
        #expect(python[0].text == TraceFixtures.lines(TraceFixtures.pythonLogged)[0] + " KeyError: 'user_id'")
        let go = EventAssembler.assemble(matching(TraceFixtures.goPanic))
        #expect(go.map { $0.exception?.type } == ["runtime error"])
        #expect(go.first?.level == .critical)
    }

    @Test("two exceptions back to back in one stream stay two events")
    func backToBack() {
        let python = EventAssembler.assemble(
            Self.split(TraceFixtures.pythonChained + "\n" + TraceFixtures.pythonChained))
        #expect(python.count == 2)
        #expect(python.map { $0.exception?.type } == Array(repeating: "worker.errors.DatabaseUnavailable", count: 2))
        let mixed = EventAssembler.assemble(
            Self.split(TraceFixtures.javaUncaught + "\n" + TraceFixtures.kotlinCoroutine + "\n" + TraceFixtures.goPanic)
        )
        #expect(
            mixed.map { $0.exception?.type } == [
                "java.net.ConnectException", "java.lang.IllegalArgumentException", "runtime error",
            ])
        #expect(
            mixed.reduce(0) { $0 + $1.rawEvents } == TraceFixtures.lines(TraceFixtures.javaUncaught).count
                + TraceFixtures.lines(TraceFixtures.kotlinCoroutine).count
                + TraceFixtures.lines(TraceFixtures.goPanic).count)
    }

    @Test("ordinary lines pass through one by one, unchanged, with no level decided")
    func plainLines() {
        let lines = [
            "2026-12-02T18:04:10.001Z INFO GET /orders/42 200 12ms",
            " getTodayTotalDetailSteps = 1514038440000##6993##548365##8661##12266##27164404",
            "    indented detail line that follows nothing special",
            "at the end of the day the job finished",
            "Error: disk quota nearly reached",
            "2026-12-02T18:04:10.003Z INFO worker started",
            "Traceback (most recent call last):",
            "2026-12-02T18:04:10.004Z INFO after a lone traceback header",
            "",
            "java.lang.ClassCastException: android.os.BinderProxy cannot be cast to com.android.server.am.ActivityRecord$Token",
            "2026-12-02T18:04:10.005Z INFO a line that merely mentions Caused by: nothing",
        ]
        let events = EventAssembler.assemble(
            lines.enumerated().map { ("s", Self.start + Int64($0.offset), $0.element) })
        #expect(events.map(\.text) == lines)
        #expect(events.allSatisfy { $0.rawEvents == 1 && $0.continuation.isEmpty })
        #expect(events[0].knownLevel == nil)
        #expect(events[0].level == .info)
        #expect(events[9].exception?.type == "java.lang.ClassCastException")
        #expect(events[9].level == .error)
    }

    @Test("a trace after an INFO line is not taken as that line's trace; after a WARN line it is")
    func severityOfHead() {
        let trace = TraceFixtures.lines(TraceFixtures.pythonLogged).dropFirst()
        let info = EventAssembler.assemble(
            Self.split((["INFO:orders:order 42 served"] + trace).joined(separator: "\n")))
        #expect(info.map(\.rawEvents) == [1, trace.count])
        #expect(info[1].exception?.type == "KeyError")
        #expect(info[1].text == "KeyError: 'user_id'")
        let warn = EventAssembler.assemble(Self.split((["WARNING:orders:retrying"] + trace).joined(separator: "\n")))
        #expect(warn.map(\.rawEvents) == [trace.count + 1])
        #expect(warn[0].level == .warning)
    }

    @Test("an over-long event is cut with a count of omitted lines, and its root cause still counts")
    func sizeCaps() throws {
        var lines = [
            "2026-12-02 18:04:12,118 ERROR [main] c.e.Worker - recursion blew up", "java.lang.StackOverflowError",
        ]
        lines += (0..<1000).map { "\tat com.example.Tree.walk(Tree.java:\(10 + $0 % 7))" }
        lines += ["Caused by: java.lang.IllegalStateException: cycle at node 17", "\t... 1024 more"]
        let limits = EventAssembler.Limits(maxLines: 50, maxBytes: 1 << 20)
        var assembler = EventAssembler(limits: limits)
        var events: [AssembledEvent] = []
        for (offset, line) in lines.enumerated() {
            assembler.add(stream: "s", timestamp: Self.start, message: line) { events.append($0) }
            _ = offset
        }
        assembler.finish { events.append($0) }
        try #require(events.count == 1)
        let event = events[0]
        #expect(event.rawEvents == lines.count)
        #expect(event.continuation.count == 49)
        #expect(event.omittedLines == lines.count - 50)
        #expect(event.exception?.type == "java.lang.IllegalStateException")
        #expect(event.exception?.chain == ["java.lang.StackOverflowError", "java.lang.IllegalStateException"])
        #expect(event.fullText.hasSuffix("… \(lines.count - 50) more lines omitted"))
        #expect(assembler.eventsCut == 1)

        let byBytes = EventAssembler.assemble(
            lines.map { ("s", Self.start, $0) }, limits: EventAssembler.Limits(maxLines: 10_000, maxBytes: 2048))
        #expect(byBytes.count == 1)
        let kept = byBytes[0].head.utf8.count + byBytes[0].continuation.reduce(0) { $0 + $1.utf8.count }
        #expect(kept <= 2048)
        #expect(byBytes[0].continuation.count + 1 + byBytes[0].omittedLines == lines.count)
    }

    @Test("beyond the stream cap the least recently used stream's event is closed, never dropped")
    func streamCap() {
        let limits = EventAssembler.Limits(maxStreams: 2)
        var raw: [Raw] = []
        for stream in ["a", "b", "c", "d"] { raw += Self.split(TraceFixtures.goFatal, stream: stream) }
        // Interleave the four streams' lines.
        let perStream = TraceFixtures.lines(TraceFixtures.goFatal).count
        let interleaved = (0..<perStream).flatMap { index in (0..<4).map { raw[$0 * perStream + index] } }
        let events = EventAssembler.assemble(interleaved, limits: limits)
        #expect(events.reduce(0) { $0 + $1.rawEvents } == interleaved.count)
        #expect(events.count > 4)
        let whole = EventAssembler.assemble(raw, limits: limits)
        #expect(whole.map(\.rawEvents) == Array(repeating: perStream, count: 4))
    }

    @Test("a stream quiet for longer than the gap is closed as time moves on, before finish")
    func closedByTime() {
        var assembler = EventAssembler()
        var events: [AssembledEvent] = []
        for raw in Self.split(TraceFixtures.dotnetUnhandled, stream: "a") {
            assembler.add(stream: raw.stream, timestamp: raw.timestamp, message: raw.message) { events.append($0) }
        }
        #expect(events.isEmpty)
        assembler.add(stream: "b", timestamp: Self.start + 10_000, message: "GET /health 200") { events.append($0) }
        #expect(events.count == 1)
        #expect(events.first?.exception?.type == "System.Collections.Generic.KeyNotFoundException")
        assembler.finish { events.append($0) }
        #expect(events.map(\.stream) == ["a", "b"])
    }

    @Test("Go: a recovered and re-raised panic names the second panic; goroutine dumps and exit status join")
    func goRepanic() throws {
        let text = """
            panic: order 42 not found [recovered]
            \tpanic: lookup failed: order 42 not found

            goroutine 7 [running]:
            main.handle.func1()
            \t/src/main.go:30 +0x1f
            panic({0x5c3e40?, 0xc000014070?})
            \t/usr/local/go/src/runtime/panic.go:914 +0x21f
            main.handle(0x2a)
            \t/src/main.go:35 +0x85
            exit status 2
            """
        let events = EventAssembler.assemble(Self.split(text))
        try #require(events.count == 1)
        #expect(events[0].exception?.chain == ["panic", "panic"])
        #expect(events[0].exception?.message == "lookup failed: order 42 not found")
        #expect(events[0].level == .critical)
    }

    @Test("odd input loses nothing: empty events, only newlines, invalid UTF-8, a huge line, broken JSON")
    func oddInput() {
        var assembler = EventAssembler(limits: EventAssembler.Limits(maxLines: 8, maxBytes: 4096))
        var events: [AssembledEvent] = []
        let inputs: [[UInt8]] = [
            [], Array("\n\n\r\n".utf8), [0xFF, 0xFE, 0x41], Array(repeating: UInt8(ascii: "x"), count: 1 << 20),
            Array("{\"stack\": \"Error: x\\n    at f (a.js:1:1)\"".utf8), Array("\tat orphan.Frame(F.java:1)".utf8),
            Array("Traceback (most recent call last):".utf8), Array("panic: ".utf8), Array("Caused by: ".utf8),
        ]
        for input in inputs {
            assembler.add(stream: "s", timestamp: Self.start, message: input[...]) { events.append($0) }
        }
        assembler.finish { events.append($0) }
        #expect(events.reduce(0) { $0 + $1.rawEvents } == inputs.count)
        #expect(events.contains { $0.head.utf8.count == 1 << 20 })
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
