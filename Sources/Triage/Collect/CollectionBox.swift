import Synchronization

/// The evidence that the source threads of one collection fill, behind one lock, with the names of
/// the sources that are done. When the source budget runs out the box is sealed: the result is
/// taken then, with a gap for each source still running, and that source's later writes are
/// discarded. A blocking HTTP call cannot be interrupted, so a late source finishes the call it is
/// in, sees the seal and stops; it never adds data next to a gap that says it gave no answer.
final class CollectionBox: Sendable {
    private struct State {
        var evidence: Evidence
        var finished: Set<String> = []
        var sealed = false
    }

    private let state: Mutex<State>

    init(_ evidence: Evidence) {
        state = Mutex(State(evidence: evidence))
    }

    /// Applies `body` unless the box is sealed; false when it was discarded.
    @discardableResult
    func write(_ body: (inout Evidence) -> Void) -> Bool {
        state.withLock { state in
            guard !state.sealed else { return false }
            body(&state.evidence)
            return true
        }
    }

    /// Whether the budget ran out (a source checks between its steps).
    var isSealed: Bool { state.withLock { $0.sealed } }

    /// `name` is done (answered or failed).
    func finish(_ name: String) {
        state.withLock { _ = $0.finished.insert(name) }
    }

    /// Seals the box and returns the evidence as it stands, with `gap(name)` added for each of
    /// `sources` not yet done. Later writes are discarded.
    func seal(sources: [String], gap: (String) -> Gap) -> Evidence {
        state.withLock { state in
            if !state.sealed {
                state.sealed = true
                for name in sources where !state.finished.contains(name) { state.evidence.gaps.append(gap(name)) }
            }
            return state.evidence
        }
    }
}
