import Foundation
import Testing

@testable import Triage

/// Renders report.html in a real headless browser (Debian's chromium, installed by
/// `make test` and `make report-preview`) at phone and desktop widths; the PNGs stay in
/// `.build/report-preview/` for a human to look at.
@Suite("report.html in a headless browser", .enabled(if: Chromium.path != nil))
struct ReportBrowserTests {

    static let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/report-preview", isDirectory: true)

    /// Runs chromium headless with no network, returns its exit status.
    func chromium(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Chromium.path))
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=\(profile.path)", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("the page renders to PNG at phone and desktop widths, and its DOM keeps the charts")
    func render() throws {
        try FileManager.default.createDirectory(at: Self.output, withIntermediateDirectories: true)
        let page = Self.output.appendingPathComponent("report.html")
        let html = HTMLRenderer.render(ReportFixtures.report())
        try html.write(to: page, atomically: true, encoding: .utf8)
        for (name, size) in [("phone", "390,2400"), ("desktop", "1280,2400")] {
            let png = Self.output.appendingPathComponent("report-\(name).png")
            try? FileManager.default.removeItem(at: png)
            #expect(try chromium(["--screenshot=\(png.path)", "--window-size=\(size)", page.absoluteString]) == 0)
            let bytes = try Data(contentsOf: png)
            // A PNG of the requested width (IHDR width at bytes 16…19), with real content.
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == Int(size.split(separator: ",")[0]))
            #expect(bytes.count > 20_000, "\(name) screenshot is nearly empty")
            print("report preview: \(png.path)")
        }
        // The DOM chromium built still holds the three charts and no script.
        let dump = Self.output.appendingPathComponent("dom.html")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Chromium.path))
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)", "--dump-dom",
            page.absoluteString,
        ]
        _ = FileManager.default.createFile(atPath: dump.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: dump)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let dom = try String(contentsOf: dump, encoding: .utf8)
        #expect(dom.components(separatedBy: "<svg class=\"chart\"").count - 1 == 3)
        #expect(!dom.contains("<script"))
    }
}

/// Where a headless-capable chromium is, if any.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    /// `make test` sets TRIAGED_REQUIRE_ALL=1: there a missing chromium fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["TRIAGED_REQUIRE_ALL"] == "1"
}

/// Under `make test` the browser test must run: a missing chromium is a failure naming it.
@Suite("chromium is installed under make test")
struct ChromiumRequirementTests {
    @Test("chromium, for the headless browser test", .enabled(if: Chromium.required))
    func present() {
        #expect(
            Chromium.path != nil,
            "chromium missing (scripts/install-deps.sh installs Debian's chromium) but TRIAGED_REQUIRE_ALL=1")
    }
}
