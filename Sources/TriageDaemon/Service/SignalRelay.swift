import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Signals that arrived before Dispatch registered its own handling (bit n for signal n).
private let earlySignals = Atomic<UInt64>(0)

/// The handler in place until Dispatch registers its source (it replaces the handler then, on its
/// manager thread, a moment after `resume()`): a signal in that moment is noted, not lost and not
/// fatal. A signal handler may only touch lock-free atomics.
private func noteEarlySignal(_ number: Int32) {
    earlySignals.bitwiseOr(UInt64(1) << UInt64(number), ordering: .relaxed)
}

/// Takes over SIGTERM, SIGINT and SIGHUP the moment it is created and keeps what arrives until a
/// handler is attached, so a signal sent while the daemon is still being set up (the configuration,
/// credentials, clients, the state directory) is neither lost nor fatal: it is delivered, in order,
/// as soon as `attach` is called. `triaged run` creates it first thing; handlers run on its own
/// serial queue, one at a time.
public final class SignalRelay: Sendable {
    private struct Relay {
        var sources: [any DispatchSourceSignal] = []
        var handler: (@Sendable (Int32) -> Void)?
        var pending: [Int32] = []
    }

    private let queue: DispatchQueue
    private let signals: [Int32]
    private let relay = Mutex(Relay())

    /// Takes over `signals` (SIGTERM, SIGINT and SIGHUP by default) from now on.
    public init(signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) {
        queue = DispatchQueue(label: "triaged.signals")
        self.signals = signals
        // Initialised here, not first inside the signal handler.
        _ = earlySignals.load(ordering: .relaxed)
        relay.withLock { relay in
            for number in signals {
                // The default action of these signals ends the process.
                signal(number, noteEarlySignal)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [weak self] in self?.deliver(number) }
                source.resume()
                relay.sources.append(source)
            }
        }
    }

    /// From now on every signal goes to `handler`; the ones that came before go first. Both run on
    /// the serial queue, so the order is the order of arrival.
    public func attach(_ handler: @escaping @Sendable (Int32) -> Void) {
        queue.async {
            let early = earlySignals.bitwiseAnd(~self.mask, ordering: .relaxed).oldValue
            let pending = self.relay.withLock { relay -> [Int32] in
                relay.handler = handler
                defer { relay.pending = [] }
                return self.signals.filter { early & Self.bit($0) != 0 } + relay.pending
            }
            for number in pending { handler(number) }
        }
    }

    /// The signals kept for `attach`, oldest first.
    var kept: [Int32] {
        let early = earlySignals.load(ordering: .relaxed)
        return signals.filter { early & Self.bit($0) != 0 } + relay.withLock { $0.pending }
    }

    private var mask: UInt64 { signals.reduce(0) { $0 | Self.bit($1) } }

    private static func bit(_ number: Int32) -> UInt64 { UInt64(1) << UInt64(number) }

    deinit {
        relay.withLock { relay in
            for source in relay.sources { source.cancel() }
        }
    }

    private func deliver(_ number: Int32) {
        let handler = relay.withLock { relay -> (@Sendable (Int32) -> Void)? in
            if relay.handler == nil { relay.pending.append(number) }
            return relay.handler
        }
        handler?(number)
    }
}
