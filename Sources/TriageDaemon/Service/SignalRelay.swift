import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Takes over SIGTERM, SIGINT and SIGHUP the moment it is created and keeps what arrives until a
/// handler is attached, so a signal sent while the daemon is still being built (credentials,
/// clients, the state directory) is neither lost nor fatal: it is delivered, in order, as soon as
/// `attach` is called. Handlers run on `queue`.
final class SignalRelay: Sendable {
    private struct Relay {
        var sources: [any DispatchSourceSignal] = []
        var handler: (@Sendable (Int32) -> Void)?
        var pending: [Int32] = []
    }

    private let queue: DispatchQueue
    private let relay = Mutex(Relay())

    init(signals: [Int32], queue: DispatchQueue) {
        self.queue = queue
        relay.withLock { relay in
            for number in signals {
                // The default action of these signals ends the process; Dispatch needs them ignored.
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [weak self] in self?.deliver(number) }
                source.resume()
                relay.sources.append(source)
            }
        }
    }

    /// From now on every signal goes to `handler`; the ones that came before go first. Both run on
    /// the serial queue, so the order is the order of arrival.
    func attach(_ handler: @escaping @Sendable (Int32) -> Void) {
        queue.async {
            let pending = self.relay.withLock { relay -> [Int32] in
                relay.handler = handler
                defer { relay.pending = [] }
                return relay.pending
            }
            for number in pending { handler(number) }
        }
    }

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
