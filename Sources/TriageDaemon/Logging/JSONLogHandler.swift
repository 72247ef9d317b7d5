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

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let timestamp = AWSTimestamp.formatMilliseconds(Date())
        let message = Self.redactor.redact(event.message.description)
        let line: String
        switch style {
        case .json:
            var object: [String: String] = [
                "ts": timestamp, "level": "\(event.level)", "msg": message, "logger": label,
            ]
            for (key, value) in merged { object[key] = Self.redactor.redact("\(value)") }
            let data =
                (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data()
            line = String(decoding: data, as: UTF8.self)
        case .text:
            let facts = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.redactor.redact("\($0.value)"))" }
                .joined(separator: " ")
            line = "\(timestamp) \(event.level) \(message)" + (facts.isEmpty ? "" : " " + facts)
        }
        let handle = target == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data((line + "\n").utf8))
    }

    static let redactor = Redactor()
}
