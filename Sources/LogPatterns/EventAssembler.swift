import Foundation

/// Joins again what one exception wrote over several log events. The ECS `awslogs` driver (and
/// most line-based shippers) turns every stdout line into its own event, so a Python traceback
/// arrives as six events and a Java stack trace as forty; mined line by line they become many
/// patterns with no level. Fed events in the order FilterLogEvents returns them (time-ordered,
/// interleaved across streams), the assembler keeps one pending event per stream and joins a line
/// to it when the line has a continuation's *shape* for what is pending (`\tat …`, `Caused by:`,
/// `... 12 more`, `  File "…", line 3`, `goroutine 1 [running]:`, ` ---> …`, Node's
/// `    at fn (file.js:1:2)` and `[cause]:`, …) and came at most `Limits.continuationGap` after the
/// previous line of that stream. A line that is not a continuation closes the pending event and
/// starts the next one; a line on its own passes through unchanged.
///
/// A raw event that already holds several lines (`awslogs-multiline-pattern`, a shipper that
/// joins) is one event with all its lines; a JSON line whose `exc_info`, `stack`, `stack_trace` or
/// `err.stack` field holds the trace is read through that field. Both give the same exception as
/// the split form.
///
/// Memory is bounded: at most `maxLines` lines and `maxBytes` bytes are kept per event (further
/// lines are counted in `omittedLines`, and their exception lines still count), and at most
/// `maxStreams` streams are pending (the least recently used one is closed, not dropped). Nothing
/// is dropped: every raw event ends up in exactly one assembled event's `rawEvents`, except that a
/// raw event holding several lines counts in each assembled event its lines reach.
public struct EventAssembler {
    /// The bounds of one assembler.
    public struct Limits: Sendable, Equatable {
        /// Lines kept per event, head included.
        public var maxLines: Int
        /// Bytes kept per event, head included (the head is always kept whole).
        public var maxBytes: Int
        /// Streams with a pending event; beyond it the least recently used one is closed.
        public var maxStreams: Int
        /// A continuation more than this many milliseconds after the previous line of its stream
        /// starts a new event. Runtimes print a trace in one go (the lines of one trace arrive
        /// within a few milliseconds), so one second leaves room for a loaded host without
        /// joining a later, unrelated line.
        public var continuationGap: Int64

        public init(
            maxLines: Int = 256, maxBytes: Int = 32 * 1024, maxStreams: Int = 512, continuationGap: Int64 = 1000
        ) {
            self.maxLines = max(1, maxLines)
            self.maxBytes = max(1, maxBytes)
            self.maxStreams = max(1, maxStreams)
            self.continuationGap = max(0, continuationGap)
        }
    }

    /// What the pending event is, which decides what may continue it.
    enum Shape: Equatable {
        /// One ordinary line so far.
        case plain
        /// A JVM, .NET or Node exception: frames, causes, Node's indented properties.
        case stack
        /// Node's `file.js:42` banner, waiting for the exception line.
        case nodeBanner
        case python(PythonState)
        /// A Go panic, fatal error or goroutine dump.
        case go
        /// A .NET console logger header (`fail: Category[0]`) and its six-space indented body.
        case consoleLogger
        /// Complete in one raw event (a JSON line carrying its trace).
        case closed

        enum PythonState { case traceback, ended, chained }
    }

    struct Pending {
        var head: [UInt8]
        var rest: [[UInt8]] = []
        var bytes: Int
        var omitted = 0
        var rawEvents = 1
        var timestamp: Int64?
        var lastTimestamp: Int64?
        var shape: Shape = .plain
        var chain: [(type: String, message: String?)] = []
        var frames: [String] = []
        /// The head is only the runtime's banner; the exception replaces it in the mined text.
        var bannerHead = false
        /// What the runtime means by the trace when the head names no level.
        var impliedLevel: LogLevel = .error
        var headLevel: LogLevel??
        /// The message of a JSON head, mined instead of the JSON text.
        var jsonMessage: [UInt8]?
        var sequence: UInt64
        var lastUse: UInt64
    }

    /// The limits this assembler keeps.
    public let limits: Limits
    /// Events cut at `maxLines` or `maxBytes`.
    public private(set) var eventsCut = 0

