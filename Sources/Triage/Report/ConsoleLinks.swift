import AWSCore
import Foundation

/// Deep links into the AWS console for the alarm, the ECS service and a Logs Insights query over
/// the evidence window. Console URLs are not an API: these follow the forms the console itself
/// writes in 2026 (CloudWatch `alarmsV2`, ECS `v2`, Logs Insights `queryDetail` in its `*`/`$`
/// escaped form). Partitions: aws, aws-cn, aws-us-gov.
public struct ConsoleLinks: Sendable {
    public let region: String

    public init(region: String) {
        self.region = region
    }

    /// The console host for the region's partition (`AWSPartition`); partitions without a public
    /// console get the commercial form.
    var host: String {
        switch AWSPartition.of(region: region).id {
        case "aws-cn": return "console.amazonaws.cn"
        case "aws-us-gov": return "console.amazonaws-us-gov.com"
        default: return "\(region).console.aws.amazon.com"
        }
    }

    public func alarm(_ name: String) -> String {
        "https://\(host)/cloudwatch/home?region=\(region)#alarmsV2:alarm/\(Self.percentEncode(name))"
    }

    public func ecsService(cluster: String, service: String) -> String {
        "https://\(host)/ecs/v2/clusters/\(Self.percentEncode(cluster))/services/\(Self.percentEncode(service))/health?region=\(region)"
    }

    /// The query the link opens: the error lines of the window, newest first.
    public static let insightsQuery =
        "fields @timestamp, @logStream, @message\n| filter @message like /(?i)(error|exception|fatal|timeout)/\n| sort @timestamp desc\n| limit 200"

    public func logsInsights(groups: [String], start: Date, end: Date, query: String = ConsoleLinks.insightsQuery)
        -> String
    {
        func value(_ text: String) -> String {
            "'" + Self.percentEncode(text, uppercase: false).replacingOccurrences(of: "%", with: "*")
        }
        let sources = groups.map { "~" + value($0) }.joined()
        let detail =
            "~(end~\(value(AWSTimestamp.formatMilliseconds(end)))~start~\(value(AWSTimestamp.formatMilliseconds(start)))"
            + "~timeType~'ABSOLUTE~tz~'UTC~editorString~\(value(query))~source~(\(sources)))"
        return "https://\(host)/cloudwatch/home?region=\(region)#logsV2:logs-insights$3FqueryDetail$3D\(detail)"
    }

    /// The three links for an incident; the Logs Insights link needs log groups, the ECS one a cluster.
    public func links(alarmName: String, evidence: Evidence, focusService: String?) -> Report.Links.Console {
        let groups = Array(Set(evidence.topology.logGroups.values)).sorted()
        return Report.Links.Console(
            alarm: alarm(alarmName),
            logsInsights: groups.isEmpty
                ? nil : logsInsights(groups: groups, start: evidence.window.start, end: evidence.window.end),
            ecsService: evidence.topology.cluster.flatMap { cluster in
                focusService.map { ecsService(cluster: cluster, service: $0) }
            })
    }

    /// Percent-encodes everything but ASCII letters, digits and `-_.` (the Logs Insights fragment
    /// uses lower-case hex, as the console writes it).
    static func percentEncode(_ text: String, uppercase: Bool = true) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: uppercase).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
