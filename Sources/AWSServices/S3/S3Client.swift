import AWSCore
import Foundation
import Synchronization

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
///
/// Every bucket is addressed in its own region. The first answer that says the bucket is elsewhere
/// (`S3RegionRedirect`: a 301 `PermanentRedirect`, a 400 `AuthorizationHeaderMalformed` naming the
/// region, a HEAD 301/400 with `x-amz-bucket-region`) rebuilds host and credential scope for that
/// region and retries once, as botocore does; the bucket's region is then remembered for the
/// client's lifetime (shared by its copies), so later calls and presigned links are signed for it
/// from the start. A configured endpoint URL is kept in every region; only the signature moves.
public struct S3Client: Sendable {
    /// A client for one region and whether buckets may be addressed virtual-hosted on its host.
    struct Regional: Sendable {
        let client: AWSClient
        let virtualHosted: Bool
    }

    private let home: Regional
    private let resolve: @Sendable (String) throws -> EndpointResolver.Resolution
    private let cache = S3RegionCache()

    /// `endpoints` finds the S3 endpoint of another region (FIPS, dual-stack and configured URLs
    /// as for every client). Without it, a client on AWS's plain S3 host moves to the other region's
    /// plain host and any other endpoint is kept.
    public init(client: AWSClient, endpoints: EndpointResolver? = nil) {
        precondition(client.service == .s3, "S3Client needs an S3 AWSClient")
        if let endpoints {
            resolve = { try endpoints.resolve(.s3, region: $0) }
        } else {
            let onAWS = client.endpoint == EndpointResolver.defaultEndpoint(.s3, region: client.region)
            let endpoint = client.endpoint
            resolve = { region in
                onAWS
                    ? EndpointResolver.Resolution(
                        endpoint: EndpointResolver.defaultEndpoint(.s3, region: region),
                        source: EndpointResolver.defaultSource)
                    : EndpointResolver.Resolution(endpoint: endpoint, source: "client endpoint")
            }
        }
        let own = try? resolve(client.region)
        home = Regional(client: client, virtualHosted: own?.isDefault == true && own?.endpoint == client.endpoint)
    }

    /// The region this client has learnt `bucket` is in, if any.
    public func knownRegion(of bucket: String) -> String? { cache.region(of: bucket) }

    /// HeadBucket: the bucket's region from `x-amz-bucket-region` (sent on success and, by AWS, on
    /// refusals too), remembered for later calls; nil when the answer names none.
    @discardableResult
    public func bucketRegion(_ bucket: String) throws -> String? {
        let regional = try target(for: bucket)
        let region: String?
        do {
            let (endpoint, path) = address(bucket: bucket, key: nil, on: regional)
            region = try regional.client.rest("HeadBucket", method: "HEAD", path: path, endpoint: endpoint)
                .headers["x-amz-bucket-region"]
        } catch let error as AWSError where error.region != nil {
            region = error.region
        }
        if let region, !region.isEmpty { cache.remember(region, for: bucket) }
        return region
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
        do {
            return try redirecting(bucket: bucket, operation: "PutObject") { regional in
                let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
                return try regional.client.rest(
                    "PutObject", method: "PUT", path: path, headers: headers, body: body, endpoint: endpoint
                ).headers["ETag"]
            }
        } catch let error as AWSError where error.httpStatus == 412 || error.httpStatus == 409 {
            throw S3ConditionalWriteError(
                reason: error.httpStatus == 412 ? .preconditionFailed : .conflict, key: key, requestId: error.requestId)
        }
    }

    /// GetObject: the bytes and metadata.
    public func getObject(bucket: String, key: String) throws -> (body: [UInt8], info: S3ObjectInfo) {
        let response = try redirecting(bucket: bucket, operation: "GetObject") { regional in
            let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
            return try regional.client.rest("GetObject", method: "GET", path: path, endpoint: endpoint)
        }
        return (response.body, Self.info(response))
    }

    /// GetObject, or nil when the key does not exist (404). `maxBytes` reads at most that many bytes
    /// (`Range: bytes=0-…`), so an oversized object costs no more than the limit.
    public func getObjectIfPresent(bucket: String, key: String, maxBytes: Int? = nil) throws -> (
        body: [UInt8], info: S3ObjectInfo
    )? {
        var headers: HTTPHeaders = [:]
        if let maxBytes { headers.add("Range", "bytes=0-\(max(0, maxBytes - 1))") }
        do {
            let response = try redirecting(bucket: bucket, operation: "GetObject") { regional in
                let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
                return try regional.client.rest(
                    "GetObject", method: "GET", path: path, headers: headers, endpoint: endpoint)
            }
            return (Array(response.body.prefix(maxBytes ?? Int.max)), Self.info(response))
        } catch let error as AWSError where error.httpStatus == 404 {
            return nil
        }
    }

