/// Recognises the shapes of stack-trace lines as each runtime prints them. Every test looks at a
/// line's first bytes only, so plain lines cost a few comparisons.
enum TraceLine {
    typealias Line = ArraySlice<UInt8>

    static let tab = UInt8(ascii: "\t")
    static let space = UInt8(ascii: " ")

    // MARK: white space

    static func isBlank(_ line: Line) -> Bool { line.allSatisfy { $0 == space || $0 == tab } }
    static func isIndented(_ line: Line) -> Bool { line.first == space || line.first == tab }
    static func trimmedStart(_ line: Line) -> Line { line.drop { $0 == space || $0 == tab } }
    static func trimmed(_ line: Line) -> Line {
        var result = trimmedStart(line)
        while let last = result.last, last == space || last == tab { result = result.dropLast() }
        return result
    }
    static func hasPrefix(_ line: Line, _ prefix: String) -> Bool { line.starts(with: prefix.utf8) }

    // MARK: JVM, .NET, Node

    /// `\tat com.x.Foo.bar(Foo.java:12)`, `    at fn (file.js:1:2)`, `   at Ns.Type.Method() in f.cs:line 3`.
    static func isAtFrame(_ line: Line) -> Bool {
        guard isIndented(line) else { return false }
        let core = trimmedStart(line)
        return hasPrefix(core, "at ") && core.count > 3
    }

    /// `Caused by: …`, `Suppressed: …`, `... 12 more`, `... 3 common frames omitted`, .NET's
    /// ` ---> Inner: …`, `--- End of inner exception stack trace ---`,
    /// `--- End of stack trace from previous location ---`.
    static func isStackContinuation(_ line: Line) -> Bool {
        let core = trimmedStart(line)
        if hasPrefix(core, "Caused by: ") || hasPrefix(core, "Suppressed: ") || hasPrefix(core, "---> ")
            || hasPrefix(core, "--- End of ")
        {
            return true
        }
        if hasPrefix(core, "... ") {
            let words = core.split(separator: space)
            return words.count >= 3 && words[1].allSatisfy(PrefixStripper.isDigit)
        }
        return false
    }

    /// The exception a continuation line introduces: `Caused by: X: m`, ` ---> X: m`,
    /// `[cause]: X: m` (Node), `\tpanic: m` (Go, after `[recovered]`).
    static func causeException(_ line: Line) -> (type: String, message: String?)? {
        let core = trimmedStart(line)
        for prefix in ["Caused by: ", "---> ", "[cause]: "] where hasPrefix(core, prefix) {
            return exception(core.dropFirst(prefix.utf8.count), anyName: true)
        }
        return nil
    }

    /// The class suffixes that make a bare `Name: message` line an exception outside a traceback.
    static let exceptionSuffixes = ["Exception", "Error", "Throwable", "Fault", "Failure", "Exit", "Interrupt"]

