import AWSCore
import ArgumentParser
import Foundation
import Logging
import Triage
import TriageDaemon

/// What the commands that run the pipeline share.
enum Wiring {
    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("triaged: \(message)\n".utf8))
    }

    /// Loads the configuration or exits 2 naming the file, line and key.
    static func loadConfiguration(_ path: String) throws -> Configuration {
        do {
            return try ConfigurationLoader.load(path: path)
        } catch let error as ConfigurationError {
            fail("\(error)")
            throw ExitCode(2)
        }
    }

    /// `body`'s value, or its error printed and the process ended with `exitCode` (2: start-up
    /// problems such as a missing region; 1: an AWS or delivery failure).
    static func failing<T>(exitCode: Int32 = 2, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            fail("\(error)")
            throw ExitCode(exitCode)
        }
    }

    /// Prints what a one-shot run did: the Markdown report (dry run) or where the report went;
    /// `out` also gets the three files (as delivered, with the link filled in).
    static func show(_ outcome: OneShotPipeline.Outcome, pipeline: OneShotPipeline, out: String?) throws {
        var files: [String: [UInt8]] = [:]
        switch outcome {
        case .heldElsewhere(let reason):
            fail("not investigated: \(reason)")
            throw ExitCode(1)
        case .built(let report):
            let markdown = MarkdownRenderer.render(report)
            print(markdown)
            files = [
                "report.json": try report.json(), "report.md": Array(markdown.utf8),
                "report.html": Array(HTMLRenderer.render(report).utf8),
            ]
        case .delivered(let report, let result):
            let runtime = try pipeline.runtime()
            for name in ReportOutbox.files {
                let url = runtime.deliverer.outbox.entry(report.incident.id).appendingPathComponent(name)
                if let data = FileManager.default.contents(atPath: url.path) { files[name] = Array(data) }
            }
            print("incident     \(report.incident.id) [\(report.severity.rawValue)]")
            print("top finding  \(report.topFinding.map { "\($0.title) (\($0.category.rawValue))" } ?? "-")")
            if let object = result.reportObject { print("report       \(object)") }
            if let url = result.reportURL { print("link         \(url)") }
            if let local = runtime.configuration.report.localDir {
                print("local copy   \(local)/\(report.incident.id)/")
            }
            print(
                "notification \(result.notification.rawValue)\(result.notificationMessageId.map { " (\($0))" } ?? "")")
        }
        if let out {
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
            } catch {
                fail("cannot write the report to \(out): \(error)")
                throw ExitCode(1)
            }
            FileHandle.standardError.write(Data("triaged: report written to \(out)/report.{json,md,html}\n".utf8))
        }
    }
}
