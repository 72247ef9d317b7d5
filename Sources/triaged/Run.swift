import AWSCore
import ArgumentParser
import Foundation
import Logging
import Triage
import TriageDaemon

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon (systemd runs this): watch alarms, investigate, deliver reports.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        // First: a SIGHUP or SIGTERM sent while the configuration loads is kept for the daemon.
        let signals = SignalRelay()
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let path = options.resolvedPath(environment: environment)
        let configuration = try Wiring.loadConfiguration(path)
        let problems = configuration.runRequirements()
        guard problems.isEmpty else {
            for problem in problems { Wiring.fail("\(path): \(problem)") }
            throw ExitCode(2)
        }
        let logger = LogSetup.bootstrapped(configuration.log, target: .standardOutput)
        let daemon: Daemon
        do {
            daemon = try Daemon(
                configuration: configuration, configurationPath: path, environment: environment, signals: signals,
                logger: logger)
        } catch let error as AWSContext.ResolutionError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            Wiring.fail("\(path): \(error)")
            throw ExitCode(2)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            Wiring.fail("cannot start: \(error)")
            throw ExitCode(1)
        }
        let status = daemon.run()
        // Workers released at the drain deadline may still be inside a call; exiting without
        // running atexit teardown (libcurl, Foundation) cannot crash under them. Log lines are
        // written unbuffered, so nothing is lost.
        _exit(status)
    }
}
