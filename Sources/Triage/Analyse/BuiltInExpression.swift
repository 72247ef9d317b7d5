import Foundation

/// A regular expression written in this module's source, shareable between threads:
/// NSRegularExpression is immutable once built and documented as safe to share.
struct BuiltInExpression: @unchecked Sendable {
    let expression: NSRegularExpression

    /// Compiles `pattern`. The patterns are fixed literals of this module, so a typo is a
    /// programming error the tests catch, not a runtime condition.
    init(_ pattern: String, options: NSRegularExpression.Options = []) {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: options) else {
            preconditionFailure("invalid built-in pattern \(pattern)")
        }
        self.expression = expression
    }
}
