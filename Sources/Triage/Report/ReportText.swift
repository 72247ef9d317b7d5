import AWSCore
import Foundation

/// Small text helpers shared by the renderers.
enum ReportText {
    /// `2026-11-25 10:04 UTC`.
    static func clock(_ date: Date) -> String {
        let text = AWSTimestamp.format(date)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    /// `10:04:31`.
    static func time(_ date: Date) -> String {
        String(AWSTimestamp.format(date).dropFirst(11).prefix(8))
    }

    /// Our own texts mark commands with backticks: renders the code spans and the prose between
    /// them each its own way.
    static func mapCodeSpans(
        _ text: String, code: (Substring) -> String, prose: (Substring) -> String
    ) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
            index % 2 == 1 ? code(part) : prose(part)
        }
        .joined()
    }

    /// The S3 console page of an `s3://bucket/key` object (a link that does not expire).
    static func s3ConsoleURL(_ object: String, region: String) -> String {
        guard object.hasPrefix("s3://") else { return object }
        let rest = object.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        let key = rest.dropFirst(bucket.count + 1)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        let encode = { (text: Substring) in text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return
            "https://\(region).console.aws.amazon.com/s3/object/\(encode(bucket))?region=\(region)&prefix=\(encode(key))"
    }

    /// `45 s`, `12 min`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }

    static func percent(_ confidence: Double) -> String {
        "\((confidence * 100).rounded().wholeNumber)%"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }

    func lowercasedFirst() -> String {
        guard let first else { return self }
        // Keep acronyms and names (`ECS`, `api`): only lower a capital followed by a lower-case letter.
        let second = dropFirst().first
        guard first.isUppercase, second?.isLowercase == true else { return self }
        return first.lowercased() + dropFirst()
    }
}
