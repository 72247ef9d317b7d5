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

        var front: (targetGroupArns: [String], loadBalancerArn: String?)?
        if result.topology.loadBalancer == nil {
            // Alarms on a target group (UnHealthyHostCount, TargetResponseTime, …) or on an ECS
            // service (CPUUtilization, RunningTaskCount) name no load balancer: find it from them.
            do {
                front = try frontFromDimensions(alarm: alarm, dimensions: dimensions, cluster: result.topology.cluster)
            } catch {
                result.gaps.append(Gap(source: "elbv2", reason: EvidenceCollector.describe(error)))
            }
        }
        if let front, !front.targetGroupArns.isEmpty {
            result.topology.targetGroupArns = front.targetGroupArns
            result.topology.loadBalancerArn = front.loadBalancerArn
            result.topology.loadBalancer = front.loadBalancerArn.flatMap(Self.loadBalancerDimension)
        } else if let loadBalancer = result.topology.loadBalancer {
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
        // Configured (or a log alarm's) groups hold without a cluster too.
        if !settings.logGroups.isEmpty {
            result.topology.logGroups = Dictionary(settings.logGroups.map { ($0, $0) }, uniquingKeysWith: { a, _ in a })
        }

        guard let cluster = result.topology.cluster else { return result }
        do {
            var described: [ECSService]
            if !settings.services.isEmpty {
                calls.add(1)
                described = try clients.ecs.describeServices(cluster: cluster, services: settings.services).services
                result.topology.servicesFrom = "configured"
                for service in described { result.topology.roles[service.serviceName] = .configured }
            } else {
                calls.add(1)
                let arns = try clients.ecs.listServices(cluster: cluster, max: 100, pageSize: 100)
                calls.add((arns.count + ECSClient.maxServicesPerDescribe - 1) / ECSClient.maxServicesPerDescribe)
                let all = try clients.ecs.describeServices(cluster: cluster, services: arns).services
                described = Self.reach(
                    all, alarmTargetGroups: Set(result.topology.targetGroupArns),
                    alarmService: dimensions["ServiceName"], roles: &result.topology.roles)
                let roles = Set(result.topology.roles.values)
                result.topology.servicesFrom =
                    roles.contains(.front)
                    ? "target-groups" : (dimensions["ServiceName"] != nil && !described.isEmpty ? "alarm" : "cluster")
            }
            result.topology.services = described.map(\.serviceName)
            result.services = described.map { Self.state($0, window: window) }
            result.topology.targetGroups = targetGroups(described, topology: result.topology)
            result.topology.aliases = aliases(described, targetGroups: result.topology.targetGroups)

            var definitions: [String: TaskDefinitionSummary] = [:]
            var logGroups: [String: String] = [:]
            for service in described {
                let names = [service.taskDefinition] + (service.deployments ?? []).map(\.taskDefinition)
                for name in Set(names.compactMap { $0 }).sorted() where definitions[name] == nil {
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

    /// The target groups and load balancer of an alarm that names no load balancer: its TargetGroup
    /// dimension (`targetgroup/<name>/<id>`, the ARN built in the alarm's partition, region and
    /// account), else the target groups of the service its ClusterName/ServiceName dimensions name;
    /// the load balancer is the target group's. Nil when the dimensions name neither.
    func frontFromDimensions(alarm: AlarmEvent, dimensions: [String: String], cluster: String?) throws
        -> (targetGroupArns: [String], loadBalancerArn: String?)?
    {
        var arns: [String] = []
        if let targetGroup = dimensions["TargetGroup"], targetGroup.hasPrefix("targetgroup/") {
            let arn = AWSARN(
                partition: AWSARN(parsing: alarm.alarmArn)?.partition, service: "elasticloadbalancing",
                region: alarm.region, account: alarm.accountId, resource: targetGroup)
            arns = [arn.description]
        } else if let service = dimensions["ServiceName"], let cluster {
            calls.add(1)
            let described = try clients.ecs.describeServices(cluster: cluster, services: [service]).services
            arns = Array(Set(described.flatMap { ($0.loadBalancers ?? []).compactMap(\.targetGroupArn) })).sorted()
        }
        guard !arns.isEmpty else { return nil }
        calls.add(1)
        let groups = try clients.elb.describeTargetGroups(loadBalancerArn: nil, arns: arns)
        return (groups.map(\.arn), groups.lazy.flatMap(\.loadBalancerArns).first)
    }

    /// Services read at most: the front ones always, then downstream, then the rest of the cluster.
    static let maxServices = 12

    /// The services evidence reaches, in order: those behind the alarm's target groups (or named
    /// by its ServiceName dimension), then the services they can call (a Service Connect namespace
    /// they are clients of, or an internal load balancer's target group), then the rest of the
    /// cluster, at most `maxServices`.
    static func reach(
        _ all: [ECSService], alarmTargetGroups: Set<String>, alarmService: String?, roles: inout [String: ServiceRole]
    ) -> [ECSService] {
        let sorted = all.sorted { $0.serviceName < $1.serviceName }
        var front = sorted.filter { service in
            (service.loadBalancers ?? []).contains { alarmTargetGroups.contains($0.targetGroupArn ?? "") }
        }
        if front.isEmpty, let alarmService { front = sorted.filter { $0.serviceName == alarmService } }
        let frontNames = Set(front.map(\.serviceName))
        let namespaces = Set(front.flatMap(connectNamespaces))
        let downstream = sorted.filter { service in
            guard !frontNames.contains(service.serviceName) else { return false }
            let offers = primaryConnect(service).map { ($0.services ?? []).isEmpty == false } ?? false
            let sharesNamespace = connectNamespaces(service).contains { namespaces.contains($0) }
            let internalTarget = (service.loadBalancers ?? []).contains {
                !alarmTargetGroups.contains($0.targetGroupArn ?? "")
            }
            return (offers && sharesNamespace) || internalTarget
        }
        let chosen = Set((front + downstream).map(\.serviceName))
        let rest = sorted.filter { !chosen.contains($0.serviceName) }
        for service in front { roles[service.serviceName] = .front }
        for service in downstream { roles[service.serviceName] = .downstream }
        for service in rest { roles[service.serviceName] = .other }
        let reached = Array((front + downstream + rest).prefix(maxServices))
        let kept = Set(reached.map(\.serviceName))
        roles = roles.filter { kept.contains($0.key) }
        return reached
    }

    /// The Service Connect configuration of the service's primary deployment.
    static func primaryConnect(_ service: ECSService) -> ECSServiceConnectConfiguration? {
        let deployments = service.deployments ?? []
        let primary = deployments.first { $0.status == DeploymentStatus.primary.rawValue } ?? deployments.first
        guard let configuration = primary?.serviceConnectConfiguration, configuration.enabled != false else {
            return nil
        }
        return configuration
    }

    static func connectNamespaces(_ service: ECSService) -> [String] {
        guard let namespace = primaryConnect(service)?.namespace else { return [] }
        // The namespace may be given as a name or an ARN; the last path part names it either way.
        return [namespace.split(separator: "/").last.map(String.init) ?? namespace]
    }

    /// The target groups the services are registered behind, with their load balancer: the alarm's
    /// own groups first; other groups (internal load balancers) are looked up for their load balancer.
    func targetGroups(_ services: [ECSService], topology: Topology) -> [TargetGroupRef] {
        var byArn: [String: [String]] = [:]
        for service in services {
            for arn in (service.loadBalancers ?? []).compactMap(\.targetGroupArn) {
                byArn[arn, default: []].append(service.serviceName)
            }
        }
        var refs = topology.targetGroupArns.map {
            TargetGroupRef(arn: $0, loadBalancer: topology.loadBalancer, services: byArn[$0] ?? [], alarmed: true)
        }
        let others = byArn.keys.filter { !topology.targetGroupArns.contains($0) }.sorted()
        guard !others.isEmpty else { return refs }
        var balancers: [String: String] = [:]
        do {
            calls.add(1)
            let groups = try clients.elb.describeTargetGroups(loadBalancerArn: nil, arns: others)
            for group in groups { balancers[group.arn] = group.loadBalancerArns.first }
        } catch {
            // Without the lookup the group still has its services; only its load balancer metrics are lost.
        }
        for arn in others {
            refs.append(
                TargetGroupRef(
                    arn: arn, loadBalancer: balancers[arn].flatMap(Self.loadBalancerDimension),
                    services: byArn[arn] ?? [],
                    alarmed: false))
        }
        return refs
    }

    /// `arn:…:loadbalancer/app/<name>/<id>` → `app/<name>/<id>`.
    static func loadBalancerDimension(_ arn: String) -> String? {
        arn.range(of: "loadbalancer/").map { String(arn[$0.upperBound...]) }
    }

    /// Each service's names: itself, its Service Connect discovery names and client aliases, and the
    /// names of internal load balancers in front of it (their DNS names need a lookup).
    func aliases(_ services: [ECSService], targetGroups: [TargetGroupRef]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for service in services {
            var names = [service.serviceName]
            for offered in Self.primaryConnect(service)?.services ?? [] {
                // The discovery name defaults to the port name when none is given.
                if let discovery = offered.discoveryName ?? offered.portName { names.append(discovery) }
                names += (offered.clientAliases ?? []).compactMap(\.dnsName)
            }
            for deployment in service.deployments ?? [] {
                names += (deployment.serviceConnectResources ?? []).compactMap(\.discoveryName)
            }
            result[service.serviceName] = names
        }
        let internalBalancers = Set(targetGroups.filter { !$0.alarmed }.compactMap(\.loadBalancer))
        guard !internalBalancers.isEmpty else { return result.mapValues(Self.unique) }
        do {
            calls.add(1)
            let names = internalBalancers.compactMap { $0.split(separator: "/").dropFirst().first.map(String.init) }
            let balancers = try clients.elb.describeLoadBalancers(names: names.sorted(), arns: [])
            for group in targetGroups where !group.alarmed {
                guard
                    let balancer = balancers.first(where: { Self.loadBalancerDimension($0.arn) == group.loadBalancer })
                else { continue }
                for service in group.services {
                    result[service, default: []] += [balancer.dnsName, balancer.name].compactMap { $0 }
                }
            }
        } catch {
            // The service names and Service Connect names still match hosts.
        }
        return result.mapValues(Self.unique)
    }

    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
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
                    id: $0.id, status: $0.status.map(DeploymentStatus.init(rawValue:)),
                    taskDefinition: $0.taskDefinition,
                    revision: $0.taskDefinition.flatMap(revision), desired: $0.desiredCount, running: $0.runningCount,
                    failedTasks: $0.failedTasks, createdAt: $0.createdAt, updatedAt: $0.updatedAt,
                    rolloutState: $0.rolloutState.map(RolloutState.init(rawValue:)))
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
                    essential: $0.essential, healthCheck: $0.healthCheck?.command,
                    logGroup: $0.logConfiguration?.logDriver == "awslogs"
                        ? $0.logConfiguration?.options?["awslogs-group"] : nil,
                    logStreamPrefix: $0.logConfiguration?.logDriver == "awslogs"
                        ? $0.logConfiguration?.options?["awslogs-stream-prefix"] : nil)
            })
    }
}