    private var slots: [Pending] = []
    private var streams: [String?: Int] = [:]
    private var slotStreams: [String?] = []
    private var clock: UInt64 = 0
    /// The last stream looked up and its slot: most sources write long runs of one stream.
    private var cachedStream: String?
    private var cachedSlot: Int?
    private var lastSweep: Int64?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Adds one raw event; `emit` receives every event this closes (the pending event of this
    /// stream if the line does not continue it, events of other streams that are past the gap).
    public mutating func add(
        stream: String?, timestamp: Int64?, message: ArraySlice<UInt8>, emit: (AssembledEvent) -> Void
    ) {
        clock += 1
        sweep(now: timestamp, emit)
        let hasNewline = message.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { memchr($0, 0x0A, buffer.count) != nil } ?? false
        }
        guard hasNewline else {
            place(stripCR(message), stream: stream, timestamp: timestamp, emit)
            return
        }
        var lines = message.split(separator: 0x0A, omittingEmptySubsequences: false).map(stripCR)
        while lines.count > 1, let last = lines.last, TraceLine.isBlank(last) { lines.removeLast() }
        let slot = place(lines[0], stream: stream, timestamp: timestamp, emit)
        // The writer already said these lines are one event: join them whatever their shape, but
        // let their shape update what the event is.
        for line in lines.dropFirst() {
            _ = accepts(&slots[slot], line, forced: true)
            keep(&slots[slot], line)
        }
    }

    /// Adds one raw event given as text.
    public mutating func add(stream: String?, timestamp: Int64?, message: String, emit: (AssembledEvent) -> Void) {
        add(stream: stream, timestamp: timestamp, message: Array(message.utf8)[...], emit: emit)
    }

    /// Closes every pending event, in the order they started.
    public mutating func finish(emit: (AssembledEvent) -> Void) {
        let order = slots.indices.sorted { slots[$0].sequence < slots[$1].sequence }
        for index in order { emit(closed(slots[index], stream: slotStreams[index])) }
        slots.removeAll()
        slotStreams.removeAll()
        streams.removeAll()
        cachedSlot = nil
    }

    /// All events of `events`, assembled, in the order they were closed.
    public static func assemble(
        _ events: some Sequence<(stream: String?, timestamp: Int64?, message: String)>, limits: Limits = Limits()
    ) -> [AssembledEvent] {
        var assembler = EventAssembler(limits: limits)
        var result: [AssembledEvent] = []
        for event in events {
            assembler.add(stream: event.stream, timestamp: event.timestamp, message: event.message) {
                result.append($0)
            }
        }
        assembler.finish { result.append($0) }
        return result
    }

    // MARK: joining

    /// Joins `line` to its stream's pending event or starts a new one; returns the slot it went to.
    @discardableResult
    private mutating func place(
        _ line: ArraySlice<UInt8>, stream: String?, timestamp: Int64?, _ emit: (AssembledEvent) -> Void
    ) -> Int {
        let found: Int?
        if let cachedSlot, cachedStream == stream {
            found = cachedSlot
        } else {
            found = streams[stream]
            cachedStream = stream
            cachedSlot = found
        }
        if let slot = found {
            let previous = slots[slot].lastTimestamp
            let inTime = timestamp.flatMap { now in previous.map { abs(now - $0) <= limits.continuationGap } } ?? true
            if inTime, accepts(&slots[slot], line, forced: false) {
                slots[slot].rawEvents += 1
                if let timestamp { slots[slot].lastTimestamp = timestamp }
                slots[slot].lastUse = clock
                keep(&slots[slot], line)
                return slot
            }
            emit(closed(slots[slot], stream: stream))
            slots[slot] = started(line, timestamp: timestamp)
            return slot
        }
        if slots.count >= limits.maxStreams,
            let oldest = slots.indices.min(by: { slots[$0].lastUse < slots[$1].lastUse })
        {
            let evicted = slotStreams[oldest]
            emit(closed(remove(oldest), stream: evicted))
        }
        streams[stream] = slots.count
        cachedStream = stream
        cachedSlot = slots.count
        slotStreams.append(stream)
        slots.append(started(line, timestamp: timestamp))
        return slots.count - 1
    }

    /// Closes the events of streams whose last line is older than the gap; at most once per gap.
    private mutating func sweep(now: Int64?, _ emit: (AssembledEvent) -> Void) {
        guard let now else { return }
        if let last = lastSweep, now - last <= limits.continuationGap { return }
        lastSweep = now
        var index = 0
        while index < slots.count {
            if let time = slots[index].lastTimestamp, now - time > limits.continuationGap {
                let stream = slotStreams[index]
                emit(closed(remove(index), stream: stream))
            } else {
                index += 1
            }
        }
    }

    /// Removes a slot (the last one takes its place).
    private mutating func remove(_ index: Int) -> Pending {
        cachedSlot = nil
        let pending = slots[index]
        streams[slotStreams[index]] = nil
        let last = slots.count - 1
        if index != last {
            slots[index] = slots[last]
            slotStreams[index] = slotStreams[last]
            streams[slotStreams[index]] = index
        }
        slots.removeLast()
        slotStreams.removeLast()
        return pending
    }

