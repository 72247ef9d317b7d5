extension SigV4Signer {
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

    /// The signing key derived afresh (no cache).
    func deriveSigningKey(dateStamp: String) -> [UInt8] {
        var key = SHA256Digest()
        withUTF8Bytes(dateStamp) { deriveSigningKey(dateStamp: $0, into: &key) }
        return key.bytes
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
    /// chained in `key` with the first key on the stack: nothing is allocated.
    func deriveSigningKey(dateStamp: UnsafeRawBufferPointer, into key: inout SHA256Digest) {
        let secret = credentials.secretAccessKey
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { material in
            var first = ByteWriter(material)
            if secret.utf8.count <= 60 {
                first.append("AWS4")
                first.append(secret)
            } else {
                // An HMAC key longer than the 64-byte block is replaced by its SHA-256 (RFC 2104).
                var context = Digest.SHA256()
                context.update(("AWS4" as StaticString).bytes)
                withUTF8Bytes(secret) { context.update($0) }
                var hashed = SHA256Digest()
                context.finish(into: &hashed)
                hashed.withUnsafeBytes { first.append($0) }
            }
            key.withUnsafeMutableBytes { out in
                Digest.hmacSHA256(key: first.written, message: dateStamp, into: out)
                // Each step keys on the previous result, read into the pads before `out` is overwritten.
                Self.hmac(key: UnsafeRawBufferPointer(out), region, into: out)
                Self.hmac(key: UnsafeRawBufferPointer(out), signingName, into: out)
                Self.hmac(key: UnsafeRawBufferPointer(out), "aws4_request", into: out)
            }
        }
    }

    private static func hmac(key: UnsafeRawBufferPointer, _ text: String, into out: UnsafeMutableRawBufferPointer) {
        withUTF8Bytes(text) { Digest.hmacSHA256(key: key, message: $0, into: out) }
    }
}
