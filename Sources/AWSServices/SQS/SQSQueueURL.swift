import AWSCore

/// What a queue URL says about its queue: account, name and, where the host names it, region.
/// The documented forms: `https://sqs.<region>.<dnsSuffix>/<account>/<name>`, the legacy
/// `https://queue.amazonaws.com/…` (us-east-1) and `https://<region>.queue.amazonaws.com/…`, and
/// VPC-endpoint URLs `https://vpce-….sqs.<region>.vpce.amazonaws.com/…`. An emulator's URL
/// (`http://127.0.0.1:4566/<account>/<name>`) names no region.
///
/// botocore sends every SQS call to the client's region and treats `QueueUrl` as a body field, so a
/// queue in another region answers `QueueDoesNotExist`; triaged signs for (and, without a
/// configured endpoint, sends to) the region the URL names instead, as the Ruby SDK does.
public struct SQSQueueURL: Sendable, Equatable {
    /// The queue's region, when the host names one.
    public let region: String?
    /// The 12-digit account id of the path.
    public let account: String
    /// The queue name (`.fifo` for FIFO queues).
    public let name: String

    /// Parses `url`; nil when it is not `scheme://host[:port]/<account>/<name>`.
    public init?(parsing url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).split(separator: "/", omittingEmptySubsequences: false)
        // "", account, name
        guard path.count == 3, path[0].isEmpty, path[1].count == 12, path[1].allSatisfy(\.isNumber), !path[2].isEmpty
        else { return nil }
        var host = Substring(authority)
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if !host.hasPrefix("["), let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        account = String(path[1])
        name = String(path[2])
        region = Self.region(ofHost: host.lowercased())
    }

    /// The region a queue host names: `queue.amazonaws.com` is us-east-1; otherwise the label
    /// before `.queue.` or after `sqs.` / `sqs-fips.`, if it is a region some partition claims.
    static func region(ofHost host: String) -> String? {
        if host == "queue.amazonaws.com" { return "us-east-1" }
        let labels = host.split(separator: ".").map(String.init)
        var candidate: String?
        if let queue = labels.firstIndex(of: "queue"), queue > 0 {
            candidate = labels[queue - 1]
        } else if let sqs = labels.firstIndex(where: { $0 == "sqs" || $0 == "sqs-fips" }), sqs + 1 < labels.count {
            candidate = labels[sqs + 1]
        }
        guard let candidate, AWSPartition.all.contains(where: { $0.contains(candidate) }) else { return nil }
        return candidate
    }
}