    /// HeadObject: metadata, or nil when the key does not exist.
    public func headObject(bucket: String, key: String) throws -> S3ObjectInfo? {
        do {
            return Self.info(
                try redirecting(bucket: bucket, operation: "HeadObject") { regional in
                    let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
                    return try regional.client.rest("HeadObject", method: "HEAD", path: path, endpoint: endpoint)
                })
        } catch let error as AWSError where error.httpStatus == 404 {
            return nil
        }
    }

    /// A presigned GET URL valid for `expires` seconds (1…604800, else `SigV4Error`), signed for
    /// the bucket's region: a link is not a request S3 can redirect, so a bucket whose region is not
    /// known yet is asked with HeadBucket first (once; when that fails, the client's region).
    public func presignedGetURL(bucket: String, key: String, expires: Int) throws -> String {
        let regional = try presignTarget(for: bucket)
        let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
        return try regional.client.presignedURL(path: path, expires: expires, endpoint: endpoint)
    }

    /// A presigned GET URL valid for at most `expires` seconds and never beyond the signing
    /// credentials' expiration; returns the seconds it is really valid. Signed as `presignedGetURL`.
    public func presignedGetURLCapped(bucket: String, key: String, expires: Int) throws -> (url: String, expires: Int) {
        let regional = try presignTarget(for: bucket)
        let (endpoint, path) = address(bucket: bucket, key: key, on: regional)
        return try regional.client.presignedURLCapped(path: path, expires: expires, endpoint: endpoint)
    }

    /// Runs `call` in the bucket's known region (else the client's); on a wrong-region answer,
    /// once more in the region the answer names (or HeadBucket finds), remembering it.
    private func redirecting<T>(bucket: String, operation: String, _ call: (Regional) throws -> T) throws -> T {
        let first = try target(for: bucket)
        do {
            return try call(first)
        } catch let error as AWSError {
            var region: String?
            switch S3RegionRedirect.decide(after: error, operation: operation) {
            case .none: break
            case .region(let named): region = named
            case .lookUp: region = try? bucketRegion(bucket)
            }
            guard let region, region != first.client.region else { throw error }
            cache.remember(region, for: bucket)
            return try call(try regional(region))
        }
    }

    private func presignTarget(for bucket: String) throws -> Regional {
        if cache.region(of: bucket) == nil { _ = try? bucketRegion(bucket) }
        return try target(for: bucket)
    }

    private func target(for bucket: String) throws -> Regional {
        guard let region = cache.region(of: bucket), region != home.client.region else { return home }
        return try regional(region)
    }

    private func regional(_ region: String) throws -> Regional {
        if region == home.client.region { return home }
        return try cache.client(for: region) {
            let resolution = try resolve(region)
            return Regional(
                client: home.client.relocated(to: region, endpoint: resolution.endpoint),
                virtualHosted: resolution.isDefault)
        }
    }

    /// The endpoint and wire path for an object, on this client's own region.
    func address(bucket: String, key: String) -> (AWSEndpoint?, String) {
        address(bucket: bucket, key: key, on: home)
    }

    /// The endpoint and wire path for an object (or, with no key, the bucket itself) on `regional`:
    /// virtual-hosted on AWS's own hosts for DNS-compatible names, else path style.
    private func address(bucket: String, key: String?, on regional: Regional) -> (AWSEndpoint?, String) {
        let encodedKey = key.map { SigV4Encoding.uriEncode($0, keepSlash: true) }
        if regional.virtualHosted && Self.isVirtualHostable(bucket) {
            let host = AWSEndpoint(scheme: "https", host: "\(bucket).\(regional.client.endpoint.host)")
            return (host, "/" + (encodedKey ?? ""))
        }
        let path = "/\(SigV4Encoding.uriEncode(bucket, keepSlash: false))"
        return (nil, encodedKey.map { "\(path)/\($0)" } ?? path)
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

/// Buckets' regions and the regional clients made for them, shared by every copy of one `S3Client`.
final class S3RegionCache: Sendable {
    private let buckets = Mutex<[String: String]>([:])
    private let clients = Mutex<[String: S3Client.Regional]>([:])

    func region(of bucket: String) -> String? { buckets.withLock { $0[bucket] } }

    func remember(_ region: String, for bucket: String) { buckets.withLock { $0[bucket] = region } }

    func client(for region: String, make: () throws -> S3Client.Regional) throws -> S3Client.Regional {
        if let known = clients.withLock({ $0[region] }) { return known }
        let made = try make()
        return clients.withLock { clients in
            if let known = clients[region] { return known }
            clients[region] = made
            return made
        }
    }
}
