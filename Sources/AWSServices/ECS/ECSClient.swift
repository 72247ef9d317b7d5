import AWSCore
import Foundation

/// Amazon ECS over JSON 1.1.
public struct ECSClient: Sendable {
    /// DescribeServices takes at most 10 services per call.
    public static let maxServicesPerDescribe = 10
    /// DescribeTasks takes at most 100 tasks per call.
    public static let maxTasksPerDescribe = 100

    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .ecs, "ECSClient needs an ECS AWSClient")
        self.client = client
    }

    /// DescribeServices in batches of 10; unknown services come back as failures, not errors.
    public func describeServices(cluster: String, services: [String]) throws -> (
        services: [ECSService], failures: [ECSFailure]
    ) {
        struct Input: Encodable {
            let cluster: String
            let services: [String]
        }
        struct Output: Decodable {
            var services: [ECSService]?
            var failures: [ECSFailure]?
        }
        var found: [ECSService] = []
        var failures: [ECSFailure] = []
        for batch in services.chunked(Self.maxServicesPerDescribe) {
            let output: Output = try client.json("DescribeServices", Input(cluster: cluster, services: batch))
            found += output.services ?? []
            failures += output.failures ?? []
        }
        return (found, failures)
    }

    /// ListServices, every page up to `max`.
    public func listServices(cluster: String, max: Int = 1000, pageSize: Int = 100) throws -> [String] {
        struct Input: Encodable {
            let cluster: String
            let maxResults: Int
            let nextToken: String?
        }
        struct Output: Decodable {
            var serviceArns: [String]?
            var nextToken: String?
        }
        return try Paging.collect(max: max) { token in
            let output: Output = try client.json(
                "ListServices",
                Input(cluster: cluster, maxResults: Swift.min(100, Swift.max(1, pageSize)), nextToken: token))
            return (output.serviceArns ?? [], output.nextToken)
        }.items
    }

    /// ListTasks of a service with a desired status (`RUNNING` or `STOPPED`), every page up to `max`.
    public func listTasks(
        cluster: String, service: String? = nil, desiredStatus: String = "RUNNING", max: Int = 1000, pageSize: Int = 100
    ) throws -> [String] {
        struct Input: Encodable {
            let cluster: String
            let serviceName: String?
            let desiredStatus: String
            let maxResults: Int
            let nextToken: String?
        }
        struct Output: Decodable {
            var taskArns: [String]?
            var nextToken: String?
        }
        return try Paging.collect(max: max) { token in
            let output: Output = try client.json(
                "ListTasks",
                Input(
                    cluster: cluster, serviceName: service, desiredStatus: desiredStatus,
                    maxResults: Swift.min(100, Swift.max(1, pageSize)), nextToken: token))
            return (output.taskArns ?? [], output.nextToken)
        }.items
    }

    /// DescribeTasks in batches of 100.
    public func describeTasks(cluster: String, tasks: [String]) throws -> (tasks: [ECSTask], failures: [ECSFailure]) {
        struct Input: Encodable {
            let cluster: String
            let tasks: [String]
        }
        struct Output: Decodable {
            var tasks: [ECSTask]?
            var failures: [ECSFailure]?
        }
        var found: [ECSTask] = []
        var failures: [ECSFailure] = []
        for batch in tasks.chunked(Self.maxTasksPerDescribe) {
            let output: Output = try client.json("DescribeTasks", Input(cluster: cluster, tasks: batch))
            found += output.tasks ?? []
            failures += output.failures ?? []
        }
        return (found, failures)
    }

    /// DescribeTaskDefinition by family, `family:revision` or ARN.
    public func describeTaskDefinition(_ taskDefinition: String) throws -> ECSTaskDefinition {
        struct Input: Encodable { let taskDefinition: String }
        struct Output: Decodable { var taskDefinition: ECSTaskDefinition }
        let output: Output = try client.json("DescribeTaskDefinition", Input(taskDefinition: taskDefinition))
        return output.taskDefinition
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
