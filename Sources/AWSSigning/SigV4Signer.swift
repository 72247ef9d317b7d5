import Foundation
import Synchronization

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
        // The canonical request in one buffer: the header block is written straight into it.
        let uri = canonicalURI(request.path)
        let query = Self.canonicalQuery(request.query)
        var bytes = [UInt8]()
        bytes.reserveCapacity(
            request.method.utf8.count + uri.utf8.count + query.utf8.count + payloadHash.utf8.count + 8
                + headers.fields.reduce(0) { $0 + $1.name.utf8.count * 2 + $1.value.utf8.count + 3 })
        for byte in request.method.utf8 { bytes.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte) }
        bytes.append(0x0A)
        bytes.append(contentsOf: uri.utf8)
        bytes.append(0x0A)
        bytes.append(contentsOf: query.utf8)
        bytes.append(0x0A)
        let signed = try Self.canonicalHeaders(headers, block: &bytes)
        bytes.append(0x0A)
        bytes.append(contentsOf: signed.utf8)
        bytes.append(0x0A)
        bytes.append(contentsOf: payloadHash.utf8)
        // The canonical request is hashed as bytes; the string to sign and the Authorization
        // value are written into byte buffers too, each made a String once (the hot path).
        let scope = scope(amzDate)
        let stringToSign = stringToSign(canonicalRequest: bytes, date: amzDate, scope: scope)
        let mac = self.mac(stringToSign, dateStamp: amzDate.dateStamp)
        var authorization = [UInt8]()
        authorization.reserveCapacity(
            28 + credentials.accessKeyId.utf8.count + 1 + scope.count + 16 + signed.utf8.count + 12 + 64)
        authorization.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        authorization.append(contentsOf: credentials.accessKeyId.utf8)
        authorization.append(UInt8(ascii: "/"))
        authorization.append(contentsOf: scope)
        authorization.append(contentsOf: ", SignedHeaders=".utf8)
        authorization.append(contentsOf: signed.utf8)
        authorization.append(contentsOf: ", Signature=".utf8)
        let signatureStart = authorization.count
        Digest.appendHex(mac, to: &authorization)
        let signature = String(decoding: authorization[signatureStart...], as: UTF8.self)
        headers.add("Authorization", String(decoding: authorization, as: UTF8.self))
        return SigV4Signature(
            canonicalRequestBytes: bytes, stringToSignBytes: stringToSign, signature: signature,
            signedHeaders: signed, headers: headers, query: request.query)
    }

    /// Presigns `request` (query-string authentication) as of `date`, valid for `expires` seconds.
    /// S3 uses `UNSIGNED-PAYLOAD`; other services sign the payload hash.
    public func presign(_ request: SigV4Request, at date: Date, expires: Int) throws -> SigV4Signature {
        guard (1...Self.maximumPresignExpiry).contains(expires) else { throw SigV4Error.expiresOutOfRange(expires) }
        let amzDate = AMZDate(date)
        var headers = request.headers
        headers.remove("Authorization")
        let canonicalHeaders = try Self.canonicalHeaders(headers)
        let scope = scope(amzDate)
        var added: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(String(decoding: scope, as: UTF8.self))"),
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
        let canonicalRequest = Self.canonicalRequest(
            method: request.method, uri: canonicalURI(request.path), query: Self.canonicalQuery(query),
            headers: canonicalHeaders, payloadHash: payloadHash)
        let stringToSign = stringToSign(canonicalRequest: canonicalRequest, date: amzDate, scope: scope)
        let signature = Digest.hex(mac(stringToSign, dateStamp: amzDate.dateStamp))
        return SigV4Signature(
            canonicalRequestBytes: canonicalRequest, stringToSignBytes: stringToSign, signature: signature,
            signedHeaders: canonicalHeaders.signed, headers: headers,
            query: query + "&X-Amz-Signature=" + signature)
    }

    /// The derived signing key for a UTC day: HMAC chain over date, region, service, `aws4_request`.
    /// Derived once per credential, day, region and service (as the AWS SDKs do), then cached.
    public func signingKey(dateStamp: String) -> [UInt8] {
        signingState(dateStamp: dateStamp).key
    }

    func signingState(dateStamp: String) -> (key: [UInt8], hmac: Digest.HMACKey) {
        let cacheKey = SigningKeyCache.Name(
            accessKeyId: credentials.accessKeyId, dateStamp: dateStamp, region: region, service: signingName)
        if let cached = SigningKeyCache.shared.entry(cacheKey, secret: credentials.secretAccessKey) { return cached }
        let key = deriveSigningKey(dateStamp: dateStamp)
        let state = (key, Digest.HMACKey(key))
        SigningKeyCache.shared.store(cacheKey, secret: credentials.secretAccessKey, state: state)
        return state
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
    /// chained in one 32-byte buffer (a secret over 60 bytes takes the general path).
    func deriveSigningKey(dateStamp: String) -> [UInt8] {
        var secret = "AWS4" + credentials.secretAccessKey
        guard secret.utf8.count <= 64 else {
            let kDate = Digest.hmacSHA256(key: Array(secret.utf8), data: dateStamp)
            let kRegion = Digest.hmacSHA256(key: kDate, data: region)
            let kService = Digest.hmacSHA256(key: kRegion, data: signingName)
            return Digest.hmacSHA256(key: kService, data: "aws4_request")
        }
        return [UInt8](unsafeUninitializedCapacity: 32) { key, count in
            let out = UnsafeMutableRawBufferPointer(key)
            secret.withUTF8 { secret in
                Self.hmac(key: UnsafeRawBufferPointer(secret), dateStamp, into: out)
            }
            // Each step keys on the previous result, read into the pads before `out` is overwritten.
            Self.hmac(key: UnsafeRawBufferPointer(out), region, into: out)
            Self.hmac(key: UnsafeRawBufferPointer(out), signingName, into: out)
            Self.hmac(key: UnsafeRawBufferPointer(out), "aws4_request", into: out)
            count = 32
        }
    }

    private static func hmac(key: UnsafeRawBufferPointer, _ text: String, into out: UnsafeMutableRawBufferPointer) {
        var text = text
        text.withUTF8 { Digest.hmacSHA256(key: key, message: UnsafeRawBufferPointer($0), into: out) }
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

    /// The canonical request: method, URI, query, header block, signed headers, payload hash.
    static func canonicalRequest(
        method: String, uri: String, query: String, headers: (block: String, signed: String), payloadHash: String
    ) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(
            method.utf8.count + uri.utf8.count + query.utf8.count + headers.block.utf8.count
                + headers.signed.utf8.count + payloadHash.utf8.count + 5)
        for byte in method.utf8 { out.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte) }
        out.append(0x0A)
        out.append(contentsOf: uri.utf8)
        out.append(0x0A)
        out.append(contentsOf: query.utf8)
        out.append(0x0A)
        out.append(contentsOf: headers.block.utf8)
        out.append(0x0A)
        out.append(contentsOf: headers.signed.utf8)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        return out
    }

    /// Canonical header block (`name:value\n` per header, sorted) and the `SignedHeaders` list.
    /// Names are lower-cased, values trimmed with inner whitespace runs collapsed, repeated names
    /// joined with commas in their original order. Written straight into two byte buffers: this is
    /// the signer's hot path.
    static func canonicalHeaders(_ headers: HTTPHeaders) throws -> (block: String, signed: String) {
        var block = [UInt8]()
        let signed = try canonicalHeaders(headers, block: &block)
        return (String(decoding: block, as: UTF8.self), signed)
    }

    /// Appends the canonical header block to `block` and returns the `SignedHeaders` list. Each
    /// name is lower-cased once into one buffer; sorting and grouping compare those bytes.
    static func canonicalHeaders(_ headers: HTTPHeaders, block: inout [UInt8]) throws -> String {
        let fields = headers.fields
        var names = [UInt8]()
        var spans: [(field: Int, start: Int, end: Int)] = []
        spans.reserveCapacity(fields.count)
        var hasHost = false
        var capacity = 0
        for (index, field) in fields.enumerated() {
            let start = names.count
            for byte in field.name.utf8 { names.append(HTTPHeaders.lowerASCII(byte)) }
            let name = names[start...]
            if isUnsignedLowered(name) {
                names.removeSubrange(start...)
                continue
            }
            if name.elementsEqual("host".utf8) { hasHost = true }
            spans.append((index, start, names.count))
            capacity += 2 * (names.count - start) + field.value.utf8.count + 3
        }
        guard hasHost else { throw SigV4Error.missingHost }
        func order(_ lhs: (field: Int, start: Int, end: Int), _ rhs: (field: Int, start: Int, end: Int)) -> Int {
            let left = names[lhs.start..<lhs.end]
            let right = names[rhs.start..<rhs.end]
            if left.elementsEqual(right) { return 0 }
            return left.lexicographicallyPrecedes(right) ? -1 : 1
        }
        // Stable: equal names keep their order (values are then joined in order).
        spans.sort { lhs, rhs in
            let compared = order(lhs, rhs)
            return compared == 0 ? lhs.field < rhs.field : compared < 0
        }
        block.reserveCapacity(block.count + capacity)
        var signed = [UInt8]()
        signed.reserveCapacity(capacity / 2)
        var position = 0
        while position < spans.count {
            let first = spans[position]
            if !signed.isEmpty { signed.append(UInt8(ascii: ";")) }
            signed.append(contentsOf: names[first.start..<first.end])
            block.append(contentsOf: names[first.start..<first.end])
            block.append(UInt8(ascii: ":"))
            appendCollapsed(fields[first.field].value, to: &block)
            position += 1
            while position < spans.count && order(spans[position], first) == 0 {
                block.append(UInt8(ascii: ","))
                appendCollapsed(fields[spans[position].field].value, to: &block)
                position += 1
            }
            block.append(0x0A)
        }
        return String(decoding: signed, as: UTF8.self)
    }

    /// The `unsignedHeaders` names as bytes.
    static let unsignedHeaderBytes: [[UInt8]] = unsignedHeaders.map { Array($0.utf8) }

    /// Whether a lower-cased name is one of `unsignedHeaders`.
    static func isUnsignedLowered(_ name: ArraySlice<UInt8>) -> Bool {
        let length = name.count
        guard length < 64, unsignedLengths & (1 << UInt64(length)) != 0 else { return false }
        return unsignedHeaderBytes.contains { $0.elementsEqual(name) }
    }

    /// The lengths of the `unsignedHeaders` names as a bit set: most names are rejected by length.
    static let unsignedLengths: UInt64 = unsignedHeaders.reduce(0) { $0 | (1 << UInt64($1.utf8.count)) }

    /// Appends `value` trimmed, with whitespace runs (folded lines included) collapsed to one space.
    static func appendCollapsed(_ value: String, to out: inout [UInt8]) {
        // Most values need nothing done: copy them whole.
        let clean =
            value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard let first = bytes.first, let last = bytes.last else { return true }
                if isSpace(first) || isSpace(last) { return false }
                var previousSpace = false
                for byte in bytes {
                    if byte == 0x09 || byte == 0x0A || byte == 0x0D { return false }
                    if byte == 0x20 {
                        if previousSpace { return false }
                        previousSpace = true
                    } else {
                        previousSpace = false
                    }
                }
                return true
            } ?? false
        if clean {
            out.append(contentsOf: value.utf8)
            return
        }
        var pendingSpace = false
        var started = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = started
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                started = true
                out.append(byte)
            }
        }
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Trims a header value and collapses internal whitespace runs (including folded lines) to one space.
    static func collapseWhitespace(_ value: String) -> String {
        var out = [UInt8]()
        appendCollapsed(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The credential scope, `<date>/<region>/<service>/aws4_request`.
    private func scope(_ date: AMZDate) -> [UInt8] {
        var scope = [UInt8]()
        scope.reserveCapacity(8 + region.utf8.count + signingName.utf8.count + 14)
        scope.append(contentsOf: date.dateStamp.utf8)
        scope.append(UInt8(ascii: "/"))
        scope.append(contentsOf: region.utf8)
        scope.append(UInt8(ascii: "/"))
        scope.append(contentsOf: signingName.utf8)
        scope.append(contentsOf: "/aws4_request".utf8)
        return scope
    }

    /// `AWS4-HMAC-SHA256`, the time, the scope and the canonical request's hex SHA-256, a line each.
    private func stringToSign(canonicalRequest: [UInt8], date: AMZDate, scope: [UInt8]) -> [UInt8] {
        var hasher = Digest.SHA256()
        hasher.update(canonicalRequest)
        var stringToSign = [UInt8]()
        stringToSign.reserveCapacity(17 + 16 + 1 + scope.count + 1 + 64)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: date.timestamp.utf8)
        stringToSign.append(0x0A)
        stringToSign.append(contentsOf: scope)
        stringToSign.append(0x0A)
        Digest.appendHex(hasher.finish(), to: &stringToSign)
        return stringToSign
    }

    /// HMAC-SHA-256 of the string to sign under the day's signing key (cached or derived).
    private func mac(_ stringToSign: [UInt8], dateStamp: String) -> [UInt8] {
        if cachesSigningKey {
            let hmac = signingState(dateStamp: dateStamp).hmac
            return stringToSign.withUnsafeBytes { hmac.authenticate($0) }
        }
        // Uncached: the derived key goes straight into the stack-pad HMAC, no pads kept.
        let key = deriveSigningKey(dateStamp: dateStamp)
        return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            key.withUnsafeBytes { key in
                stringToSign.withUnsafeBytes {
                    Digest.hmacSHA256(key: key, message: $0, into: UnsafeMutableRawBufferPointer(out))
                }
            }
            count = 32
        }
    }
}

/// Derived signing keys by access key id, day, region and service. An entry remembers the secret
/// it was derived from (already in memory with the credentials), so a key id reused with another
/// secret never gets a stale key. Bounded: cleared when it grows past 256 entries.
final class SigningKeyCache: Sendable {
    static let shared = SigningKeyCache()
    struct Name: Hashable {
        let accessKeyId: String
        let dateStamp: String
        let region: String
        let service: String
    }

    private let entries = Mutex<[Name: (secret: String, key: [UInt8], hmac: Digest.HMACKey)]>([:])

    func entry(_ name: Name, secret: String) -> (key: [UInt8], hmac: Digest.HMACKey)? {
        entries.withLock { entries in
            guard let entry = entries[name], entry.secret == secret else { return nil }
            return (entry.key, entry.hmac)
        }
    }

    func store(_ name: Name, secret: String, state: (key: [UInt8], hmac: Digest.HMACKey)) {
        entries.withLock { entries in
            if entries.count >= 256 { entries.removeAll() }
            entries[name] = (secret, state.key, state.hmac)
        }
    }
}
