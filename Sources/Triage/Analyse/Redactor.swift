import Foundation
import Synchronization

/// Removes secrets and personal data from text before it leaves the process (model prompt, S3, SNS,
/// logs). Each match becomes a typed placeholder such as `<redacted:aws-access-key>`, keeping the
/// text around it (a key's name, a URL's host) so the evidence still reads.
///
/// Covered: PEM private keys, JWTs, AWS access key ids, secret keys and session tokens, bearer
/// tokens, passwords in URLs, `password=`/`secret=`/`token=`/`api_key=` pairs (also JSON and YAML
/// forms), GitHub, Slack, Stripe, Google and OpenAI/Anthropic-style API keys, e-mail addresses, and
/// card numbers (Luhn-checked, with a card network's prefix and length, not part of a larger id).
/// Hashes, UUIDs, ARNs and numeric ids survive.
public struct Redactor: Sendable {
    struct Rule: Sendable {
        let kind: String
        let expression: LazyExpression
        /// Capture group kept before the placeholder (a key name, a URL prefix), or 0 for none.
        let keepPrefixGroup: Int
        /// Checks a match given its text and the text right before and after it.
        let validate: (@Sendable (_ match: String, _ before: Substring, _ after: Substring) -> Bool)?
        /// Literals (lower-case ASCII) of which every match contains at least one, compared with the
        /// text lower-cased: a text with none of them cannot match and the expression is not run.
        /// Empty: always run.
        let triggers: [[UInt8]]
        /// Literals (lower-case ASCII) that every text with a match contains, all of them (in the
        /// match or in what its lookahead needs, as the `@` after a URL's password), checked like
        /// `triggers`.
        let required: [[UInt8]]
        /// At least this many ASCII digits in one run of digits, each separated from the next by at
        /// most one space or dash (card numbers), else the expression is not run.
        let minimumDigitRun: Int
    }

    /// An expression compiled the first time a text passes its rule's pre-filter, then shared by
    /// every `Redactor`. Most texts pass none, so a process that only logs routine lines never
    /// builds the expression engine's tables (and never pages in its Unicode data).
    final class LazyExpression: Sendable {
        private let pattern: String
        private let options: NSRegularExpression.Options
        private let compiled = Mutex<BuiltInExpression?>(nil)

        init(_ pattern: String, options: NSRegularExpression.Options) {
            self.pattern = pattern
            self.options = options
        }

        var value: NSRegularExpression {
            compiled.withLock { cached in
                if let cached { return cached }
                let built = BuiltInExpression(pattern, options: options)
                cached = built
                return built
            }.expression
        }
    }

    public init() {}

