import Synchronization

/// Counts AWS API calls made for one incident (collectors run on several threads).
final class CallCounter: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ count: Int = 1) {
        value.add(count, ordering: .relaxed)
    }

    var count: Int { value.load(ordering: .relaxed) }
}
