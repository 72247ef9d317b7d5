import Foundation
import Testing

/// `systemd/triaged.service` as shipped: hardened to an exposure of at most 2.0 and clean under
/// `systemd-analyze verify` (with ExecStart pointed at the built binary, since verify checks it exists).
@Suite("the systemd unit", .enabled(if: SystemdAnalyze.url != nil && TriagedBinary.url != nil))
struct SystemdUnitTests {
    static let unit = LocalAWSWorld.repositoryRoot.appendingPathComponent("systemd/triaged.service")

    @Test("systemd-analyze security --offline=true rates the unit at most 2.0")
    func exposure() throws {
        let outcome = try Subprocess.run(
            try #require(SystemdAnalyze.url), ["security", "--offline=true", Self.unit.path])
        let line = try #require(
            outcome.stdout.split(separator: "\n").first { $0.contains("Overall exposure level for triaged.service") },
            "\(outcome.stdout)\(outcome.stderr)")
        let score = line.split(separator: ":").last.flatMap { Double($0.split(separator: " ").first ?? "") }
        let value = try #require(score, "\(line)")
        print("systemd-analyze security exposure: \(value)")
        #expect(value <= 2.0)
    }

    @Test("systemd-analyze verify is clean; Type=notify with the watchdog and sandbox the daemon expects")
    func verify() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("triaged.service")
        try text.replacingOccurrences(of: "/usr/bin/triaged", with: try #require(TriagedBinary.url).path)
            .write(to: copy, atomically: true, encoding: .utf8)
        let outcome = try Subprocess.run(try #require(SystemdAnalyze.url), ["verify", copy.path])
        #expect(outcome.status == 0 && outcome.stderr.isEmpty && outcome.stdout.isEmpty, "\(outcome.stderr)")
        let lines = Set(text.split(separator: "\n").map(String.init))
        for directive in [
            "Type=notify", "DynamicUser=yes", "StateDirectory=triaged", "ConfigurationDirectory=triaged",
            "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "NoNewPrivileges=yes",
            "CapabilityBoundingSet=", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes", "ExecReload=/bin/kill -HUP $MAINPID",
        ] {
            #expect(lines.contains(directive), "missing \(directive)")
        }
        // The stop timeout must leave room for the default drain (60 s).
        let stop = lines.first { $0.hasPrefix("TimeoutStopSec=") }.flatMap { Int($0.dropFirst(15).filter(\.isNumber)) }
        #expect((stop ?? 0) > 60)
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
    }
}

/// systemd-analyze (package systemd); `RequirementsTests` fails under `make test` without it.
enum SystemdAnalyze {
    static let url: URL? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
}
