/// An AWS partition: a group of regions sharing DNS suffixes and the ARN partition name. The table
/// is botocore's `partitions.json` (format 1.1) in file order; lookups follow the SDKs' endpoint
/// rules: a region listed by a partition belongs to it, else the first partition whose region
/// pattern matches, else `aws`.
public struct AWSPartition: Sendable, Equatable {
    /// The partition id, also the partition of its ARNs (`arn:aws-cn:…`).
    public let id: String
    /// The region prefixes of the partition's pattern: botocore's `regionRegex`
    /// `^(p1|p2|…)\-\w+\-\d+$` is a region that starts with one of them, then `-<word>-<digits>`
    /// (`regionMatches`). Kept as data so a lookup compiles no expression.
    public let regionPrefixes: [String]
    /// The regions the partition lists by name.
    public let regions: [String]
    /// The suffix of regional hostnames, `<prefix>.<region>.<dnsSuffix>`.
    public let dnsSuffix: String
    /// The suffix of dual-stack (IPv6) hostnames, `<prefix>.<region>.<dualStackDnsSuffix>`.
    public let dualStackDnsSuffix: String
    /// The region a partition-global endpoint signs for (`aws-global` signs for `us-east-1`).
    public let implicitGlobalRegion: String

    /// Whether `region` is listed by this partition or matches its pattern.
    public func contains(_ region: String) -> Bool {
        regions.contains(region) || matchesPattern(region)
    }

    /// `^(prefix)\-\w+\-\d+$` for one of `regionPrefixes`: after `prefix-`, one or more word
    /// characters (letters, digits, `_`; no `-`), a `-`, and one or more digits to the end.
    func matchesPattern(_ region: String) -> Bool {
        regionPrefixes.contains { prefix in
            guard region.hasPrefix(prefix + "-") else { return false }
            let rest = region.dropFirst(prefix.count + 1).split(separator: "-", omittingEmptySubsequences: false)
            return rest.count == 2 && !rest[0].isEmpty && !rest[1].isEmpty
                && rest[0].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                && rest[1].allSatisfy(\.isNumber)
        }
    }

    /// The partition `region` belongs to: listed regions first, then patterns, else `aws`.
    public static func of(region: String) -> AWSPartition {
        all.first { $0.regions.contains(region) } ?? all.first { $0.matchesPattern(region) } ?? aws
    }

    /// The partition whose id is `id` (an ARN's second field), if known.
    public static func named(_ id: String) -> AWSPartition? {
        all.first { $0.id == id }
    }

    /// The commercial partition, and the fallback for regions no partition claims.
    public static let aws = AWSPartition(
        id: "aws", regionPrefixes: ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        regions: [
            "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
            "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global", "ca-central-1", "ca-west-1",
            "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
            "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
            "us-east-2", "us-west-1", "us-west-2",
        ],
        dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws", implicitGlobalRegion: "us-east-1")

    /// Every partition, in the order the endpoint rules try them.
    public static let all: [AWSPartition] = [
        aws,
        AWSPartition(
            id: "aws-cn", regionPrefixes: ["cn"], regions: ["cn-north-1", "cn-northwest-1"],
            dnsSuffix: "amazonaws.com.cn", dualStackDnsSuffix: "api.amazonwebservices.com.cn",
            implicitGlobalRegion: "cn-northwest-1"),
        AWSPartition(
            id: "aws-eusc", regionPrefixes: ["eusc-de"], regions: ["eusc-de-east-1"],
            dnsSuffix: "amazonaws.eu", dualStackDnsSuffix: "api.amazonwebservices.eu",
            implicitGlobalRegion: "eusc-de-east-1"),
        AWSPartition(
            id: "aws-iso", regionPrefixes: ["us-iso"], regions: ["us-iso-east-1", "us-iso-west-1"],
            dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov", implicitGlobalRegion: "us-iso-east-1"),
        AWSPartition(
            id: "aws-iso-b", regionPrefixes: ["us-isob"], regions: ["us-isob-east-1", "us-isob-west-1"],
            dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud", implicitGlobalRegion: "us-isob-east-1"),
        AWSPartition(
            id: "aws-iso-e", regionPrefixes: ["eu-isoe"], regions: ["eu-isoe-west-1"],
            dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
            implicitGlobalRegion: "eu-isoe-west-1"),
        AWSPartition(
            id: "aws-iso-f", regionPrefixes: ["us-isof"], regions: ["us-isof-east-1", "us-isof-south-1"],
            dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov",
            implicitGlobalRegion: "us-isof-south-1"),
        AWSPartition(
            id: "aws-us-gov", regionPrefixes: ["us-gov"], regions: ["us-gov-east-1", "us-gov-west-1"],
            dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws", implicitGlobalRegion: "us-gov-west-1"),
    ]
}
