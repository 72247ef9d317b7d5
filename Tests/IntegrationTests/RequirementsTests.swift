import Foundation
import Testing

/// Under `make test` the suites that need a tool must run, so a missing one is a reported failure
/// naming it here (the suites themselves stay gated and skip). Under plain `swift test` these are
/// skipped with the gated suites.
@Suite("what make test requires is installed")
struct RequirementsTests {
    @Test(
        "the local AWS world: python3 with moto at its pinned version, and the triaged binary",
        .enabled(if: IntegrationEnvironment.requiresEmulator))
    func emulator() {
        #expect(
            IntegrationEnvironment.missing == nil,
            "\(IntegrationEnvironment.missing ?? "") but TRIAGED_REQUIRE_EMULATOR=1 (run scripts/install-deps.sh)")
    }

    @Test("systemd-analyze, for the systemd unit checks", .enabled(if: IntegrationEnvironment.requiresAll))
    func systemdAnalyze() {
        #expect(
            SystemdAnalyze.url != nil,
            "systemd-analyze missing (package systemd) but TRIAGED_REQUIRE_ALL=1: the systemd unit checks cannot run")
    }

    @Test("triaged-fuzz, for the fuzz corpus replay", .enabled(if: IntegrationEnvironment.requiresAll))
    func fuzzReplay() {
        #expect(
            FuzzReplayBinary.url != nil,
            "the triaged-fuzz binary missing beside triaged (swift build --build-tests builds it) but TRIAGED_REQUIRE_ALL=1"
        )
    }
}
