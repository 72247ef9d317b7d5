import AWSCore
import ArgumentParser
import Foundation
import Logging
import TriageDaemon

/// The `triaged` command line: parses arguments and wires the modules together, nothing else.
@main
struct Triaged: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triaged",
        abstract: "First-line incident triage for CloudWatch alarms on AWS.",
        subcommands: [Run.self, Check.self, Investigate.self, Replay.self, Patterns.self, Version.self]
    )

    /// Runs the command; usage errors exit 2 (README "Command line"), not argument-parser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options shared by commands that read the configuration file.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $TRIAGED_CONFIG, then /etc/triaged/config.yaml).")
    var config: String?

    func resolvedPath(environment: [String: String]) -> String {
        config ?? environment["TRIAGED_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/triaged/config.yaml"
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("triaged \(TriagedVersion.current)")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration and AWS access; exit 0 only if every check passes.")

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Also check bedrock:InvokeModel with a 1-token call to the configured model.")
    var bedrock = false

    func run() throws {
        // A peer that hangs up must surface as an error on the socket, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let path = options.resolvedPath(environment: environment)
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: path)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("triaged: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = LogSetup.bootstrapped(configuration.log, target: .standardError, minimum: .warning)
        let check = AccessCheck(
            configuration: configuration, configurationPath: path, environment: environment, bedrock: bedrock,
            logger: logger)
        let results = check.run { print($0.line) }
        let failed = results.filter { !$0.passed }.count
        if failed == 0 {
            print("triaged check: all \(results.count) checks passed")
        } else {
            print("triaged check: \(failed) of \(results.count) checks failed")
            throw ExitCode(1)
        }
    }
}
