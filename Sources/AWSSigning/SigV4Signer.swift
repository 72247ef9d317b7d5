import Foundation

/// AWS Signature Version 4 for one credential scope (credentials, region, signing name).
/// Pure: the date is a parameter and nothing here reads the clock, the environment or the network.
public struct SigV4Signer: Sendable {
    /// How the canonical URI is formed from the wire path.
    public enum PathStyle: Sendable {
        /// Every service but S3: normalise dot segments and `//`, then percent-encode the wire path
        /// again (so `%3A` becomes `%253A`).
        case normalizedAndEncoded
        /// S3: the wire path verbatim, no normalisation and no second encoding.
        case verbatim
    }

    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The region of the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The service signing name (`monitoring`, `bedrock`, `s3`, …), not the host prefix.
    public var signingName: String
    /// The canonical URI rule.
    public var pathStyle: PathStyle
    /// Whether header signing adds and signs `X-Amz-Content-SHA256` (required by S3).
    public var addsContentHashHeader: Bool

    /// The longest presigned URL lifetime S3 accepts, in seconds (7 days).
    public static let maximumPresignExpiry = 604_800

    /// Headers never signed: hop-by-hop ones and those proxies or libcurl may change (botocore's
    /// `SIGNED_HEADERS_BLACKLIST`).
    public static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// Creates a signer. S3 (`signingName == "s3"`) defaults to verbatim paths and the content-hash header.
    public init(
        credentials: AWSCredentials, region: String, signingName: String, pathStyle: PathStyle? = nil,
        addsContentHashHeader: Bool? = nil
    ) {
        self.credentials = credentials
        self.region = region
        self.signingName = signingName
        let isS3 = signingName == "s3"
        self.pathStyle = pathStyle ?? (isS3 ? .verbatim : .normalizedAndEncoded)
        self.addsContentHashHeader = addsContentHashHeader ?? isS3
    }

    /// Signs `request` with an `Authorization` header as of `date`.
    public func sign(_ request: SigV4Request, at date: Date) throws -> SigV4Signature {
        let amzDate = AMZDate(date)
        var headers = request.headers
        headers.remove("Authorization")
        headers.set("X-Amz-Date", amzDate.timestamp)
        if let token = credentials.sessionToken {
            headers.set("X-Amz-Security-Token", token)
        }
        let payloadHash = request.payload.hashValue
        if addsContentHashHeader {
            headers.set("X-Amz-Content-SHA256", payloadHash)
        }
        let canonicalHeaders = try Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders.block,
            canonicalHeaders.signed,
            payloadHash,
        ].joined(separator: "\n")
        let (stringToSign, signature) = finish(canonicalRequest, amzDate)
        headers.add(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(amzDate)), "
                + "SignedHeaders=\(canonicalHeaders.signed), Signature=\(signature)")
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: canonicalHeaders.signed, headers: headers, query: request.query)
    }

    /// Presigns `request` (query-string authentication) as of `date`, valid for `expires` seconds.
    /// S3 uses `UNSIGNED-PAYLOAD`; other services sign the payload hash.
    public func presign(_ request: SigV4Request, at date: Date, expires: Int) throws -> SigV4Signature {
        guard (1...Self.maximumPresignExpiry).contains(expires) else { throw SigV4Error.expiresOutOfRange(expires) }
        let amzDate = AMZDate(date)
        var headers = request.headers
        headers.remove("Authorization")
        let canonicalHeaders = try Self.canonicalHeaders(headers)
        var added: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(amzDate))"),
            ("X-Amz-Date", amzDate.timestamp),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", canonicalHeaders.signed),
        ]
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let addedQuery = added.map {
            SigV4Encoding.uriEncode($0.0, keepSlash: false) + "=" + SigV4Encoding.uriEncode($0.1, keepSlash: false)
        }.joined(separator: "&")
        let query = request.query.isEmpty ? addedQuery : request.query + "&" + addedQuery
        let payloadHash = signingName == "s3" ? "UNSIGNED-PAYLOAD" : request.payload.hashValue
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.path),
            Self.canonicalQuery(query),
            canonicalHeaders.block,
            canonicalHeaders.signed,
            payloadHash,
        ].joined(separator: "\n")
        let (stringToSign, signature) = finish(canonicalRequest, amzDate)
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: canonicalHeaders.signed, headers: headers,
            query: query + "&X-Amz-Signature=" + signature)
    }

    /// The derived signing key for a UTC day: HMAC chain over date, region, service, `aws4_request`.
    public func signingKey(dateStamp: String) -> [UInt8] {
        let kDate = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), data: dateStamp)
        let kRegion = Digest.hmacSHA256(key: kDate, data: region)
        let kService = Digest.hmacSHA256(key: kRegion, data: signingName)
        return Digest.hmacSHA256(key: kService, data: "aws4_request")
    }

    /// The canonical URI of a wire path under this signer's path style.
    public func canonicalURI(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        switch pathStyle {
        case .verbatim:
            return path
        case .normalizedAndEncoded:
            return SigV4Encoding.uriEncode(SigV4Encoding.normalizePath(path), keepSlash: true)
        }
    }

    /// The canonical query string: parameters decoded, re-encoded, sorted by name then value.
    public static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for component in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = component.firstIndex(of: "=") {
                name = component[..<equals]
                value = component[component.index(after: equals)...]
            } else {
                name = component
                value = ""
            }
            let encodedName = SigV4Encoding.uriEncode(SigV4Encoding.percentDecode(String(name)), keepSlash: false)
            let encodedValue = SigV4Encoding.uriEncode(SigV4Encoding.percentDecode(String(value)), keepSlash: false)
            pairs.append((Array(encodedName.utf8), Array(encodedValue.utf8)))
        }
        pairs.sort { lhs, rhs in
            lhs.name == rhs.name
                ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        return pairs.map { String(decoding: $0.name, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self) }
            .joined(separator: "&")
    }

    /// Canonical header block (`name:value\n` per header, sorted) and the `SignedHeaders` list.
    static func canonicalHeaders(_ headers: HTTPHeaders) throws -> (block: String, signed: String) {
        var merged: [String: [String]] = [:]
        var order: [String] = []
        for field in headers {
            let name = field.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            if merged[name] == nil { order.append(name) }
            merged[name, default: []].append(collapseWhitespace(field.value))
        }
        guard merged["host"] != nil else { throw SigV4Error.missingHost }
        let names = order.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let block = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Trims a header value and collapses internal whitespace runs (including folded lines) to one space.
    static func collapseWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    private func scope(_ date: AMZDate) -> String {
        "\(date.dateStamp)/\(region)/\(signingName)/aws4_request"
    }

    private func finish(_ canonicalRequest: String, _ date: AMZDate) -> (stringToSign: String, signature: String) {
        let stringToSign = [
            "AWS4-HMAC-SHA256", date.timestamp, scope(date), Digest.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let signature = Digest.hex(
            Digest.hmacSHA256(key: signingKey(dateStamp: date.dateStamp), data: stringToSign))
        return (stringToSign, signature)
    }
}
