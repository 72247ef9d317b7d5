import AWSCore
import AWSServices
import Foundation
import Logging

/// The alarm's runbook: its link, and the team's Markdown text when one is kept in S3.
public struct Runbook: Sendable, Equatable {
    /// From the `runbook_url` (`Runbook`, `runbook`) tag, else the first https URL in the description.
    public var url: String?
    /// `<prefix><alarm name>.md`, redacted and cut to `RunbookReader.maxBytes` (nil when absent).
    public var text: String?
    /// `s3://…` of the text.
    public var textObject: String?
    /// Its steps (list items), at most `RunbookReader.maxSteps`.
    public var steps: [String] = []
    /// What could not be read (tags, the object), as report gaps.
    public var gaps: [Gap] = []

    public init(url: String? = nil, text: String? = nil, textObject: String? = nil) {
        self.url = url
        self.text = text
        self.textObject = textObject
    }
}

/// Finds an alarm's runbook: CloudWatch `ListTagsForResource` first (`runbook_url`, `Runbook`,
/// `runbook`, in that order), else the first https URL in `AlarmDescription`; and, with
/// `analysis.runbooks.s3_prefix`, the object `<prefix><alarm name>.md`. Never throws: what cannot
/// be read becomes a gap.
public struct RunbookReader: Sendable {
    public static let tagNames = ["runbook_url", "Runbook", "runbook"]
    /// A runbook object larger than this is read only this far (a ranged GetObject).
    public static let maxBytes = 16_384
    public static let maxSteps = 3

    /// The CloudWatch client of the alarm's account (its tags live there); nil: no tag lookup.
    private let cloudWatch: @Sendable (AlarmEvent) throws -> CloudWatchClient?
    private let s3: S3Client?
    /// `s3://bucket/prefix/` of the runbook objects.
    private let prefix: String?
    private let redactor: Redactor?
    private let logger: Logger

    public init(
        cloudWatch: CloudWatchClient?, s3: S3Client?, prefix: String?, redactor: Redactor?, logger: Logger
    ) {
        self.init(cloudWatchFor: { _ in cloudWatch }, s3: s3, prefix: prefix, redactor: redactor, logger: logger)
    }

    /// Reads the tags of each alarm in its own account and region (`AccountRouter`); an account
    /// that cannot be read is already the evidence's gap, so its tags are not tried.
    public init(router: AccountRouter, s3: S3Client?, prefix: String?, redactor: Redactor?, logger: Logger) {
        self.init(
            cloudWatchFor: { alarm in try router.cloudWatch(account: alarm.accountId, region: alarm.region) }, s3: s3,
            prefix: prefix, redactor: redactor, logger: logger)
    }

    init(
        cloudWatchFor: @escaping @Sendable (AlarmEvent) throws -> CloudWatchClient?, s3: S3Client?, prefix: String?,
        redactor: Redactor?, logger: Logger
    ) {
        self.cloudWatch = cloudWatchFor
        self.s3 = s3
        self.prefix = prefix
        self.redactor = redactor
        self.logger = logger
    }

    public func read(alarm: AlarmEvent) -> Runbook {
        var runbook = Runbook()
        if let cloudWatch = try? cloudWatch(alarm) {
            do {
                let tags = try cloudWatch.listTagsForResource(arn: alarm.alarmArn)
                runbook.url = Self.tagNames.lazy.compactMap { tags[$0].flatMap(Self.httpsURL) }.first
            } catch {
                runbook.gaps.append(Gap(source: "runbook", reason: "cloudwatch:ListTagsForResource: \(error)"))
            }
        }
        if runbook.url == nil, let description = alarm.description {
            runbook.url = Self.firstHTTPSURL(in: description)
        }
        if let s3, let prefix, let (bucket, keyPrefix) = Self.split(prefix) {
            let key = keyPrefix + alarm.alarmName + ".md"
            do {
                if let (bytes, _) = try s3.getObjectIfPresent(bucket: bucket, key: key, maxBytes: Self.maxBytes) {
                    let raw = String(decoding: bytes, as: UTF8.self)
                    let text = redactor?.redact(raw) ?? raw
                    runbook.text = text
                    runbook.textObject = "s3://\(bucket)/\(key)"
                    runbook.steps = Self.steps(text)
                }
            } catch {
                runbook.gaps.append(Gap(source: "runbook", reason: "s3:GetObject s3://\(bucket)/\(key): \(error)"))
            }
        }
        if !runbook.gaps.isEmpty {
            logger.warning(
                "runbook partly unreadable",
                metadata: ["alarm.name": "\(alarm.alarmName)", "gaps": "\(runbook.gaps.map(\.reason))"])
        }
        return runbook
    }

    /// A tag value that is an https URL (anything else is not linked).
    static func httpsURL(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return firstHTTPSURL(in: trimmed) == trimmed ? trimmed : nil
    }

    /// The first `https://…` in `text`, ending at whitespace or a closing bracket or quote, without
    /// trailing punctuation.
    static func firstHTTPSURL(in text: String) -> String? {
        guard let start = text.range(of: "https://", options: .caseInsensitive) else { return nil }
        let stops = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>\"'()[]{}`|"))
        var url = ""
        for scalar in text[start.lowerBound...].unicodeScalars {
            if stops.contains(scalar) { break }
            url.unicodeScalars.append(scalar)
        }
        while let last = url.last, ".,;:!?".contains(last) { url.removeLast() }
        return url.count > "https://".count ? url : nil
    }

    /// `s3://bucket/prefix/` → (bucket, prefix).
    public static func split(_ location: String) -> (String, String)? {
        guard location.hasPrefix("s3://") else { return nil }
        let rest = location.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        return (String(bucket), String(rest.dropFirst(bucket.count + 1)))
    }

    /// Markdown list items (`-`, `*`, `1.`), in order, at most `maxSteps`.
    static func steps(_ text: String) -> [String] {
        var steps: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            var item: Substring?
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                item = trimmed.dropFirst(2)
            } else if let dot = trimmed.firstIndex(of: "."), dot != trimmed.startIndex,
                trimmed[..<dot].allSatisfy(\.isNumber), trimmed[trimmed.index(after: dot)...].hasPrefix(" ")
            {
                item = trimmed[trimmed.index(after: dot)...]
            }
            if let item = item?.trimmingCharacters(in: .whitespaces), !item.isEmpty {
                steps.append(String(item.prefix(300)))
                if steps.count == maxSteps { break }
            }
        }
        return steps
    }
}
