import Dispatch
import Foundation
import Synchronization
import Testing

@testable import TriageDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// The relay with SIGUSR1 and SIGUSR2, which nothing else in the test process uses.
@Suite("signal relay")
struct SignalRelayTests {
    @Test("a signal sent before a handler is attached is kept, not fatal, and delivered first; later ones follow")
    func keepsEarlySignals() {
        let relay = SignalRelay(signals: [SIGUSR1, SIGUSR2])
        kill(getpid(), SIGUSR1)
        // Kept once the process has taken it (by the relay's own handler or by Dispatch).
        let deadline = Date().addingTimeInterval(5)
        while relay.kept != [SIGUSR1] && Date() < deadline { usleep(1000) }
        #expect(relay.kept == [SIGUSR1])
        let received = Mutex<[Int32]>([])
        let arrived = DispatchSemaphore(value: 0)
        relay.attach { number in
            received.withLock { $0.append(number) }
            arrived.signal()
        }
        #expect(arrived.wait(timeout: .now() + 5) == .success)
        #expect(relay.kept.isEmpty)
        kill(getpid(), SIGUSR2)
        #expect(arrived.wait(timeout: .now() + 5) == .success)
        #expect(received.withLock { $0 } == [SIGUSR1, SIGUSR2])
    }
}
