import AWSSigning
import Foundation

/// Reads the SigV4 golden suites from `../shared/data/sigv4-testsuite` (beside the checkout, where CI
/// lays `shared/`), or from `$TRIAGED_SHARED_DIR/data/sigv4-testsuite`.
enum SigV4Suite {
    static let root: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["TRIAGED_SHARED_DIR"] {
            candidates.append(URL(fileURLWithPath: shared))
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(repo.deletingLastPathComponent().appendingPathComponent("shared"))
        for candidate in candidates {
            let suite = candidate.appendingPathComponent("data/sigv4-testsuite")
            if fm.fileExists(atPath: suite.path) { return suite }
        }
        return nil
    }()

    static let missingMessage =
        "SigV4 golden suites not found (expected ../shared/data/sigv4-testsuite or $TRIAGED_SHARED_DIR)"

    /// `make test` sets TRIAGED_REQUIRE_ALL=1: there the suites must be present and non-empty.
    static let required = ProcessInfo.processInfo.environment["TRIAGED_REQUIRE_ALL"] == "1"

    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    static func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    static func files(under directory: URL, suffix: String) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.path < $1.path }
    }

    /// A raw HTTP request as the suites write it: request line, `Name:value` headers (folded lines
    /// start with white space), a blank line, the body.
    struct RawRequest {
        var method: String
        var path: String
        var query: String
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    static func parseRawRequest(_ text: String) -> RawRequest {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        var lines = normalized.components(separatedBy: "\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        let method = String(requestLine.first ?? "GET")
        let target = requestLine.dropFirst().dropLast().joined(separator: " ")
        let (path, query) = splitTarget(target)
        var fields: [HTTPHeaders.Field] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody {
                bodyLines.append(line)
            } else if line.isEmpty {
                inBody = true
            } else if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                fields.append(.init(name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
        }
        var body = bodyLines.joined(separator: "\n")
        while body.hasSuffix("\n") { body.removeLast() }
        return RawRequest(
            method: method, path: path, query: query, headers: HTTPHeaders(fields), body: Array(body.utf8))
    }

    static func splitTarget(_ target: String) -> (String, String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
