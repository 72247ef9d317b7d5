import AWSCore
import Foundation
import Yams

/// Typed reads from YAML nodes with errors that carry file, line and key.
struct ConfigReader {
    let file: String

    func error(_ node: Node?, _ path: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node?.mark?.line, key: path, reason: reason)
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.null != nil }
        return false
    }

    /// The entries of a mapping, refusing keys outside `allowed` (nil: any key) and duplicates.
    func mapping(_ node: Node, path: String, allowed: Set<String>?) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, path, path.isEmpty ? "the file must be a YAML mapping of sections" : "must be a mapping")
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string, case .scalar = keyNode else {
                throw error(keyNode, path, "keys must be plain strings")
            }
            let full = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                throw error(keyNode, full, "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[key] == nil else { throw error(keyNode, full, "key appears twice") }
            result[key] = value
        }
        return result
    }

    /// Like `mapping`, but a null section means "all defaults".
    func optionalMapping(_ node: Node, path: String, allowed: Set<String>?) throws -> [String: Node]? {
        if isNull(node) { return nil }
        return try mapping(node, path: path, allowed: allowed)
    }

    func string(_ node: Node?, _ path: String) throws -> String? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node else { throw error(node, path, "must be a string") }
        return scalar.string
    }

    func bool(_ node: Node?, _ path: String) throws -> Bool? {
        guard let node, !isNull(node) else { return nil }
        // The file is composed with Yams' rule-free resolver (every scalar tagged `str`, no regular
        // expressions run), so `Node.bool` would refuse everything: a plain scalar spelled as
        // YAML 1.1 spells a boolean is one, as Yams' default resolver would have it; a quoted
        // "true" stays a string.
        guard case .scalar(let scalar) = node, scalar.style == .plain,
            let value = Self.booleans[scalar.string]
        else { throw error(node, path, "must be true or false") }
        return value
    }

    static let booleans: [String: Bool] = [
        "true": true, "True": true, "TRUE": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true,
        "ON": true, "false": false, "False": false, "FALSE": false, "no": false, "No": false, "NO": false,
        "off": false, "Off": false, "OFF": false,
    ]

    func int(_ node: Node?, _ path: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let node, !isNull(node) else { return nil }
        guard let value = node.int else { throw error(node, path, "must be a whole number") }
        guard range.contains(value) else {
            throw error(node, path, "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func double(_ node: Node?, _ path: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let node, !isNull(node) else { return nil }
        guard let value = node.float ?? node.int.map(Double.init) else { throw error(node, path, "must be a number") }
        guard range.contains(value) else {
            throw error(node, path, "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func duration(_ node: Node?, _ path: String) throws -> TimeInterval? {
        guard let text = try string(node, path) else { return nil }
        guard let value = DurationParser.parse(text) else {
            throw error(node, path, "'\(text)' is not a duration (use a number and a unit: 30s, 15m, 2h)")
        }
        return value
    }

    func stringList(_ node: Node?, _ path: String) throws -> [String]? {
        guard let node, !isNull(node) else { return nil }
        guard case .sequence(let sequence) = node else { throw error(node, path, "must be a list of strings") }
        return try sequence.map { item in
            guard case .scalar = item, let value = item.string else {
                throw error(item, path, "must be a list of strings")
            }
            return value
        }
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String) throws -> Value?
    where Value.RawValue == String {
        guard let text = try string(node, path) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw error(node, path, "'\(text)' is not one of " + Value.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// An endpoint URL: parseable, https unless `allowHTTP`.
    func endpoint(_ node: Node?, _ path: String, allowHTTP: Bool) throws -> String? {
        guard let text = try string(node, path) else { return nil }
        let endpoint: AWSEndpoint
        do {
            endpoint = try AWSEndpoint(parsing: text)
        } catch {
            throw self.error(node, path, "\(error)")
        }
        if endpoint.scheme == "http" && !allowHTTP {
            throw error(node, path, "plain-http endpoint refused; set aws.allow_http: true only for local emulators")
        }
        return text
    }
}
