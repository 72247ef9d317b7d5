import Foundation
import Synchronization

@testable import AWSCore

/// A transport answering from a closure, recording every request.
final class FakeTransport: HTTPTransport {
    private let handler: @Sendable (HTTPRequest, Int) throws -> HTTPResponse
    private let log = Mutex<[HTTPRequest]>([])

    init(_ handler: @escaping @Sendable (HTTPRequest, Int) throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let index = log.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return try handler(request, index)
    }
}

/// A clock tests move by hand.
final class ManualClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_736_942_400)) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A provider returning a sequence of credentials, counting fetches.
final class SequenceProvider: CredentialProvider {
    let name = "sequence"
    private let state: Mutex<(values: [AWSCredentials], fetches: Int, failing: Bool)>

    init(_ values: [AWSCredentials]) { state = Mutex((values, 0, false)) }

    var fetches: Int { state.withLock { $0.fetches } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        try state.withLock { state in
            if state.failing { throw CredentialsError.fetchFailed(name, "down") }
            let value = state.values[min(state.fetches, state.values.count - 1)]
            state.fetches += 1
            return value
        }
    }
}

func response(_ status: Int, _ body: String = "", headers: HTTPHeaders = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
}

/// Records the backoff sleeps a client asked for.
final class SleepLog: Sendable {
    private let log = Mutex<[TimeInterval]>([])
    func record(_ delay: TimeInterval) { log.withLock { $0.append(delay) } }
    var delays: [TimeInterval] { log.withLock { $0 } }
}