    /// `java.lang.IllegalStateException: msg`, `TypeError: msg`, `Error [ERR_X]: msg`, `KeyError`
    /// (a bare name only with `anyName`). `anyName` accepts any identifier (the last line of a
    /// Python traceback, the text after `Caused by: `); otherwise the class must end in one of
    /// `exceptionSuffixes`. The message is trimmed; an empty one is nil.
    static func exception(_ line: Line, anyName: Bool) -> (type: String, message: String?)? {
        let start = line.startIndex
        guard let first = line.first, isNameStart(first) else { return nil }
        var index = start
        while index < line.endIndex, isNameByte(line[index]) { index += 1 }
        let nameEnd = index
        guard line[nameEnd - 1] != UInt8(ascii: ".") else { return nil }
        // Node: `Error [ERR_HTTP_HEADERS_SENT]: …`
        if index + 1 < line.endIndex, line[index] == space, line[index + 1] == UInt8(ascii: "["),
            let close = line[index...].firstIndex(of: UInt8(ascii: "]"))
        {
            index = close + 1
        }
        let message: String?
        if index == line.endIndex {
            guard index == nameEnd else { return nil }
            message = nil
        } else if line[index] == UInt8(ascii: ":"), index + 1 == line.endIndex || line[index + 1] == space {
            let text = trimmed(line[(index + 1)...])
            message = text.isEmpty ? nil : PrefixStripper.text(text)
        } else {
            return nil
        }
        let name = line[start..<nameEnd]
        if !anyName {
            let last = name.lastIndex(of: UInt8(ascii: ".")).map { name[($0 + 1)...] } ?? name
            guard exceptionSuffixes.contains(where: { last.reversed().starts(with: $0.utf8.reversed()) }) else {
                return nil
            }
        }
        return (PrefixStripper.text(name), message)
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 97 && byte | 0x20 <= 122) || byte == UInt8(ascii: "_")
    }
    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || PrefixStripper.isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "$")
    }

    /// `Exception in thread "main" X: m` (JVM) and `Unhandled exception. X: m` (.NET): the rest.
    static func uncaughtBanner(_ line: Line) -> Line? {
        if hasPrefix(line, "Exception in thread \""),
            let close = line.dropFirst(21).firstIndex(of: UInt8(ascii: "\""))
        {
            return trimmedStart(line[(close + 1)...])
        }
        for prefix in ["Unhandled exception. ", "Unhandled Exception: "] where hasPrefix(line, prefix) {
            return line.dropFirst(prefix.utf8.count)
        }
        return nil
    }

    // MARK: Python

    static func isTracebackHeader(_ line: Line) -> Bool {
        hasPrefix(line, "Traceback (most recent call last):")
    }

    /// The sentences between two tracebacks of a chain.
    static func isPythonChainLink(_ line: Line) -> Bool {
        hasPrefix(line, "During handling of the above exception, another exception occurred:")
            || hasPrefix(line, "The above exception was the direct cause of the following exception:")
    }

    /// `  File "/app/x.py", line 12, in handler`
    static func isPythonFrame(_ line: Line) -> Bool { hasPrefix(trimmedStart(line), "File \"") }

    // MARK: Node

    /// The header Node prints above an uncaught exception: `/app/server.js:42`,
    /// `node:internal/process/promises:288`, `file:///app/x.mjs:7`.
    static func isNodeHeader(_ line: Line) -> Bool {
        guard hasPrefix(line, "/") || hasPrefix(line, "node:") || hasPrefix(line, "file:"),
            !line.contains(space), let colon = line.lastIndex(of: UInt8(ascii: ":")), colon + 1 < line.endIndex
        else { return false }
        return line[(colon + 1)...].allSatisfy(PrefixStripper.isDigit)
    }

    /// `    ^`, `            ^^^^^` under the source line of a Node header.
    static func isCaretLine(_ line: Line) -> Bool {
        let core = trimmed(line)
        return !core.isEmpty && core.allSatisfy { $0 == UInt8(ascii: "^") || $0 == UInt8(ascii: "~") }
    }

    /// `[UnhandledPromiseRejection: This error originated …]`: the text after the name.
    static func unhandledRejection(_ line: Line) -> (type: String, message: String?)? {
        guard hasPrefix(line, "[UnhandledPromiseRejection: ") else { return nil }
        var message = trimmed(line.dropFirst(28))
        if message.last == UInt8(ascii: "{") { message = trimmed(message.dropLast()) }
        if message.last == UInt8(ascii: "]") { message = message.dropLast() }
        return ("UnhandledPromiseRejection", PrefixStripper.text(message))
    }

    // MARK: Go

    /// `panic: …`, `fatal error: …`, `SIGQUIT: quit`: the exception the head states.
    static func goHead(_ line: Line) -> (type: String, message: String?)? {
        if hasPrefix(line, "panic: ") {
            var message = trimmed(line.dropFirst(7))
            if message.reversed().starts(with: " [recovered]".utf8.reversed()) { message = message.dropLast(12) }
            if hasPrefix(message, "runtime error: ") {
                return ("runtime error", PrefixStripper.text(message.dropFirst(15)))
            }
            return ("panic", PrefixStripper.text(message))
        }
        if hasPrefix(line, "fatal error: ") { return ("fatal error", PrefixStripper.text(trimmed(line.dropFirst(13)))) }
        if hasPrefix(line, "SIG"), let colon = line.firstIndex(of: UInt8(ascii: ":")), colon - line.startIndex <= 8,
            line[line.startIndex..<colon].allSatisfy({ $0 >= 65 && $0 <= 90 })
        {
            return (
                PrefixStripper.text(line[line.startIndex..<colon]), PrefixStripper.text(trimmed(line[(colon + 1)...]))
            )
        }
        return nil
    }

    /// Lines of a Go panic or goroutine dump after the head: `goroutine 1 [running]:`, `[signal …]`,
    /// a function line `main.(*Server).handle(0x0, {…})`, its tab-indented `file.go:42 +0x1c`,
    /// `created by …`, `...additional frames elided...`, `exit status 2`, register lines.
    static func isGoContinuation(_ line: Line) -> Bool {
        if isIndented(line) { return true }
        for prefix in [
            "goroutine ", "[signal ", "created by ", "...additional frames elided...", "exit status ", "PC=",
        ]
        where hasPrefix(line, prefix) {
            return true
        }
        return isGoFunction(line) || isGoRegister(line)
    }

    /// `main.main()`, `net/http.(*conn).serve(0xc0001b4000, {0x8a3f40, 0xc00009e2a0})`.
    static func isGoFunction(_ line: Line) -> Bool {
        guard line.last == UInt8(ascii: ")"), let open = line.firstIndex(of: UInt8(ascii: "(")) else { return false }
        var name = line[line.startIndex..<open]
        if name.isEmpty, let close = line.firstIndex(of: UInt8(ascii: ")")) {
            // `main.(*T).m(…)`: the name runs on after the receiver.
            name = line[line.startIndex..<close]
        }
        // `panic({0x5c3e40?, 0xc000014070?})` is the runtime's own frame between a deferred function and the panic.
        return !name.isEmpty && !name.contains(space)
            && (name.contains(UInt8(ascii: ".")) || name.elementsEqual("panic".utf8))
    }

    /// `rax    0x0` in a SIGQUIT register dump.
    static func isGoRegister(_ line: Line) -> Bool {
        let words = line.split(separator: space)
        return words.count == 2 && words[0].count <= 6
            && words[0].allSatisfy { $0 >= 97 && $0 <= 122 || PrefixStripper.isDigit($0) }
            && hasPrefix(words[1], "0x")
    }

    // MARK: .NET console logger

    /// `fail: Microsoft.AspNetCore.Server.Kestrel[13]`: the level its four-letter word means.
    static func consoleLoggerLevel(_ line: Line) -> LogLevel? {
        guard line.count > 6, line[line.startIndex + 4] == UInt8(ascii: ":"), line[line.startIndex + 5] == space
        else { return nil }
        switch PrefixStripper.text(line.prefix(4)) {
        case "trce": return .trace
        case "dbug": return .debug
        case "info": return .info
        case "warn": return .warning
        case "fail": return .error
        case "crit": return .critical
        default: return nil
        }
    }

    /// The console logger indents the message and exception under its header by six spaces.
    static func isConsoleLoggerBody(_ line: Line) -> Bool { hasPrefix(line, "      ") }

    // MARK: frames

    /// A line worth showing as a top frame, without its indentation.
    static func frame(_ line: Line) -> Line? {
        let core = trimmedStart(line)
        if isAtFrame(line) || isPythonFrame(line) { return core }
        return nil
    }
}