    static let rules: [Rule] = {
        func rule(
            _ kind: String, _ pattern: String, keep: Int = 0, options: NSRegularExpression.Options = [],
            triggers: [String], required: [String] = [], minimumDigitRun: Int = 0,
            validate: (@Sendable (String, Substring, Substring) -> Bool)? = nil
        ) -> Rule {
            Rule(
                kind: kind, expression: LazyExpression(pattern, options: options), keepPrefixGroup: keep,
                validate: validate, triggers: triggers.map { Array($0.utf8) },
                required: required.map { Array($0.utf8) },
                minimumDigitRun: minimumDigitRun)
        }
        return [
            rule(
                "private-key", #"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"#,
                triggers: ["-----begin"]),
            rule("jwt", #"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,}"#, triggers: ["eyj"]),
            rule(
                "aws-session-token", #"\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}"#,
                triggers: ["iqojb3jpz2lu", "fwogzxivyxdz", "fqogzxivyxdz"]),
            rule(
                "aws-session-token",
                #"((?:aws_session_token|x-amz-security-token|sessiontoken|session_token)["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{32,}"#,
                keep: 1, options: [.caseInsensitive],
                triggers: ["aws_session_token", "x-amz-security-token", "sessiontoken", "session_token"]),
            rule(
                "bearer-token", #"(\bbearer\s+)[A-Za-z0-9._~+/=-]{12,}"#, keep: 1, options: [.caseInsensitive],
                triggers: ["bearer"]),
            rule(
                "password", #"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(?=@)"#, keep: 1, options: [.caseInsensitive],
                triggers: ["://"], required: ["@"]),
            rule(
                "slack-webhook", #"(https://hooks\.slack\.com/services/)[A-Za-z0-9/]+"#, keep: 1,
                triggers: ["hooks.slack.com/services/"]),
            rule(
                "github-token", #"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b"#,
                triggers: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]),
            rule("slack-token", #"\bxox[abposr]-[A-Za-z0-9-]{10,}"#, triggers: ["xox"]),
            rule("stripe-key", #"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"#, triggers: ["_live_", "_test_"]),
            rule("google-api-key", #"\bAIza[0-9A-Za-z_-]{35}\b"#, triggers: ["aiza"]),
            rule("api-key", #"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"#, triggers: ["sk-"]),
            rule("aws-access-key", #"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"#, triggers: ["akia", "asia"]),
            rule(
                "aws-secret-key",
                #"((?:aws_secret_access_key|secret_access_key|secretaccesskey|aws_secret_key)["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}"#,
                keep: 1, options: [.caseInsensitive],
                triggers: ["secret_access_key", "secretaccesskey", "aws_secret_key"]),
            rule(
                "secret",
                #"((?<![A-Za-z0-9_])["']?(?:password|passwd|pwd|secret|client_secret|token|access_token|auth_token|refresh_token|api_key|apikey|api-key|private_key)["']?\s*[=:]\s*)(?!<redacted:)("[^"]*"|'[^']*'|[^\s,;&"'}\]]+)"#,
                keep: 1, options: [.caseInsensitive],
                triggers: [
                    "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "private_key",
                ]),
            rule(
                "email", #"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"#, triggers: ["@"],
                required: ["."]),
            rule(
                "card-number", #"(?<![0-9A-Za-z-])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z])"#, triggers: [],
                minimumDigitRun: 13, validate: Redactor.isCardNumber(_:before:after:)),
        ]
    }()

    /// `text` with every secret replaced by its placeholder.
    public func redact(_ text: String) -> String {
        redactCounting(text).text
    }

    /// The redacted text and how many replacements of each kind were made.
    public func redactCounting(_ text: String) -> (text: String, counts: [String: Int]) {
        redactCounting(text, rules: Self.candidateRules(for: text))
    }

    /// The rules whose expressions can match `text`. One pass over the text, lower-cased ASCII,
    /// decides: most log lines and evidence strings hold none of the triggers and skip every
    /// expression. Text with any non-ASCII byte runs them all (Unicode digits and case folding are
    /// the expressions' business, not this filter's).
    static func candidateRules(for text: String) -> [Rule] {
        let lowered = text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        guard !lowered.contains(where: { $0 >= 0x80 }) else { return rules }
        let digitRun = longestDigitRun(lowered)
        return rules.filter { rule in
            digitRun >= rule.minimumDigitRun
                && (rule.triggers.isEmpty || rule.triggers.contains(where: { lowered.contains($0) }))
                && rule.required.allSatisfy { lowered.contains($0) }
        }
    }

    /// `text` redacted by `rules`, in order.
    func redactCounting(_ text: String, rules: [Rule]) -> (text: String, counts: [String: Int]) {
        var result = text
        var counts: [String: Int] = [:]
        for rule in rules {
            let range = NSRange(result.startIndex..., in: result)
            let matches = rule.expression.value.matches(in: result, range: range)
            guard !matches.isEmpty else { continue }
            var output = ""
            var cursor = result.startIndex
            for match in matches {
                guard let whole = Range(match.range, in: result) else { continue }
                let matched = String(result[whole])
                if let validate = rule.validate,
                    !validate(
                        matched, result[..<whole.lowerBound].suffix(40), result[whole.upperBound...].prefix(2))
                {
                    continue
                }
                output += result[cursor..<whole.lowerBound]
                if rule.keepPrefixGroup > 0, let kept = Range(match.range(at: rule.keepPrefixGroup), in: result) {
                    output += result[kept]
                }
                output += "<redacted:\(rule.kind)>"
                cursor = whole.upperBound
                counts[rule.kind, default: 0] += 1
            }
            output += result[cursor...]
            result = output
        }
        return (result, counts)
    }

    /// The most ASCII digits in one run where each digit is followed by at most one space or dash
    /// before the next: the most digits a card-number match could hold.
    static func longestDigitRun(_ bytes: [UInt8]) -> Int {
        var longest = 0
        var run = 0
        var separated = false
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                run += 1
                separated = false
                longest = max(longest, run)
            } else if (byte == 0x20 || byte == 0x2D) && run > 0 && !separated {
                separated = true
            } else {
                run = 0
                separated = false
            }
        }
        return longest
    }

    /// Words that say the number next to them is a card.
    /// (`card…` keys count too: `card_number`, `cardNumber`, `creditCard`.)
    static let cardWords: Set<String> = ["pan", "cc", "ccn", "ccnum", "ccnumber", "visa", "amex", "mastercard"]

    /// A card number in its context. Digits that are part of a larger token are ids, not cards:
    /// after `/`, `:`, `_`, `-`, `.`, `#`, `@` (`ecs-svc/4792038861937284502`, ARNs, task and
    /// trace ids) or before `/`, `_`, `-`, `=`, `@`, and values of id-like keys (`deploymentId=`,
    /// `request_id: `, `ts=`) unless the key names a card (`card_number=`, `pan=`). An unbroken run
    /// of 17–19 digits (a snowflake id, a 19-digit deployment id) is a card only with `card`
    /// shortly before it; grouped digits must be grouped as cards are (4-4-4-4, 4-6-5, 4-6-4).
    static func isCardNumber(_ text: String, before: Substring, after: Substring) -> Bool {
        guard isCardNumber(text) else { return false }
        if let next = after.first, "/_-=@".contains(next) { return false }
        let key = keyBefore(before)
        let named = key.map { name in name.contains("card") || cardWords.contains(name) } ?? false
        if let last = before.last, "/:_-.#@=".contains(last) {
            // Glued to what precedes it: only `card:4111…` or `pan=4111…` is a card.
            return named
        }
        if let key, !named, isIdKey(key) { return false }
        let groups = text.split(whereSeparator: { $0 == " " || $0 == "-" }).map(\.count)
        if groups.count == 1 {
            return text.count <= 16 || named || before.suffix(24).lowercased().contains("card")
        }
        return [[4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 4, 3]].contains(groups)
            || (groups.count == 4 && groups.dropLast().allSatisfy { $0 == 4 } && groups[3] < 4)
    }

    /// The key (or word) right before a value: `card_number` in `card_number=`, `"cardNumber": "`,
    /// `card `; lower-cased, or nil when there is none.
    static func keyBefore(_ before: Substring) -> String? {
        var rest = before
        while let last = rest.last, " \t\"'=:".contains(last) { rest = rest.dropLast() }
        let word = rest.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        guard !word.isEmpty else { return nil }
        return String(word.reversed()).lowercased().replacingOccurrences(of: "_", with: "")
            .replacingOccurrences(of: "-", with: "")
    }

    /// Keys whose values are ids, times or counters.
    static func isIdKey(_ key: String) -> Bool {
        key == "ts"
            || ["id", "ids", "time", "timestamp", "epoch", "seq", "sequence", "offset", "version", "arn"].contains {
                key.hasSuffix($0)
            } || ["trace", "span", "request", "deployment", "task", "snowflake"].contains { key.contains($0) }
    }

    /// Luhn-valid, 13–19 digits, with the prefix and length of a card network (so epoch
    /// milliseconds and other long numbers are left alone).
    static func isCardNumber(_ text: String) -> Bool {
        let digits = text.compactMap { $0.wholeNumberValue }
        guard (13...19).contains(digits.count) else { return false }
        let number = String(text.filter(\.isNumber))
        let length = digits.count
        let networks: [(prefixes: [ClosedRange<Int>], digits: Int, lengths: Set<Int>)] = [
            ([4...4], 1, [13, 16, 19]),  // Visa
            ([51...55, 22...27], 2, [16]),  // Mastercard
            ([34...34, 37...37], 2, [15]),  // American Express
            ([6011...6011, 644...649, 65...65], 0, [16, 17, 18, 19]),  // Discover
            ([3528...3589], 4, [16, 17, 18, 19]),  // JCB
            ([300...305, 36...36, 38...38], 0, [14, 16]),  // Diners
        ]
        var matchesNetwork = false
        for network in networks where network.lengths.contains(length) {
            for range in network.prefixes {
                let width = String(range.lowerBound).count
                if let prefix = Int(number.prefix(width)), range.contains(prefix) {
                    matchesNetwork = true
                }
            }
        }
        guard matchesNetwork else { return false }
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
