import Foundation

/// CloudWatch notifications name the region by its console display name (`Region`: "EU (Ireland)"),
/// not its code. Older notifications carry no `AlarmArn`, so the code is needed to rebuild it.
enum RegionNames {
    /// Display name → region code. Both the older "EU (…)" and the newer "Europe (…)" spellings are
    /// listed; notifications have used both.
    static let codes: [String: String] = {
        let names: [(String, String)] = [
            ("US East (N. Virginia)", "us-east-1"), ("US East (Ohio)", "us-east-2"),
            ("US West (N. California)", "us-west-1"), ("US West (Oregon)", "us-west-2"),
            ("Africa (Cape Town)", "af-south-1"), ("Asia Pacific (Hong Kong)", "ap-east-1"),
            ("Asia Pacific (Taipei)", "ap-east-2"), ("Asia Pacific (Tokyo)", "ap-northeast-1"),
            ("Asia Pacific (Seoul)", "ap-northeast-2"), ("Asia Pacific (Osaka)", "ap-northeast-3"),
            ("Asia Pacific (Mumbai)", "ap-south-1"), ("Asia Pacific (Hyderabad)", "ap-south-2"),
            ("Asia Pacific (Singapore)", "ap-southeast-1"), ("Asia Pacific (Sydney)", "ap-southeast-2"),
            ("Asia Pacific (Jakarta)", "ap-southeast-3"), ("Asia Pacific (Melbourne)", "ap-southeast-4"),
            ("Asia Pacific (Malaysia)", "ap-southeast-5"), ("Asia Pacific (New Zealand)", "ap-southeast-6"),
            ("Asia Pacific (Thailand)", "ap-southeast-7"), ("Canada (Central)", "ca-central-1"),
            ("Canada West (Calgary)", "ca-west-1"), ("Israel (Tel Aviv)", "il-central-1"),
            ("Mexico (Central)", "mx-central-1"), ("Middle East (Bahrain)", "me-south-1"),
            ("Middle East (UAE)", "me-central-1"), ("South America (Sao Paulo)", "sa-east-1"),
            ("South America (São Paulo)", "sa-east-1"), ("China (Beijing)", "cn-north-1"),
            ("China (Ningxia)", "cn-northwest-1"), ("AWS GovCloud (US-West)", "us-gov-west-1"),
            ("AWS GovCloud (US-East)", "us-gov-east-1"), ("AWS GovCloud (US)", "us-gov-west-1"),
        ]
        let europe: [(String, String)] = [
            ("Ireland", "eu-west-1"), ("London", "eu-west-2"), ("Paris", "eu-west-3"), ("Frankfurt", "eu-central-1"),
            ("Zurich", "eu-central-2"), ("Stockholm", "eu-north-1"), ("Milan", "eu-south-1"), ("Spain", "eu-south-2"),
        ]
        var table = Dictionary(names, uniquingKeysWith: { first, _ in first })
        for (city, code) in europe {
            table["EU (\(city))"] = code
            table["Europe (\(city))"] = code
        }
        return table
    }()

    /// The region code for a display name, or the text itself when it already is a region code.
    static func code(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let code = codes[trimmed] { return code }
        let parts = trimmed.split(separator: "-")
        if parts.count >= 3, parts.last?.allSatisfy(\.isNumber) == true,
            trimmed.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" })
        {
            return trimmed
        }
        return nil
    }
}
