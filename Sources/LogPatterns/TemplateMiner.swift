/// Online template mining in the Drain family (He et al., ICWS 2017): lines are routed by token
/// count and leading tokens to a few candidate clusters, joined to the most similar one above a
/// threshold (differing positions become wildcards), or start a new cluster.
///
/// Changes from Drain:
/// - a masked token counts as matching a template wildcard, so lines made mostly of variables
///   still find their cluster;
/// - short lines route on all their tokens, the last one included;
/// - lines that differ from a cluster only by one plain word stay apart until that position has
///   shown `variableMinValues` distinct words; then the position becomes a variable and the
///   clusters that differed only there are merged (so `state Active`/`state Inactive` stay two
///   events while a user-name position becomes `<*>`);
/// - a line whose route has no match looks at recent clusters of its length (a variable word in a
///   routing position would otherwise never meet its cluster);
/// - clusters are capped, evicting the least recently used.
struct TemplateMiner {
    struct Cluster {
        var tokens: [Int32]
        var count: Int
        var routes: [RouteKey]
    }

    /// What happened to clusters besides growing.
    enum Event {
        /// Pushed out by the cap.
        case evicted(Int32, Cluster)
        /// Merged into another cluster, which now also holds its lines.
        case absorbed(Int32, into: Int32)
    }

    /// A routing path: token count and up to three leading tokens (-1 unused, 0 wildcard).
    struct RouteKey: Hashable {
        var length: Int32
        var a: Int32 = -1
        var b: Int32 = -1
        var c: Int32 = -1

        subscript(_ index: Int) -> Int32 {
            get { index == 0 ? a : index == 1 ? b : c }
            set {
                switch index {
                case 0: a = newValue
                case 1: b = newValue
                default: c = newValue
                }
            }
        }
    }

    let settings: MinerSettings
    var table = TokenTable()
    /// Clusters by index; nil once evicted or absorbed.
    private(set) var clusters: [Cluster?] = []
    /// Where each cluster's lines went: itself, or the cluster that absorbed it.
    private var parent: [Int32] = []
    private(set) var liveCount = 0
    private var leaves: [RouteKey: [Int32]] = [:]
    private var byLength: [Int32: [Int32]] = [:]
    private var childCounts: [RouteKey: Int] = [:]
    private var edges: Set<RouteKey> = []
    // Least-recently-used order as an intrusive doubly linked list over cluster indices.
    private var newer: [Int32] = []
    private var older: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    init(settings: MinerSettings) {
        self.settings = settings
    }

    /// The cluster that now holds the lines first given to `index`.
    func resolve(_ index: Int32) -> Int32 {
        var current = index
        while parent[Int(current)] != current { current = parent[Int(current)] }
        return current
    }

    /// Adds a line's token ids and returns the index of its cluster. `events` reports evictions and
    /// merges, before the clusters concerned are forgotten.
    mutating func add(_ tokens: [Int32], events: (Event) -> Void) -> Int32 {
        let route = routeKey(tokens)
        let local = leaves[route] ?? []
        if let best = bestMatch(tokens, in: local) {
            if let joined = join(tokens, best, events: events) { return joined }
        } else if let best = bestMatch(tokens, in: recentOfLength(tokens.count, excluding: local)) {
            if let joined = join(tokens, best, events: events) {
                register(joined, at: route)
                return joined
            }
        }
        return create(tokens, at: route, events: events)
    }

    /// The similarity of a template to a line of the same length: matching positions over length,
    /// where a masked line token matches a template wildcard.
    func similarity(_ template: [Int32], _ tokens: [Int32]) -> (score: Double, exact: Int) {
        var matches = 0
        var exact = 0
        for index in 0..<tokens.count {
            let t = template[index]
            if t == tokens[index] {
                matches += 1
                exact += 1
            } else if t == TokenTable.wildcard && table.isMasked[Int(tokens[index])] {
                matches += 1
            }
        }
        return (Double(matches) / Double(max(1, tokens.count)), exact)
    }

    // MARK: matching

