import Testing

@testable import AWSServices

@Suite("token paging")
struct PagingTests {
    @Test("empty pages with a token are followed; the last page ends it")
    func emptyPages() {
        let pages: [String?: ([Int], String?)] = [nil: ([], "a"), "a": ([], "b"), "b": ([1, 2], "c"), "c": ([3], nil)]
        let result = Paging.collect { pages[$0]! }
        #expect(result.items == [1, 2, 3])
        #expect(result.pages == 4)
        #expect(result.exhausted)
    }

    @Test("a cap stops early and says so; a repeated token ends the loop")
    func caps() {
        let capped = Paging.collect(max: 3) { token in ([1, 2], (token ?? "") + "x") }
        #expect(capped.items == [1, 2, 1])
        #expect(!capped.exhausted)
        let repeating = Paging.collect { _ in ([7], "same") }
        #expect(repeating.items == [7, 7])
        #expect(repeating.exhausted)
        let bounded = Paging.collect(maxPages: 5) { token in ([0], (token ?? "") + "y") }
        #expect(bounded.pages == 5)
    }
}
