/// A service endpoint: scheme, host, optional port and base path.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https` or `http`.
    public let scheme: String
    /// Host name or IP address (IPv6 without brackets).
    public let host: String
    /// Explicit port, if any.
    public let port: Int?
    /// A path prefix from the endpoint URL, without a trailing slash (usually empty).
    public let basePath: String

    /// An unusable endpoint URL.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let url: String
        public let reason: String
        public var description: String { "invalid endpoint URL '\(url)': \(reason)" }
    }

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `http(s)://host[:port][/base]`.
    public init(parsing url: String) throws {
        let text = url.trimmingWhitespace()
        guard let schemeEnd = text.range(of: "://") else { throw ParseError(url: url, reason: "no scheme") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw ParseError(url: url, reason: "scheme must be https or http")
        }
        var rest = text[schemeEnd.upperBound...]
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            guard rest[query...].count <= 1 else { throw ParseError(url: url, reason: "query or fragment not allowed") }
            rest = rest[..<query]
        }
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.contains("@") else { throw ParseError(url: url, reason: "user info not allowed") }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ParseError(url: url, reason: "unclosed IPv6 bracket")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw ParseError(url: url, reason: "unexpected text after IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw ParseError(url: url, reason: "no host") }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw ParseError(url: url, reason: "invalid port")
            }
            port = value
        }
        self.init(scheme: scheme, host: host.lowercased(), port: port, basePath: path)
    }

    /// Whether the port is the scheme's default (or absent).
    var hasDefaultPort: Bool {
        port == nil || (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
    }

    /// The `Host` header: the host, bracketed if IPv6, with `:port` when not the default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return hasDefaultPort ? name : "\(name):\(port!)"
    }

    /// The full URL for a wire path (starting with `/`) and query (without `?`).
    public func url(path: String, query: String = "") -> String {
        let full = basePath + (path.hasPrefix("/") ? path : "/" + path)
        return "\(scheme)://\(hostHeader)\(full)" + (query.isEmpty ? "" : "?" + query)
    }

    public var description: String { url(path: basePath.isEmpty ? "/" : "") }
}
