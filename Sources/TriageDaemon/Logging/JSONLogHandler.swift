import AWSCore
import Foundation
import Logging
import Triage

/// A swift-log backend writing one line per event: a JSON object (`ts`, `level`, `msg`, `logger` and
/// the metadata's dotted keys) or, with `.text`, a human-readable line. The message and every
/// metadata value pass through the redactor first: log lines never carry a secret, whatever an
/// error message or a piece of telemetry held.
public struct JSONLogHandler: LogHandler {
    public enum Style: Sendable { case json, text }
    /// Where lines go. Each line is written with one `write(2)`, so concurrent lines do not interleave.
    public enum Target: Sendable { case standardOutput, standardError }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let style: Style
    private let target: Target

    public init(label: String, level: Logger.Level, style: Style, target: Target) {
        self.label = label
        self.logLevel = level
        self.style = style
        self.target = target
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The line for one event, without its newline: metadata redacted, the handler's own keys
    /// (`ts`, `level`, `msg`, `logger`) cannot be overwritten: metadata of those names is written
    /// as `meta.ts`, `meta.msg`, ….
    func line(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, date: Date) -> String {
        var merged = metadata
        if let extra { merged.merge(extra) { $1 } }
        let timestamp = AWSTimestamp.formatMilliseconds(date)
        let message = Self.redactor.redact(message.description)
        switch style {
        case .json:
            var object: [String: JSONLine] = [:]
            for (key, value) in merged {
                // A metadata key named like one of the handler's own keeps its value under `meta.`.
                let name = Self.ownKeys.contains(key) ? "meta.\(key)" : key
                object[name] = .string(Self.redactor.redact("\(value)"))
            }
            object["ts"] = .string(timestamp)
            object["level"] = .string("\(level)")
            object["msg"] = .string(message)
            object["logger"] = .string(label)
            return JSONLine.object(object).text
        case .text:
            let facts = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.redactor.redact("\($0.value)"))" }
                .joined(separator: " ")
            return "\(timestamp) \(level) \(message)" + (facts.isEmpty ? "" : " " + facts)
        }
    }

    public func log(event: LogEvent) {
        let line = line(level: event.level, message: event.message, metadata: event.metadata, date: Date())
        let handle = target == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data((line + "\n").utf8))
    }

    static let redactor = Redactor()
    static let ownKeys: Set<String> = ["ts", "level", "msg", "logger"]
}
