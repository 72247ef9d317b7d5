/// Condenses a stream of log lines into patterns: strips CloudWatch/ECS prefixes, masks variables,
/// mines templates, and keeps per pattern a count, first/last time, level and one example.
/// Memory is bounded by the miner's cluster cap; lines are never stored. Multi-line events
/// (stack traces) are joined first by `EventAssembler` and added with `add(_:timestamp:)`.
public struct LogCondenser {
    /// Longer lines are cut to this many bytes before anything else.
    public static let maxLineBytes = 8192
    /// Examples are cut to this many bytes.
    public static let maxExampleBytes = 1024

    struct Summary {
        var firstSeen: String?
        var lastSeen: String?
        var level: LogLevel?
        var example: [UInt8]
        var exception: String?
        var frames: [String]?

        /// Takes in the lines of a merged cluster (which started later, so this one's example and first time stay).
        mutating func absorb(_ other: Summary) {
            if firstSeen == nil { firstSeen = other.firstSeen }
            if other.lastSeen != nil { lastSeen = other.lastSeen }
            if let level = other.level, self.level.map({ level > $0 }) ?? true { self.level = level }
            if exception == nil, other.exception != nil {
                exception = other.exception
                frames = other.frames
            }
        }
    }

    private var miner: TemplateMiner
    private var summaries: [Summary?] = []
    private let stripsPrefixes: Bool
    private let keepsEvictedTemplates: Bool
    private var evictedTemplates: [Int32: String] = [:]
    private var tokenBuffer: [Int32] = []
    private var scratch: [UInt8] = []

    /// Lines added so far.
    public private(set) var linesRead = 0
    /// Lines cut at `maxLineBytes`.
    public private(set) var linesTruncated = 0
    /// Clusters evicted by the cap.
    public private(set) var clustersEvicted = 0

    /// `keepEvictedTemplates` retains the final template of evicted clusters (for per-line
    /// assignments); without it eviction frees everything.
    public init(
        settings: MinerSettings = MinerSettings(), stripPrefixes: Bool = true, keepEvictedTemplates: Bool = false
    ) {
        miner = TemplateMiner(settings: settings)
        self.stripsPrefixes = stripPrefixes
        self.keepsEvictedTemplates = keepEvictedTemplates
    }

    /// Adds one line (without its newline). `timestamp` and `level`, when the caller knows them
    /// (CloudWatch events carry a time), win over what the prefix says. Returns the line's cluster.
    @discardableResult
    public mutating func add(_ line: ArraySlice<UInt8>, timestamp: String? = nil, level: LogLevel? = nil) -> Int32 {
        add(line, timestamp: timestamp, level: level, exception: nil)
    }

    /// Adds an assembled event: its `text` is mined, with its level, exception and frames.
    /// `timestamp` as for a line.
    @discardableResult
    public mutating func add(_ event: AssembledEvent, timestamp: String? = nil) -> Int32 {
        add(
            event.textBytes[...], timestamp: timestamp, level: event.knownLevel, exception: event.exception,
            frames: event.frames)
    }

    private mutating func add(
        _ line: ArraySlice<UInt8>, timestamp: String?, level: LogLevel?, exception: ExceptionInfo?,
        frames: [String] = []
    ) -> Int32 {
        linesRead += 1
        var line = line
        if line.count > Self.maxLineBytes {
            line = line.prefix(Self.maxLineBytes)
            linesTruncated += 1
        }
        let stripped: PrefixStripper.Stripped
        if stripsPrefixes {
            stripped = PrefixStripper.strip(line)
        } else {
            stripped = PrefixStripper.Stripped(message: line, level: nil, timestamp: nil)
        }
        tokenize(stripped.message)
        let tokens = tokenBuffer
        var events: [TemplateMiner.Event] = []
        let cluster = miner.add(tokens) { events.append($0) }
        for event in events {
            switch event {
            case .evicted(let index, let victim):
                clustersEvicted += 1
                if keepsEvictedTemplates { evictedTemplates[index] = render(victim.tokens) }
                summaries[Int(index)] = nil
            case .absorbed(let index, let survivor):
                if let absorbed = summaries[Int(index)], var target = summaries[Int(survivor)] {
                    summaries[Int(survivor)] = nil
                    target.absorb(absorbed)
                    summaries[Int(survivor)] = target
                }
                summaries[Int(index)] = nil
            }
        }
        let time = timestamp ?? stripped.timestamp
        let lineLevel = level ?? stripped.level
        if Int(cluster) == summaries.count {
            summaries.append(
                Summary(
                    firstSeen: time, lastSeen: time, level: lineLevel,
                    example: Array(stripped.message.prefix(Self.maxExampleBytes)), exception: exception?.type,
                    frames: exception == nil || frames.isEmpty ? nil : frames))
        } else if var summary = summaries[Int(cluster)] {
            summaries[Int(cluster)] = nil
            if summary.exception == nil, let exception {
                summary.exception = exception.type
                summary.frames = frames.isEmpty ? nil : frames
            }
            if summary.firstSeen == nil { summary.firstSeen = time }
            if let time { summary.lastSeen = time }
            if let lineLevel, summary.level.map({ lineLevel > $0 }) ?? true { summary.level = lineLevel }
            summaries[Int(cluster)] = summary
        }
        return cluster
    }

