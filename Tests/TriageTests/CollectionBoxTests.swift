import Foundation
import Testing

@testable import Triage

@Suite("a collection's evidence box at the source budget")
struct CollectionBoxTests {
    @Test("sealing adds a gap for each source still running; a late source's writes are discarded")
    func sealDiscardsLateWrites() {
        var start = ReportFixtures.evidence()
        start.gaps = []
        start.logs = []
        let box = CollectionBox(start)
        #expect(box.write { $0.apiCalls = 7 })
        box.finish("cloudwatch")
        #expect(!box.isSealed)
        let sealed = box.seal(sources: ["cloudwatch", "logs", "xray"]) { Gap(source: $0, reason: "no answer") }
        #expect(sealed.gaps.map(\.source) == ["logs", "xray"])
        #expect(sealed.apiCalls == 7)
        #expect(box.isSealed)
        // The logs source answers after the budget: nothing of it lands, and sealing again adds nothing.
        let late = ReportFixtures.evidence().logs
        #expect(!late.isEmpty)
        #expect(!box.write { $0.logs = late })
        box.finish("logs")
        let again = box.seal(sources: ["cloudwatch", "logs", "xray"]) { Gap(source: $0, reason: "later") }
        #expect(again.logs.isEmpty)
        #expect(again.gaps.map(\.reason) == ["no answer", "no answer"])
    }

    @Test("every source done before the budget: no gap")
    func allAnswered() {
        var start = ReportFixtures.evidence()
        start.gaps = []
        let box = CollectionBox(start)
        for name in ["cloudwatch", "logs"] { box.finish(name) }
        #expect(box.seal(sources: ["cloudwatch", "logs"]) { Gap(source: $0, reason: "x") }.gaps.isEmpty)
    }
}