    private func bestMatch(_ tokens: [Int32], in candidates: [Int32]) -> Int32? {
        // Highest similarity wins; at equal similarity the more specific cluster (more exact matches).
        var best: Int32?
        var bestScore = -1.0
        var bestExact = -1
        for candidate in candidates {
            guard let cluster = clusters[Int(candidate)] else { continue }
            let (score, exact) = similarity(cluster.tokens, tokens)
            if score > bestScore || (score == bestScore && exact > bestExact) {
                best = candidate
                bestScore = score
                bestExact = exact
            }
        }
        guard let best, bestScore >= settings.similarityThreshold else { return nil }
        return best
    }

    /// Positions where the template holds a plain word and the line a different plain word.
    private func wordConflicts(_ template: [Int32], _ tokens: [Int32], limit: Int = 2) -> [Int] {
        var conflicts: [Int] = []
        for index in 0..<tokens.count {
            let t = template[index]
            let l = tokens[index]
            if t != l && t != TokenTable.wildcard && !table.isMasked[Int(t)] && !table.isMasked[Int(l)] {
                conflicts.append(index)
                if conflicts.count >= limit { break }
            }
        }
        return conflicts
    }

    /// Joins the line to `candidate` when only variables differ, or generalises a word position
    /// that has shown enough distinct words; nil when the line should start its own cluster.
    private mutating func join(_ tokens: [Int32], _ candidate: Int32, events: (Event) -> Void) -> Int32? {
        guard let cluster = clusters[Int(candidate)] else { return nil }
        let conflicts = wordConflicts(cluster.tokens, tokens)
        if conflicts.isEmpty {
            // Never let a line with words turn a template into nothing but variables.
            guard keepsAConstant(cluster.tokens, tokens) else { return nil }
            merge(tokens, into: candidate)
            return candidate
        }
        guard conflicts.count == 1 else { return nil }
        return generalize(at: conflicts[0], tokens, candidate, events: events)
    }

    /// Whether merging `tokens` into `template` leaves a constant token, or the line had none anyway.
    private func keepsAConstant(_ template: [Int32], _ tokens: [Int32]) -> Bool {
        var lineHasWord = false
        for index in 0..<tokens.count {
            let t = template[index]
            if t == tokens[index] && t != TokenTable.wildcard { return true }
            if !table.isMasked[Int(tokens[index])] { lineHasWord = true }
        }
        return !lineHasWord
    }

    /// Makes `position` a variable if the clusters that differ from the line only there carry
    /// enough distinct words, merging them into `survivor`.
    private mutating func generalize(
        at position: Int, _ tokens: [Int32], _ survivor: Int32, events: (Event) -> Void
    ) -> Int32? {
        // A template must keep at least one plain word besides the position, or unrelated short
        // events ("generating <*>", "auxiliary <*>") would collapse into "<*> <*>".
        guard let base = clusters[Int(survivor)] else { return nil }
        var constants = 0
        for index in 0..<tokens.count where index != position {
            let t = base.tokens[index]
            if t == tokens[index] && t != TokenTable.wildcard && !table.isMasked[Int(t)] { constants += 1 }
        }
        guard constants >= 1 else { return nil }
        var siblings: [Int32] = []
        var values: Set<Int32> = [tokens[position]]
        for index in recentOfLength(tokens.count, excluding: []) {
            guard let cluster = clusters[Int(index)] else { continue }
            let word = cluster.tokens[position]
            guard word != TokenTable.wildcard, !table.isMasked[Int(word)], word != tokens[position] else { continue }
            var differsElsewhere = false
            for other in 0..<tokens.count where other != position {
                let t = cluster.tokens[other]
                let bothVariable =
                    (t == TokenTable.wildcard || table.isMasked[Int(t)]) && table.isMasked[Int(tokens[other])]
                if t != tokens[other] && !bothVariable {
                    differsElsewhere = true
                    break
                }
            }
            if differsElsewhere { continue }
            siblings.append(index)
            values.insert(word)
        }
        guard values.count >= settings.variableMinValues, siblings.contains(survivor) else { return nil }
        merge(tokens, into: survivor)
        for sibling in siblings where sibling != survivor {
            absorb(sibling, into: survivor)
            events(.absorbed(sibling, into: survivor))
        }
        return survivor
    }

    // MARK: cluster bookkeeping

