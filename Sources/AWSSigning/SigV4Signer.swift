#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
    /// Whether the derived signing key is cached per credential, day, region and service (the
    /// default, as the AWS SDKs for Java and Go do). Off, every signature derives its key (four
    /// HMACs), as botocore does: the benchmark compares the two that way.
    public var cachesSigningKey = true

    /// The longest presigned URL lifetime S3 accepts, in seconds (7 days).
    public static let maximumPresignExpiry = 604_800

    /// Headers never signed: hop-by-hop ones and those proxies or libcurl may change (botocore's
    /// `SIGNED_HEADERS_BLACKLIST`).
    public static let unsignedHeaders: Set<String> = Set(unsignedHeaderNames.map(\.description))

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
        let timestamp = AMZTimestamp(date)
        let payload = PayloadHash(request.payload)
        let token = credentials.sessionToken
        // The request's headers less the ones signing sets, then those: the field list is copied
        // once, with room for everything added (the Authorization header included).
        let original = request.headers.fields
        var fields = [HTTPHeaders.Field]()
        fields.reserveCapacity(original.count + 4)
        for field in original where !replaces(field.name, hasToken: token != nil) { fields.append(field) }
        fields.append(
            HTTPHeaders.Field(
                name: "X-Amz-Date", value: timestamp.string))
        if let token {
            fields.append(HTTPHeaders.Field(name: "X-Amz-Security-Token", value: token))
        }
        if addsContentHashHeader {
            fields.append(HTTPHeaders.Field(name: "X-Amz-Content-SHA256", value: payload.string))
        }
        let signed = try write(
            method: request.method, uri: canonicalURI(request.path), query: Self.canonicalQuery(request.query),
            fields: fields, payload: payload, timestamp: timestamp)
        fields.append(HTTPHeaders.Field(name: "Authorization", value: authorization(signed)))
        return SigV4Signature(
            bytes: signed.bytes, stringToSignStart: signed.stringToSignStart, signatureStart: signed.signatureStart,
            signedHeadersRange: signed.signedHeaders, headers: HTTPHeaders(fields), query: request.query)
    }

    /// Whether header signing replaces a header of this name: `Authorization` and `X-Amz-Date`
    /// always, the token and content-hash headers when it sets them.
    private func replaces(_ name: String, hasToken: Bool) -> Bool {
        HTTPHeaders.sameName(name, lowered: "authorization") || HTTPHeaders.sameName(name, lowered: "x-amz-date")
            || (hasToken && HTTPHeaders.sameName(name, lowered: "x-amz-security-token"))
            || (addsContentHashHeader && HTTPHeaders.sameName(name, lowered: "x-amz-content-sha256"))
    }

    /// `AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<list>, Signature=<hex>`.
    private func authorization(_ signed: SignedBytes) -> String {
        let accessKeyId = credentials.accessKeyId
        let count =
            28 + accessKeyId.utf8.count + 1 + signed.scope.count + 16 + signed.signedHeaders.count + 12
            + (signed.bytes.count - signed.signatureStart)
        return signed.bytes.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: count) { buffer in
                var out = ByteWriter(buffer)
                out.append("AWS4-HMAC-SHA256 Credential=")
                out.append(accessKeyId)
                out.append(UInt8(ascii: "/"))
                out.append(UnsafeRawBufferPointer(rebasing: bytes[signed.scope]))
                out.append(", SignedHeaders=")
                out.append(UnsafeRawBufferPointer(rebasing: bytes[signed.signedHeaders]))
                out.append(", Signature=")
                out.append(UnsafeRawBufferPointer(rebasing: bytes[signed.signatureStart...]))
                return out.count
            }
        }
    }

    /// Presigns `request` (query-string authentication) as of `date`, valid for `expires` seconds.
    /// S3 uses `UNSIGNED-PAYLOAD`; other services sign the payload hash.
    public func presign(_ request: SigV4Request, at date: Date, expires: Int) throws -> SigV4Signature {
        guard (1...Self.maximumPresignExpiry).contains(expires) else { throw SigV4Error.expiresOutOfRange(expires) }
        let timestamp = AMZTimestamp(date)
        var headers = request.headers
        headers.remove("Authorization")
        let scope = String(unsafeUninitializedCapacity: scopeCount) { buffer in
            var out = ByteWriter(buffer)
            writeScope(timestamp, to: &out)
            return out.count
        }
        var added: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"),
            ("X-Amz-Date", timestamp.string),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", try Self.canonicalHeaders(headers).signed),
        ]
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let addedQuery = added.map {
            SigV4Encoding.uriEncode($0.0, keepSlash: false) + "=" + SigV4Encoding.uriEncode($0.1, keepSlash: false)
        }.joined(separator: "&")
        let query = request.query.isEmpty ? addedQuery : request.query + "&" + addedQuery
        let payload = signingName == "s3" ? PayloadHash.text("UNSIGNED-PAYLOAD") : PayloadHash(request.payload)
        let signed = try write(
            method: request.method, uri: canonicalURI(request.path), query: Self.canonicalQuery(query),
            fields: headers.fields, payload: payload, timestamp: timestamp)
        let signature = String(decoding: signed.bytes[signed.signatureStart...], as: UTF8.self)
        return SigV4Signature(
            bytes: signed.bytes, stringToSignStart: signed.stringToSignStart, signatureStart: signed.signatureStart,
            signedHeadersRange: signed.signedHeaders, headers: headers,
            query: query + "&X-Amz-Signature=" + signature)
    }

    /// The canonical request, the string to sign and the hex signature, written end to end into
    /// one buffer, with where each part starts.
    struct SignedBytes {
        let bytes: [UInt8]
        let stringToSignStart: Int
        let signatureStart: Int
        /// The `SignedHeaders` line of the canonical request.
        let signedHeaders: Range<Int>
        /// The credential scope line of the string to sign.
        let scope: Range<Int>
    }

    /// Writes the canonical request (method, URI, query, header block, signed headers, payload
    /// hash), hashes it, writes the string to sign (`AWS4-HMAC-SHA256`, the time, the scope and
    /// that hash, a line each) after it and the hex signature after that. The buffer is sized
    /// for the longest result first: one allocation.
    private func write(
        method: String, uri: String, query: String, fields: [HTTPHeaders.Field], payload: PayloadHash,
        timestamp: AMZTimestamp
    ) throws -> SignedBytes {
        let canonicalCount =
            method.utf8.count + uri.utf8.count + query.utf8.count + Self.canonicalHeadersBound(fields) + payload.count
            + 5
        let capacity = canonicalCount + 17 + 16 + 1 + scopeCount + 1 + 64 + 64
        var stringToSignStart = 0
        var signatureStart = 0
        var signedHeaders = 0..<0
        var scope = 0..<0
        let bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var out = ByteWriter(buffer)
            out.appendUppercased(method)
            out.append(0x0A)
            out.append(uri)
            out.append(0x0A)
            out.append(query)
            out.append(0x0A)
            signedHeaders = try Self.writeCanonicalHeaders(fields, to: &out)
            out.append(0x0A)
            payload.write(to: &out)
            stringToSignStart = out.count
            let requestHash = SHA256Digest(of: out.written)
            out.append("AWS4-HMAC-SHA256\n")
            timestamp.withUnsafeBytes { out.append($0) }
            out.append(0x0A)
            let scopeStart = out.count
            writeScope(timestamp, to: &out)
            scope = scopeStart..<out.count
            out.append(0x0A)
            requestHash.withUnsafeBytes { out.appendHex($0) }
            signatureStart = out.count
            var mac = SHA256Digest()
            timestamp.withUnsafeBytes { stamp in
                self.mac(
                    out.written(stringToSignStart..<signatureStart),
                    dateStamp: UnsafeRawBufferPointer(rebasing: stamp[..<8]),
                    into: &mac)
            }
            mac.withUnsafeBytes { out.appendHex($0) }
            count = out.count
        }
        return SignedBytes(
            bytes: bytes, stringToSignStart: stringToSignStart, signatureStart: signatureStart,
            signedHeaders: signedHeaders, scope: scope)
    }

    /// The length of the credential scope.
    private var scopeCount: Int { 8 + 1 + region.utf8.count + 1 + signingName.utf8.count + 13 }

    /// The credential scope, `<date>/<region>/<service>/aws4_request`.
    private func writeScope(_ timestamp: AMZTimestamp, to out: inout ByteWriter) {
        timestamp.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[..<8])) }
        out.append(UInt8(ascii: "/"))
        out.append(region)
        out.append(UInt8(ascii: "/"))
        out.append(signingName)
        out.append("/aws4_request")
    }

    /// HMAC-SHA-256 of the string to sign under the day's signing key (cached or derived).
    private func mac(_ message: UnsafeRawBufferPointer, dateStamp: UnsafeRawBufferPointer, into mac: inout SHA256Digest)
    {
        if cachesSigningKey {
            signingState(dateStamp: String(decoding: dateStamp, as: UTF8.self)).hmac.authenticate(message, into: &mac)
            return
        }
        // Uncached: the key is derived on the stack and goes straight into the stack-pad HMAC.
        var key = SHA256Digest()
        deriveSigningKey(dateStamp: dateStamp, into: &key)
        key.withUnsafeBytes { key in
            mac.withUnsafeMutableBytes { Digest.hmacSHA256(key: key, message: message, into: $0) }
        }
    }

    /// The canonical URI of a wire path under this signer's path style.
    public func canonicalURI(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        if path == "/" { return path }
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
}

/// The payload's hash as the canonical request carries it: a digest written as hex, or text
/// (a hash computed elsewhere, `UNSIGNED-PAYLOAD`).
enum PayloadHash {
    case digest(SHA256Digest)
    case text(String)

    init(_ payload: SigV4Request.Payload) {
        switch payload {
        case .bytes(let bytes): self = .digest(bytes.withUnsafeBytes { SHA256Digest(of: $0) })
        case .hash(let hash): self = .text(hash)
        case .unsigned: self = .text("UNSIGNED-PAYLOAD")
        }
    }

    /// The length of its text.
    var count: Int {
        switch self {
        case .digest: return 64
        case .text(let text): return text.utf8.count
        }
    }

    /// Its text, as the `X-Amz-Content-SHA256` header value.
    var string: String {
        switch self {
        case .digest(let digest): return digest.withUnsafeBytes { Digest.hex($0) }
        case .text(let text): return text
        }
    }

    func write(to out: inout ByteWriter) {
        switch self {
        case .digest(let digest): digest.withUnsafeBytes { out.appendHex($0) }
        case .text(let text): out.append(text)
        }
    }
}
