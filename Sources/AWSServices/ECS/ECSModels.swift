import Foundation

/// An ECS service with its deployments and recent events.
public struct ECSService: Sendable, Equatable, Decodable {
    public var serviceArn: String?
    public var serviceName: String
    public var clusterArn: String?
    public var status: String?
    public var desiredCount: Int?
    public var runningCount: Int?
    public var pendingCount: Int?
    public var taskDefinition: String?
    public var deployments: [ECSDeployment]?
    public var events: [ECSServiceEvent]?
    public var loadBalancers: [ECSLoadBalancer]?
}

public struct ECSDeployment: Sendable, Equatable, Decodable {
    public var id: String?
    public var status: String?
    public var taskDefinition: String?
    public var desiredCount: Int?
    public var pendingCount: Int?
    public var runningCount: Int?
    public var failedTasks: Int?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var rolloutState: String?
    public var rolloutStateReason: String?
    /// Service Connect as this deployment configured it (what the service offers and which
    /// namespace its clients use).
    public var serviceConnectConfiguration: ECSServiceConnectConfiguration?
    /// The Cloud Map services Service Connect created for it.
    public var serviceConnectResources: [ECSServiceConnectResource]?
}

/// `deployments[].serviceConnectConfiguration` of DescribeServices.
public struct ECSServiceConnectConfiguration: Sendable, Equatable, Decodable {
    public var enabled: Bool?
    public var namespace: String?
    public var services: [Service]?

    public struct Service: Sendable, Equatable, Decodable {
        public var portName: String?
        public var discoveryName: String?
        public var clientAliases: [ClientAlias]?
    }

    public struct ClientAlias: Sendable, Equatable, Decodable {
        public var port: Int?
        public var dnsName: String?
    }
}

public struct ECSServiceConnectResource: Sendable, Equatable, Decodable {
    public var discoveryName: String?
    public var discoveryArn: String?
}

public struct ECSServiceEvent: Sendable, Equatable, Decodable {
    public var id: String?
    public var createdAt: Date?
    public var message: String
}

public struct ECSLoadBalancer: Sendable, Equatable, Decodable {
    public var targetGroupArn: String?
    public var containerName: String?
    public var containerPort: Int?
}

/// A task, running or stopped.
public struct ECSTask: Sendable, Equatable, Decodable {
    public var taskArn: String
    public var taskDefinitionArn: String?
    public var group: String?
    public var lastStatus: String?
    public var desiredStatus: String?
    public var healthStatus: String?
    public var stopCode: String?
    public var stoppedReason: String?
    public var startedAt: Date?
    public var stoppedAt: Date?
    public var containers: [ECSContainer]?
}

public struct ECSContainer: Sendable, Equatable, Decodable {
    public var name: String?
    public var lastStatus: String?
    public var exitCode: Int?
    public var reason: String?
    public var healthStatus: String?
}

/// A task definition: what triaged needs of it. Environment values and secrets are deliberately not
/// modelled, so they are never decoded or kept.
public struct ECSTaskDefinition: Sendable, Equatable, Decodable {
    public var taskDefinitionArn: String?
    public var family: String?
    public var revision: Int?
    public var cpu: String?
    public var memory: String?
    public var containerDefinitions: [ECSContainerDefinition]?
}

public struct ECSContainerDefinition: Sendable, Equatable, Decodable {
    public var name: String?
    public var image: String?
    public var cpu: Int?
    public var memory: Int?
    public var memoryReservation: Int?
    public var essential: Bool?
    public var logConfiguration: ECSLogConfiguration?
    public var healthCheck: ECSHealthCheck?
}

public struct ECSLogConfiguration: Sendable, Equatable, Decodable {
    public var logDriver: String?
    public var options: [String: String]?
}

public struct ECSHealthCheck: Sendable, Equatable, Decodable {
    public var command: [String]?
    public var interval: Int?
    public var timeout: Int?
    public var retries: Int?
}

/// A partial failure of a Describe call (`MISSING` and the like), reported with HTTP 200.
public struct ECSFailure: Sendable, Equatable, Decodable {
    public var arn: String?
    public var reason: String?
    public var detail: String?
}