    private mutating func create(_ tokens: [Int32], at route: RouteKey, events: (Event) -> Void) -> Int32 {
        let index = Int32(clusters.count)
        clusters.append(Cluster(tokens: tokens, count: 1, routes: [route]))
        parent.append(index)
        newer.append(-1)
        older.append(-1)
        leaves[route, default: []].append(index)
        byLength[Int32(tokens.count), default: []].append(index)
        liveCount += 1
        linkNewest(index)
        while liveCount > settings.maxClusters, oldest >= 0 {
            let victim = oldest
            if let cluster = clusters[Int(victim)] { events(.evicted(victim, cluster)) }
            remove(victim)
        }
        return index
    }

    private mutating func merge(_ tokens: [Int32], into index: Int32) {
        guard var cluster = clusters[Int(index)] else { return }
        clusters[Int(index)] = nil  // no second reference while mutating
        for position in 0..<tokens.count where cluster.tokens[position] != tokens[position] {
            cluster.tokens[position] = TokenTable.wildcard
        }
        cluster.count += 1
        clusters[Int(index)] = cluster
        touch(index)
    }

    private mutating func absorb(_ index: Int32, into survivor: Int32) {
        guard let absorbed = clusters[Int(index)], var target = clusters[Int(survivor)] else { return }
        clusters[Int(survivor)] = nil
        for position in 0..<target.tokens.count where target.tokens[position] != absorbed.tokens[position] {
            target.tokens[position] = TokenTable.wildcard
        }
        target.count += absorbed.count
        clusters[Int(survivor)] = target
        for route in absorbed.routes { register(survivor, at: route) }
        remove(index)
        parent[Int(index)] = survivor
    }

    private mutating func register(_ index: Int32, at route: RouteKey) {
        guard var cluster = clusters[Int(index)], !cluster.routes.contains(route) else { return }
        clusters[Int(index)] = nil
        cluster.routes.append(route)
        clusters[Int(index)] = cluster
        leaves[route, default: []].append(index)
    }

    private mutating func remove(_ index: Int32) {
        guard let cluster = clusters[Int(index)] else { return }
        for route in cluster.routes {
            leaves[route]?.removeAll { $0 == index }
            if leaves[route]?.isEmpty == true { leaves[route] = nil }
        }
        let length = Int32(cluster.tokens.count)
        byLength[length]?.removeAll { $0 == index }
        if byLength[length]?.isEmpty == true { byLength[length] = nil }
        clusters[Int(index)] = nil
        liveCount -= 1
        unlink(index)
    }

    /// The most recent clusters of a length (at most `wideSearchLimit`), minus `excluded`.
    private func recentOfLength(_ length: Int, excluding excluded: [Int32]) -> [Int32] {
        guard let all = byLength[Int32(length)] else { return [] }
        let recent = all.suffix(settings.wideSearchLimit)
        return excluded.isEmpty ? Array(recent) : recent.filter { !excluded.contains($0) }
    }

    /// Routes on the length and the first `routingTokens` tokens (all of them for short lines);
    /// masked tokens and overflowing nodes take the wildcard branch.
    private mutating func routeKey(_ tokens: [Int32]) -> RouteKey {
        var key = RouteKey(length: Int32(tokens.count))
        let depth = min(settings.routingTokens, tokens.count)
        for position in 0..<depth {
            var token = tokens[position]
            if table.isMasked[Int(token)] { token = TokenTable.wildcard }
            var edge = key
            edge[position] = token
            if token != TokenTable.wildcard && !edges.contains(edge) {
                if childCounts[key, default: 0] >= settings.maxChildren {
                    token = TokenTable.wildcard
                    edge[position] = token
                } else {
                    edges.insert(edge)
                    childCounts[key, default: 0] += 1
                }
            }
            key = edge
        }
        return key
    }

    // MARK: least-recently-used list

    private mutating func touch(_ index: Int32) {
        guard newest != index else { return }
        unlink(index)
        linkNewest(index)
    }

    private mutating func linkNewest(_ index: Int32) {
        older[Int(index)] = newest
        newer[Int(index)] = -1
        if newest >= 0 { newer[Int(newest)] = index }
        newest = index
        if oldest < 0 { oldest = index }
    }

    private mutating func unlink(_ index: Int32) {
        let before = older[Int(index)]
        let after = newer[Int(index)]
        if before >= 0 { newer[Int(before)] = after } else if oldest == index { oldest = after }
        if after >= 0 { older[Int(after)] = before } else if newest == index { newest = before }
        older[Int(index)] = -1
        newer[Int(index)] = -1
    }
}
