import Foundation
import Logging
import TriageDaemon

enum LogSetup {
    /// Bootstraps swift-log once for this process and returns the root logger. Commands other than
    /// `run` log to stderr at `minimum` or above, so their stdout stays the command's output.
    static func bootstrapped(
        _ settings: Configuration.Log, target: JSONLogHandler.Target, minimum: Logger.Level? = nil
    ) -> Logger {
        let configured = Logger.Level(rawValue: settings.level.rawValue) ?? .info
        let level = minimum.map { max($0, configured) } ?? configured
        let style: JSONLogHandler.Style = settings.format == .json ? .json : .text
        LoggingSystem.bootstrap { label in
            JSONLogHandler(label: label, level: level, style: style, target: target)
        }
        return Logger(label: "triaged")
    }
}