    /// Adds a line given as text.
    @discardableResult
    public mutating func add(_ line: String, timestamp: String? = nil, level: LogLevel? = nil) -> Int32 {
        add(Array(line.utf8)[...], timestamp: timestamp, level: level)
    }

    /// The current template of a cluster (also of an evicted one when evicted templates are kept).
    public func template(ofCluster index: Int32) -> String {
        let holder = miner.resolve(index)
        if let cluster = miner.clusters[Int(holder)] { return render(cluster.tokens) }
        return evictedTemplates[holder] ?? "<evicted>"
    }

    /// For every cluster ever created, the cluster its lines are reported under: clusters whose
    /// final templates are identical are one pattern, named after the earliest of them.
    public func canonicalClusters() -> [Int32] {
        var first: [String: Int32] = [:]
        var result = [Int32](repeating: 0, count: miner.clusters.count)
        for index in 0..<miner.clusters.count {
            let holder = miner.resolve(Int32(index))
            let template = template(ofCluster: holder)
            if let existing = first[template] {
                result[index] = existing
            } else {
                first[template] = holder
                result[index] = holder
            }
        }
        return result
    }

    /// The patterns, most frequent first; at equal counts the more severe level, then the earlier
    /// pattern. `top` limits how many are returned.
    public func patterns(top: Int? = nil) -> [LogPattern] {
        var merged: [String: LogPattern] = [:]
        var order: [String: Int] = [:]
        for index in 0..<miner.clusters.count {
            guard let cluster = miner.clusters[index], let summary = summaries[index] else { continue }
            let template = render(cluster.tokens)
            if var existing = merged[template] {
                existing.count += cluster.count
                existing.lastSeen = summary.lastSeen ?? existing.lastSeen
                if let level = summary.level, existing.level.map({ level > $0 }) ?? true { existing.level = level }
                if existing.exception == nil, summary.exception != nil {
                    existing.exception = summary.exception
                    existing.frames = summary.frames
                }
                merged[template] = existing
            } else {
                order[template] = index
                var pattern = LogPattern(
                    id: "p\(index + 1)", template: template, count: cluster.count, firstSeen: summary.firstSeen,
                    lastSeen: summary.lastSeen, level: summary.level,
                    example: String(decoding: summary.example, as: UTF8.self))
                pattern.exception = summary.exception
                pattern.frames = summary.frames
                merged[template] = pattern
            }
        }
        let sorted = merged.values.sorted { lhs, rhs in
            if lhs.count != rhs.count { return lhs.count > rhs.count }
            let l = lhs.level?.rawValue ?? -1
            let r = rhs.level?.rawValue ?? -1
            if l != r { return l > r }
            return order[lhs.template, default: 0] < order[rhs.template, default: 0]
        }
        return top.map { Array(sorted.prefix(max(0, $0))) } ?? sorted
    }

    /// Distinct patterns currently held.
    public var clusterCount: Int { miner.liveCount }

    private mutating func tokenize(_ message: ArraySlice<UInt8>) {
        tokenBuffer.removeAll(keepingCapacity: true)
        var index = message.startIndex
        let end = message.endIndex
        var previousWasNumber = false
        while index < end {
            while index < end, isSeparator(message[index]) { index += 1 }
            guard index < end else { break }
            let start = index
            while index < end, !isSeparator(message[index]) { index += 1 }
            let token = message[start..<index]
            if TokenMasker.mask(token, into: &scratch) {
                tokenBuffer.append(miner.table.intern(scratch[...], masked: true))
                previousWasNumber = scratch.elementsEqual(TokenMasker.placeholder)
            } else if previousWasNumber && TokenMasker.isUnit(token) {
                // "5.2 KB", "93.0 B", "250 ms": the unit is part of the value.
                tokenBuffer.append(TokenTable.wildcard)
                previousWasNumber = false
            } else {
                tokenBuffer.append(miner.table.intern(token, masked: false))
                previousWasNumber = false
            }
        }
    }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private func render(_ tokens: [Int32]) -> String {
        tokens.map { miner.table.string($0) }.joined(separator: " ")
    }
}
