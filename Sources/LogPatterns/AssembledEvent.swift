/// One event as the program wrote it: a head line and the continuation lines (stack frames, causes,
/// goroutine dumps) that the log driver had split into separate log events, joined again.
public struct AssembledEvent: Sendable, Equatable {
    /// The log stream the lines came from (nil when the source has no streams).
    public var stream: String?
    /// The head line's timestamp in milliseconds since the epoch, when the source gave one.
    public var timestamp: Int64?
    /// Raw events (CloudWatch events, input lines) that make up this event.
    public var rawEvents: Int
    /// The head line.
    public var head: String { String(decoding: headBytes, as: UTF8.self) }
    /// The continuation lines kept (at most `EventAssembler.Limits.maxLines` - 1 and
    /// `maxBytes` in all); the rest are counted in `omittedLines`.
    public var continuation: [String] { rest.map { String(decoding: $0, as: UTF8.self) } }
    /// Continuation lines beyond the limits: read (their exception lines still count) but not kept.
    public var omittedLines: Int
    /// The recognised exception, if the event is one.
    public var exception: ExceptionInfo?
    /// The top frames (at most two), as printed, without leading white space.
    public var frames: [String]
    /// What the miner sees: the head line, plus `exception.summary` when the head does not already
    /// say it. A head that is only the runtime's banner (`Traceback (most recent call last):`, a
    /// Node `file.js:42` header) is replaced by the summary. Frames are never part of it, so one
    /// exception thrown from different call sites is one pattern.
    public var text: String { String(decoding: textBytes, as: UTF8.self) }
    /// The level: the head line's own, else what the runtime means by the trace (`ERROR` for an
    /// uncaught exception, `FATAL` for a Go `panic:` or `fatal error:`), else nil.
    public var level: LogLevel? { knownLevel ?? EventAssembler.level(ofHead: headBytes[...]) }

    /// The whole event as text, one line per line, with a last line saying how many were omitted.
    public var fullText: String {
        var lines = [head] + continuation
        if omittedLines > 0 { lines.append("… \(omittedLines) more lines omitted") }
        return lines.joined(separator: "\n")
    }

    let headBytes: [UInt8]
    let rest: [[UInt8]]
    let textBytes: [UInt8]
    /// The level when the assembler already decided it; nil leaves it to the head's prefix, so
    /// plain lines are not parsed twice.
    let knownLevel: LogLevel?

    init(
        stream: String?, timestamp: Int64?, rawEvents: Int, head: [UInt8], rest: [[UInt8]], omittedLines: Int,
        exception: ExceptionInfo?, frames: [String], text: [UInt8], knownLevel: LogLevel?
    ) {
        self.stream = stream
        self.timestamp = timestamp
        self.rawEvents = rawEvents
        self.headBytes = head
        self.rest = rest
        self.omittedLines = omittedLines
        self.exception = exception
        self.frames = frames
        self.textBytes = text
        self.knownLevel = knownLevel
    }
}

/// An exception recognised in an event.
///
/// `type` and `message` are those of the *last* exception printed: for Java, Kotlin, .NET and
/// Node that is the root cause (the last `Caused by:`, the innermost ` ---> `, the deepest
/// `[cause]:`), for Python the last of a chain (the one that propagated), for Go the last `panic:`.
/// `chain` keeps every class in the order printed, so the outer wrapper is still known.
public struct ExceptionInfo: Sendable, Equatable {
    /// The class (`KeyError`, `java.net.ConnectException`), or `panic` / `runtime error` /
    /// `fatal error` for Go.
    public var type: String
    /// The message after `Class: `, if any.
    public var message: String?
    /// Every exception class printed, outermost or first first.
    public var chain: [String]

    /// `Class: message`, or the class alone.
    public var summary: String { message.map { "\(type): \($0)" } ?? type }

    public init(type: String, message: String?, chain: [String]) {
        self.type = type
        self.message = message
        self.chain = chain
    }
}
