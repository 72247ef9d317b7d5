import AWSSigning
import Foundation

/// Parameters of an awsQuery request in order, with the protocol's flattening helpers
/// (`Name.member.N`, `Name.entry.N.key`). Encoded with SigV4's unreserved set.
public struct QueryParameters: Sendable, Equatable {
    /// The parameters in order.
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0 == $1 }
    }

    /// Adds `name=value`.
    public mutating func add(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    /// Adds `name=value` when `value` is not nil.
    public mutating func add(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    /// Adds a list as `name.member.1`, `name.member.2`, …
    public mutating func addList(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() {
            pairs.append(("\(name).member.\(index + 1)", value))
        }
    }

    /// The form-encoded body for `action` and `version`, encoded as botocore does (Python's
    /// `urlencode`): the unreserved set stays, space becomes `+`, everything else `%XX`. Servers that
    /// re-encode the parsed form to check the signature (moto among them) then hash the same bytes.
    public func body(action: String, version: String) -> String {
        var all = [("Action", action), ("Version", version)]
        all.append(contentsOf: pairs)
        return all.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
    }

    static func formEncode(_ text: String) -> String {
        SigV4Encoding.uriEncode(text, keepSlash: false).replacingOccurrences(of: "%20", with: "+")
    }
}
