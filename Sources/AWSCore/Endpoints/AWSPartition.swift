/// An AWS partition: a group of regions sharing DNS suffixes and the ARN partition name. The table
/// is botocore's `partitions.json` (format 1.1) in file order; lookups follow the SDKs' endpoint
/// rules: a region listed by a partition belongs to it, else the first partition whose region
/// pattern matches, else `aws`.
public struct AWSPartition: Sendable, Equatable {
    /// The partition id, also the partition of its ARNs (`arn:aws-cn:…`).
    public let id: String
    /// The pattern every region of the partition matches (a whole-string regular expression).
    public let regionPattern: String
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

    func matchesPattern(_ region: String) -> Bool {
        guard let regex = try? Regex(regionPattern) else { return false }
        return region.wholeMatch(of: regex) != nil
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
        id: "aws", regionPattern: #"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$"#,
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
            id: "aws-cn", regionPattern: #"^cn\-\w+\-\d+$"#, regions: ["cn-north-1", "cn-northwest-1"],
            dnsSuffix: "amazonaws.com.cn", dualStackDnsSuffix: "api.amazonwebservices.com.cn",
            implicitGlobalRegion: "cn-northwest-1"),
        AWSPartition(
            id: "aws-eusc", regionPattern: #"^eusc\-(de)\-\w+\-\d+$"#, regions: ["eusc-de-east-1"],
            dnsSuffix: "amazonaws.eu", dualStackDnsSuffix: "api.amazonwebservices.eu",
            implicitGlobalRegion: "eusc-de-east-1"),
        AWSPartition(
            id: "aws-iso", regionPattern: #"^us\-iso\-\w+\-\d+$"#, regions: ["us-iso-east-1", "us-iso-west-1"],
            dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov", implicitGlobalRegion: "us-iso-east-1"),
        AWSPartition(
            id: "aws-iso-b", regionPattern: #"^us\-isob\-\w+\-\d+$"#, regions: ["us-isob-east-1", "us-isob-west-1"],
            dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud", implicitGlobalRegion: "us-isob-east-1"),
        AWSPartition(
            id: "aws-iso-e", regionPattern: #"^eu\-isoe\-\w+\-\d+$"#, regions: ["eu-isoe-west-1"],
            dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
            implicitGlobalRegion: "eu-isoe-west-1"),
        AWSPartition(
            id: "aws-iso-f", regionPattern: #"^us\-isof\-\w+\-\d+$"#, regions: ["us-isof-east-1", "us-isof-south-1"],
            dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov",
            implicitGlobalRegion: "us-isof-south-1"),
        AWSPartition(
            id: "aws-us-gov", regionPattern: #"^us\-gov\-\w+\-\d+$"#, regions: ["us-gov-east-1", "us-gov-west-1"],
            dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws", implicitGlobalRegion: "us-gov-west-1"),
    ]
}
