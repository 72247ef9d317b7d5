import Foundation
import Testing

/// Every seed input and every input that once crashed a fuzz target, replayed through a normal
/// build of `triaged-fuzz` (make fuzz runs the libFuzzer build for minutes per target).
@Suite("fuzz corpus and regressions replay", .enabled(if: FuzzReplayBinary.url != nil))
struct FuzzCorpusTests {

    @Test(
        "each target takes its seeds and regressions without crashing",
        arguments: ["alarm", "xml", "json", "config", "logs", "report"])
    func replay(target: String) throws {
        let root = LocalAWSWorld.repositoryRoot.appendingPathComponent("fuzz")
        let seeds = root.appendingPathComponent("corpus/\(target)")
        let regressions = root.appendingPathComponent("regressions/\(target)")
        let outcome = try Subprocess.run(try #require(FuzzReplayBinary.url), [target, seeds.path, regressions.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let count = Int(outcome.stdout.split(separator: " ").dropFirst(2).first ?? "") ?? 0
        let seedCount = try FileManager.default.contentsOfDirectory(atPath: seeds.path).count
        #expect(count >= seedCount, "\(outcome.stdout)")
    }
}

/// The normal build of `triaged-fuzz`, beside `triaged`.
enum FuzzReplayBinary {
    static let url: URL? = TriagedBinary.url.map {
        $0.deletingLastPathComponent().appendingPathComponent("triaged-fuzz")
    }.flatMap { FileManager.default.isExecutableFile(atPath: $0.path) ? $0 : nil }
}
