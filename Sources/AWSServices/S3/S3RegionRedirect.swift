import AWSCore

/// Whether an S3 error means "this bucket lives in another region", and which: botocore's
/// `S3RegionRedirectorv2` rules. A pure function of the error; `S3Client` carries it out (rebuild
/// host and credential scope, retry once, remember the bucket's region).
public enum S3RegionRedirect: Sendable, Equatable {
    /// Not a wrong-region answer: the error stands.
    case none
    /// Retry in this region.
    case region(String)
    /// A wrong-region answer that names no region (a bodiless HEAD): ask `HeadBucket`.
    case lookUp

    /// The decision after `error` answered `operation` (`PutObject`, `HeadObject`, `HeadBucket`, …).
    /// Redirects on `PermanentRedirect`, on `AuthorizationHeaderMalformed` naming a `<Region>`, on
    /// HTTP 301/302/307, on `IllegalLocationConstraintException` (except CreateBucket), on a HeadObject
    /// answered 301/400, and on a HeadBucket answered 301/400 with `x-amz-bucket-region`. The region
    /// comes from `x-amz-bucket-region`, else the body's `<Region>` (both in `AWSError.region`).
    public static func decide(after error: AWSError, operation: String) -> S3RegionRedirect {
        let status = error.httpStatus
        let redirects =
            error.code == "PermanentRedirect"
            || (error.code == "AuthorizationHeaderMalformed" && error.region != nil)
            || [301, 302, 307].contains(status)
            || (error.code == "IllegalLocationConstraintException" && operation != "CreateBucket")
            || (operation == "HeadObject" && [301, 400].contains(status))
            || (operation == "HeadBucket" && [301, 400].contains(status) && error.region != nil)
        guard redirects else { return .none }
        return error.region.map(S3RegionRedirect.region) ?? .lookUp
    }
}
