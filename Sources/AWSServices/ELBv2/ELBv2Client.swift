import AWSCore
import Foundation

public struct LoadBalancer: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var dnsName: String?
    public var type: String?
    public var state: String?
}

public struct TargetGroup: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var port: Int?
    public var protocolName: String?
    public var targetType: String?
    public var healthCheckPath: String?
    public var loadBalancerArns: [String]
}

public struct TargetHealth: Sendable, Equatable {
    public var targetId: String
    public var port: Int?
    public var availabilityZone: String?
    public var state: String
    public var reason: String?
    public var description: String?
}

/// Elastic Load Balancing v2 over the query protocol (API 2015-12-01).
public struct ELBv2Client: Sendable {
    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .elbv2, "ELBv2Client needs an ELBv2 AWSClient")
        self.client = client
    }

    /// DescribeLoadBalancers by name (at most 20 per call) or all, following `NextMarker`.
    public func describeLoadBalancers(names: [String] = [], arns: [String] = []) throws -> [LoadBalancer] {
        var result: [LoadBalancer] = []
        let batches: [([String], [String])] =
            names.isEmpty && arns.isEmpty
            ? [([], [])] : names.chunked(20).map { ($0, []) } + arns.chunked(20).map { ([], $0) }
        for (nameBatch, arnBatch) in batches {
            try paginate { parameters in
                parameters.addList("Names", nameBatch)
                parameters.addList("LoadBalancerArns", arnBatch)
                let page = try client.query("DescribeLoadBalancers", parameters)
                for member in page["LoadBalancers"]?.members ?? [] {
                    result.append(
                        LoadBalancer(
                            arn: member.string("LoadBalancerArn") ?? "", name: member.string("LoadBalancerName") ?? "",
                            dnsName: member.string("DNSName"), type: member.string("Type"),
                            state: member.string("State", "Code")))
                }
                return page
            }
        }
        return result
    }

    /// DescribeTargetGroups of a load balancer (or by ARNs), following `NextMarker`.
    public func describeTargetGroups(loadBalancerArn: String? = nil, arns: [String] = []) throws -> [TargetGroup] {
        var result: [TargetGroup] = []
        try paginate { parameters in
            parameters.add("LoadBalancerArn", loadBalancerArn)
            parameters.addList("TargetGroupArns", arns)
            let page = try client.query("DescribeTargetGroups", parameters)
            for member in page["TargetGroups"]?.members ?? [] {
                result.append(
                    TargetGroup(
                        arn: member.string("TargetGroupArn") ?? "", name: member.string("TargetGroupName") ?? "",
                        port: member.string("Port").flatMap { Int($0) }, protocolName: member.string("Protocol"),
                        targetType: member.string("TargetType"), healthCheckPath: member.string("HealthCheckPath"),
                        loadBalancerArns: (member["LoadBalancerArns"]?.members ?? []).map {
                            $0.text.trimmingCharacters(in: .whitespaces)
                        }))
            }
            return page
        }
        return result
    }

    /// DescribeTargetHealth of a target group (not paginated).
    public func describeTargetHealth(targetGroupArn: String) throws -> [TargetHealth] {
        var parameters = QueryParameters()
        parameters.add("TargetGroupArn", targetGroupArn)
        let result = try client.query("DescribeTargetHealth", parameters)
        return (result["TargetHealthDescriptions"]?.members ?? []).map { member in
            TargetHealth(
                targetId: member.string("Target", "Id") ?? "",
                port: member.string("Target", "Port").flatMap { Int($0) },
                availabilityZone: member.string("Target", "AvailabilityZone"),
                state: member.string("TargetHealth", "State") ?? "unknown",
                reason: member.string("TargetHealth", "Reason"),
                description: member.string("TargetHealth", "Description"))
        }
    }

    /// Runs `call` once per page with `PageSize` and `Marker` set, until no `NextMarker` is returned.
    private func paginate(_ call: (inout QueryParameters) throws -> XMLNode) throws {
        var marker: String?
        var pages = 0
        repeat {
            var parameters = QueryParameters()
            parameters.add("PageSize", "400")
            parameters.add("Marker", marker)
            let page = try call(&parameters)
            pages += 1
            let next = page.string("NextMarker").flatMap { $0.isEmpty ? nil : $0 }
            marker = next == marker ? nil : next
        } while marker != nil && pages < 1000
    }
}
