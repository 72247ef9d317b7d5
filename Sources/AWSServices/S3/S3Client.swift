import AWSCore
import Foundation

/// A stored object's metadata.
public struct S3ObjectInfo: Sendable, Equatable {
    public var etag: String?
    public var contentType: String?
    public var contentLength: Int?
    public var versionId: String?
    /// `AES256` or `aws:kms`.
    public var serverSideEncryption: String?
    /// User metadata (`x-amz-meta-<name>`), names in lower case.
    public var metadata: [String: String] = [:]
}

/// A conditional write that did not happen: the key exists (`If-None-Match: *`), the ETag moved
/// (`If-Match`), or a concurrent conditional write won (409).
public struct S3ConditionalWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable { case preconditionFailed, conflict }
    public let reason: Reason
    public let key: String
    public let requestId: String?

    public var description: String {
        switch reason {
        case .preconditionFailed: return "s3 conditional write of \(key) refused: PreconditionFailed (412)"
        case .conflict: return "s3 conditional write of \(key) raced another writer: ConditionalRequestConflict (409)"
        }
    }
}

/// Server-side encryption for PutObject.
public enum S3Encryption: Sendable, Equatable {
    case aes256
    case kms(keyId: String?)
}

/// Amazon S3 over REST-XML. Virtual-hosted addressing on AWS endpoints (path style for bucket names
/// with dots and for custom endpoints such as emulators and VPC endpoints).
public struct S3Client: Sendable {
    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .s3, "S3Client needs an S3 AWSClient")
        self.client = client
    }

    /// PutObject. `ifNoneMatch: true` creates only if absent; `ifMatch` replaces only that ETag.
    /// Returns the new ETag. A failed condition throws `S3ConditionalWriteError`.
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String, ifNoneMatch: Bool = false,
        ifMatch: String? = nil, encryption: S3Encryption? = nil, metadata: [String: String] = [:]
    ) throws -> String? {
        var headers: HTTPHeaders = ["Content-Type": contentType]
        if ifNoneMatch { headers.add("If-None-Match", "*") }
        if let ifMatch { headers.add("If-Match", ifMatch) }
        switch encryption {
        case .aes256: headers.add("x-amz-server-side-encryption", "AES256")
        case .kms(let keyId):
            headers.add("x-amz-server-side-encryption", "aws:kms")
            if let keyId { headers.add("x-amz-server-side-encryption-aws-kms-key-id", keyId) }
        case nil: break
        }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.add("x-amz-meta-\(name)", value) }
        let (endpoint, path) = address(bucket: bucket, key: key)
        do {
            let response = try client.rest(
                "PutObject", method: "PUT", path: path, headers: headers, body: body, endpoint: endpoint)
            return response.headers["ETag"]
        } catch let error as AWSError where error.httpStatus == 412 || error.httpStatus == 409 {
            throw S3ConditionalWriteError(
                reason: error.httpStatus == 412 ? .preconditionFailed : .conflict, key: key, requestId: error.requestId)
        }
    }

    /// GetObject: the bytes and metadata.
    public func getObject(bucket: String, key: String) throws -> (body: [UInt8], info: S3ObjectInfo) {
        let (endpoint, path) = address(bucket: bucket, key: key)
        let response = try client.rest("GetObject", method: "GET", path: path, endpoint: endpoint)
        return (response.body, Self.info(response))
    }

    /// GetObject, or nil when the key does not exist (404). `maxBytes` reads at most that many bytes
    /// (`Range: bytes=0-…`), so an oversized object costs no more than the limit.
    public func getObjectIfPresent(bucket: String, key: String, maxBytes: Int? = nil) throws -> (
        body: [UInt8], info: S3ObjectInfo
    )? {
        let (endpoint, path) = address(bucket: bucket, key: key)
        var headers: HTTPHeaders = [:]
        if let maxBytes { headers.add("Range", "bytes=0-\(max(0, maxBytes - 1))") }
        do {
            let response = try client.rest("GetObject", method: "GET", path: path, headers: headers, endpoint: endpoint)
            return (Array(response.body.prefix(maxBytes ?? Int.max)), Self.info(response))
        } catch let error as AWSError where error.httpStatus == 404 {
            return nil
        }
    }

    /// HeadObject: metadata, or nil when the key does not exist.
    public func headObject(bucket: String, key: String) throws -> S3ObjectInfo? {
        let (endpoint, path) = address(bucket: bucket, key: key)
        do {
            return Self.info(try client.rest("HeadObject", method: "HEAD", path: path, endpoint: endpoint))
        } catch let error as AWSError where error.httpStatus == 404 {
            return nil
        }
    }

    /// A presigned GET URL valid for `expires` seconds (1…604800, else `SigV4Error`).
    public func presignedGetURL(bucket: String, key: String, expires: Int) throws -> String {
        let (endpoint, path) = address(bucket: bucket, key: key)
        return try client.presignedURL(path: path, expires: expires, endpoint: endpoint)
    }

    /// A presigned GET URL valid for at most `expires` seconds and never beyond the signing
    /// credentials' expiration; returns the seconds it is really valid.
    public func presignedGetURLCapped(bucket: String, key: String, expires: Int) throws -> (url: String, expires: Int) {
        let (endpoint, path) = address(bucket: bucket, key: key)
        return try client.presignedURLCapped(path: path, expires: expires, endpoint: endpoint)
    }

    /// The endpoint and wire path for an object.
    func address(bucket: String, key: String) -> (AWSEndpoint?, String) {
        let encodedKey = SigV4Encoding.uriEncode(key, keepSlash: true)
        let isAWSDefault = client.endpoint == EndpointResolver.defaultEndpoint(.s3, region: client.region)
        if isAWSDefault && Self.isVirtualHostable(bucket) {
            let host = AWSEndpoint(scheme: "https", host: "\(bucket).\(client.endpoint.host)")
            return (host, "/" + encodedKey)
        }
        return (nil, "/\(SigV4Encoding.uriEncode(bucket, keepSlash: false))/\(encodedKey)")
    }

    /// DNS-compatible bucket names without dots (dots break the wildcard TLS certificate).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), !bucket.contains(".") else { return false }
        return bucket.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    static func info(_ response: HTTPResponse) -> S3ObjectInfo {
        S3ObjectInfo(
            etag: response.headers["ETag"], contentType: response.headers["Content-Type"],
            contentLength: response.headers["Content-Length"].flatMap { Int($0) },
            versionId: response.headers["x-amz-version-id"],
            serverSideEncryption: response.headers["x-amz-server-side-encryption"],
            metadata: Dictionary(
                response.headers.compactMap { field -> (String, String)? in
                    let name = field.name.lowercased()
                    guard name.hasPrefix("x-amz-meta-") else { return nil }
                    return (String(name.dropFirst("x-amz-meta-".count)), field.value)
                }, uniquingKeysWith: { first, _ in first }))
    }
}
