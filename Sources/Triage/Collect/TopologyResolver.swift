import AWSCore
import AWSServices
import Foundation
import Synchronization

/// Works out what an alarm is about: its load balancer (dimension or configuration), the target
/// groups (the alarm's TargetGroup dimension, else every group of the load balancer), the ECS
/// services registered behind them (else the configured ones, else every service in the cluster),
/// their task definitions, and the log groups from the awslogs options (unless configured).
struct TopologyResolver {
    struct Result {
        var topology = Topology()
        var services: [ServiceState] = []
        var taskDefinitions: [TaskDefinitionSummary] = []
        var gaps: [Gap] = []
    }

    let clients: CollectClients
    let settings: CollectSettings
    let calls: CallCounter

    func resolve(alarm: AlarmEvent, window: TimeWindow) -> Result {
        var result = Result()
        let dimensions = alarm.metric?.dimensions ?? [:]
        result.topology.loadBalancer = settings.loadBalancer ?? dimensions["LoadBalancer"]
        result.topology.cluster = settings.cluster ?? dimensions["ClusterName"]

        if let loadBalancer = result.topology.loadBalancer {
            do {
                let name = loadBalancer.split(separator: "/").dropFirst().first.map(String.init) ?? loadBalancer
                calls.add(1)
                let found = try clients.elb.describeLoadBalancers(names: [name], arns: [])
                let arn = found.first { $0.arn.hasSuffix("loadbalancer/" + loadBalancer) }?.arn ?? found.first?.arn
                result.topology.loadBalancerArn = arn
                if let targetGroup = dimensions["TargetGroup"], let arn {
                    // arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/… → …:targetgroup/<name>/<id>
                    let prefix = arn.components(separatedBy: "loadbalancer/").first ?? ""
                    result.topology.targetGroupArns = [prefix + targetGroup]
                } else if let arn {
                    calls.add(1)
                    result.topology.targetGroupArns = try clients.elb.describeTargetGroups(
                        loadBalancerArn: arn, arns: []
                    ).map(\.arn)
                }
            } catch {
                result.gaps.append(Gap(source: "elbv2", reason: EvidenceCollector.describe(error)))
            }
        }

        guard let cluster = result.topology.cluster else { return result }
        do {
            var described: [ECSService]
            if !settings.services.isEmpty {
                calls.add(1)
                described = try clients.ecs.describeServices(cluster: cluster, services: settings.services).services
                result.topology.servicesFrom = "configured"
            } else {
                calls.add(1)
                let arns = try clients.ecs.listServices(cluster: cluster, max: 100, pageSize: 100)
                calls.add((arns.count + ECSClient.maxServicesPerDescribe - 1) / ECSClient.maxServicesPerDescribe)
                let all = try clients.ecs.describeServices(cluster: cluster, services: arns).services
                let groups = Set(result.topology.targetGroupArns)
                described = all.filter { service in
                    (service.loadBalancers ?? []).contains { groups.contains($0.targetGroupArn ?? "") }
                }
                result.topology.servicesFrom = "target-groups"
                if described.isEmpty, let named = dimensions["ServiceName"] {
                    described = all.filter { $0.serviceName == named }
                    result.topology.servicesFrom = "alarm"
                }
                if described.isEmpty {
                    described = all
                    result.topology.servicesFrom = "cluster"
                }
            }
            result.topology.services = described.map(\.serviceName).sorted()
            result.services = described.map { Self.state($0, window: window) }.sorted { $0.name < $1.name }

            var definitions: [String: TaskDefinitionSummary] = [:]
            var logGroups: [String: String] = [:]
            for service in described {
                let names = [service.taskDefinition] + (service.deployments ?? []).map(\.taskDefinition)
                for name in Set(names.compactMap { $0 }) where definitions[name] == nil {
                    calls.add(1)
                    let definition = try clients.ecs.describeTaskDefinition(name)
                    definitions[name] = Self.summary(definition, arn: name)
                    if name == service.taskDefinition || logGroups[service.serviceName] == nil {
                        let group = definition.containerDefinitions?.lazy
                            .compactMap {
                                $0.logConfiguration?.logDriver == "awslogs"
                                    ? $0.logConfiguration?.options?["awslogs-group"] : nil
                            }
                            .first
                        if let group { logGroups[service.serviceName] = group }
                    }
                }
            }
            result.taskDefinitions = definitions.values.sorted { $0.arn < $1.arn }
            result.topology.logGroups = logGroups
        } catch {
            result.gaps.append(Gap(source: "ecs", reason: EvidenceCollector.describe(error)))
        }
        if !settings.logGroups.isEmpty {
            result.topology.logGroups = Dictionary(uniqueKeysWithValues: settings.logGroups.map { ($0, $0) })
        }
        return result
    }

    static func state(_ service: ECSService, window: TimeWindow) -> ServiceState {
        let events = (service.events ?? [])
            .filter { event in event.createdAt.map { $0 >= window.start && $0 <= window.end } ?? true }
            .sorted { ($0.createdAt ?? .distantPast) > ($1.createdAt ?? .distantPast) }
            .prefix(50)
            .map { ServiceEventRecord(at: $0.createdAt, message: $0.message) }
        return ServiceState(
            name: service.serviceName, desired: service.desiredCount ?? 0, running: service.runningCount ?? 0,
            pending: service.pendingCount ?? 0, taskDefinition: service.taskDefinition,
            deployments: (service.deployments ?? []).map {
                DeploymentState(
                    id: $0.id, status: $0.status, taskDefinition: $0.taskDefinition,
                    revision: $0.taskDefinition.flatMap(revision), desired: $0.desiredCount, running: $0.runningCount,
                    failedTasks: $0.failedTasks, createdAt: $0.createdAt, updatedAt: $0.updatedAt,
                    rolloutState: $0.rolloutState)
            },
            events: Array(events))
    }

    /// `…:task-definition/api:42` → 42.
    static func revision(_ taskDefinition: String) -> Int? {
        taskDefinition.split(separator: ":").last.flatMap { Int($0) }
    }

    static func summary(_ definition: ECSTaskDefinition, arn: String) -> TaskDefinitionSummary {
        TaskDefinitionSummary(
            arn: definition.taskDefinitionArn ?? arn, family: definition.family, revision: definition.revision,
            cpu: definition.cpu, memory: definition.memory,
            containers: (definition.containerDefinitions ?? []).map {
                ContainerSummary(
                    name: $0.name, image: $0.image, cpu: $0.cpu, memory: $0.memory ?? $0.memoryReservation,
                    essential: $0.essential, healthCheck: $0.healthCheck?.command)
            })
    }
}