    private func keep(_ pending: inout Pending, _ line: ArraySlice<UInt8>) {
        if pending.rest.count + 1 >= limits.maxLines || pending.bytes + line.count > limits.maxBytes {
            pending.omitted += 1
        } else {
            pending.rest.append(Array(line))
            pending.bytes += line.count
        }
    }

    private func stripCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0D ? line.dropLast() : line
    }

    // MARK: shapes

    /// A new pending event with `line` as its head.
    private func started(_ line: ArraySlice<UInt8>, timestamp: Int64?) -> Pending {
        var pending = Pending(
            head: Array(line), bytes: line.count, timestamp: timestamp, lastTimestamp: timestamp, sequence: clock,
            lastUse: clock)
        // Each head shape starts with its own byte; most lines are ruled out by the first one.
        guard let first = line.first else { return pending }
        if first == UInt8(ascii: "T"), TraceLine.isTracebackHeader(line) {
            pending.shape = .python(.traceback)
            pending.bannerHead = true
        } else if first == UInt8(ascii: "p") || first == UInt8(ascii: "f") || first == UInt8(ascii: "S"),
            let exception = TraceLine.goHead(line)
        {
            pending.shape = .go
            pending.chain = [exception]
            pending.impliedLevel = .critical
        } else if first == UInt8(ascii: "E") || first == UInt8(ascii: "U"), let rest = TraceLine.uncaughtBanner(line) {
            pending.shape = .stack
            if let exception = TraceLine.exception(rest, anyName: true) { pending.chain = [exception] }
        } else if let exception = TraceLine.unhandledRejection(line) ?? TraceLine.exception(line, anyName: false) {
            pending.shape = .stack
            pending.chain = [exception]
        } else if first == UInt8(ascii: "/") || first == UInt8(ascii: "n") || first == UInt8(ascii: "f"),
            TraceLine.isNodeHeader(line)
        {
            pending.shape = .nodeBanner
            pending.bannerHead = true
        } else if TraceLine.consoleLoggerLevel(line) != nil {
            pending.shape = .consoleLogger
        } else if first == UInt8(ascii: "{") {
            readJSONTrace(line, into: &pending)
        }
        return pending
    }

    /// Whether `line` continues `pending` (and if so, what it changes). `forced` lines belong to
    /// the event anyway (they came in the same raw event); their shape is still read.
    private func accepts(_ pending: inout Pending, _ line: ArraySlice<UInt8>, forced: Bool) -> Bool {
        switch pending.shape {
        case .closed:
            return forced
        case .plain:
            let first = line.first ?? 0
            let indented = first == TraceLine.space || first == TraceLine.tab
            let continuationStart =
                first == UInt8(ascii: "C") || first == UInt8(ascii: "S") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: ".")
            if (indented || continuationStart) && (TraceLine.isAtFrame(line) || TraceLine.isStackContinuation(line)) {
                pending.shape = .stack
                noteStackLine(&pending, line)
                return true
            }
            // `logger.exception(…)`, `log.error("…", e)`: a severe line, then the trace.
            if first == UInt8(ascii: "T"), TraceLine.isTracebackHeader(line), forced || isSevere(&pending) {
                pending.shape = .python(.traceback)
                return true
            }
            if indented || TraceLine.isNameStart(first),
                let exception = TraceLine.exception(TraceLine.trimmedStart(line), anyName: false),
                forced || isSevere(&pending)
            {
                pending.shape = .stack
                pending.chain.append(exception)
                return true
            }
            return forced
        case .stack:
            let core = TraceLine.trimmedStart(line)
            if core.isEmpty || TraceLine.isIndented(line) || TraceLine.isStackContinuation(line)
                || core.first == UInt8(ascii: "}") || core.first == UInt8(ascii: "]")
                || TraceLine.hasPrefix(line, "Node.js v")
            {
                noteStackLine(&pending, line)
                return true
            }
            return forced
        case .nodeBanner:
            if TraceLine.isBlank(line) || TraceLine.isIndented(line) || TraceLine.isCaretLine(line) { return true }
            if let exception = TraceLine.unhandledRejection(line) ?? TraceLine.exception(line, anyName: false) {
                pending.chain.append(exception)
                pending.shape = .stack
                return true
            }
            return forced
        case .python(let state):
            return acceptsPython(&pending, line, state: state, forced: forced)
        case .go:
            guard TraceLine.isBlank(line) || TraceLine.isGoContinuation(line) else { return forced }
            let core = TraceLine.trimmedStart(line)
            if TraceLine.isIndented(line), let exception = TraceLine.goHead(core) {
                // `panic: first [recovered]` then `\tpanic: second`: the second is what killed it.
                pending.chain.append(exception)
            } else if pending.frames.count < 2, !TraceLine.isIndented(line), TraceLine.isGoFunction(line) {
                pending.frames.append(PrefixStripper.text(line))
            }
            return true
        case .consoleLogger:
            guard TraceLine.isConsoleLoggerBody(line) else { return forced }
            let core = TraceLine.trimmedStart(line)
            if pending.chain.isEmpty, let exception = TraceLine.exception(core, anyName: false) {
                pending.chain.append(exception)
            } else {
                noteStackLine(&pending, line)
            }
            return true
        }
    }

    private func acceptsPython(
        _ pending: inout Pending, _ line: ArraySlice<UInt8>, state: Shape.PythonState, forced: Bool
    ) -> Bool {
        switch state {
        case .traceback:
            if TraceLine.isBlank(line) || TraceLine.isIndented(line) {
                if TraceLine.isPythonFrame(line) {
                    // Python prints the innermost frame last: keep the last two.
                    if pending.frames.count == 2 { pending.frames.removeFirst() }
                    pending.frames.append(PrefixStripper.text(TraceLine.trimmedStart(line)))
                }
                return true
            }
            if let exception = TraceLine.exception(line, anyName: true) {
                pending.chain.append(exception)
                pending.shape = .python(.ended)
                return true
            }
            return forced
        case .ended, .chained:
            if TraceLine.isBlank(line) { return true }
            if TraceLine.isPythonChainLink(line) {
                pending.shape = .python(.chained)
                return true
            }
            if state == .chained, TraceLine.isTracebackHeader(line) {
                pending.shape = .python(.traceback)
                return true
            }
            return forced
        }
    }

    /// Records the cause a stack line introduces and the first two frames.
    private func noteStackLine(_ pending: inout Pending, _ line: ArraySlice<UInt8>) {
        if let cause = TraceLine.causeException(line) {
            pending.chain.append(cause)
        } else if pending.frames.count < 2, let frame = TraceLine.frame(line) {
            var text = frame
            if text.last == UInt8(ascii: "{") { text = TraceLine.trimmed(text.dropLast()) }
            pending.frames.append(PrefixStripper.text(text))
        }
    }

    /// Whether the head line says WARN or worse (so a trace after it is its trace).
    private func isSevere(_ pending: inout Pending) -> Bool {
        if pending.headLevel == nil { pending.headLevel = .some(Self.level(ofHead: pending.head[...])) }
        return (pending.headLevel ?? nil).map { $0 >= .warning } ?? false
    }

    /// The level a head line states: its prefix (or JSON level), Python logging's default
    /// `ERROR:name:message`, or the .NET console logger's `fail:`.
    static func level(ofHead head: ArraySlice<UInt8>) -> LogLevel? {
        if let level = PrefixStripper.strip(head).level { return level }
        if let colon = head.prefix(10).firstIndex(of: UInt8(ascii: ":")),
            let level = LogLevel(word: head[head.startIndex..<colon])
        {
            return level
        }
        return TraceLine.consoleLoggerLevel(head)
    }

    // MARK: the result

    private mutating func closed(_ pending: Pending, stream: String?) -> AssembledEvent {
        if pending.omitted > 0 { eventsCut += 1 }
        return assembled(pending, stream: stream)
    }

    private func assembled(_ pending: Pending, stream: String?) -> AssembledEvent {
        let exception = pending.chain.last.map {
            ExceptionInfo(type: $0.type, message: $0.message, chain: pending.chain.map(\.type))
        }
        var text = pending.jsonMessage ?? pending.head
        if pending.shape == .consoleLogger, let body = pending.rest.first {
            // The header names only the category; the message is the first body line.
            text += [TraceLine.space] + TraceLine.trimmed(body[...])
        }
        if let exception {
            let summary = Array(exception.summary.utf8)
            if pending.bannerHead {
                text = summary
            } else if !contains(text, summary) {
                text += [TraceLine.space] + summary
            }
        }
        var knownLevel: LogLevel?
        if exception != nil || !pending.rest.isEmpty || pending.omitted > 0 || pending.jsonMessage != nil {
            knownLevel =
                (pending.headLevel ?? Self.level(ofHead: pending.head[...]))
                ?? (exception != nil ? pending.impliedLevel : nil)
        }
        return AssembledEvent(
            stream: stream, timestamp: pending.timestamp, rawEvents: pending.rawEvents, head: pending.head,
            rest: pending.rest, omittedLines: pending.omitted, exception: exception, frames: pending.frames,
            text: text, knownLevel: knownLevel)
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
