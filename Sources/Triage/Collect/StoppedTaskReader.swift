import AWSServices
import Foundation

/// Stopped tasks of the incident's services that stopped within the window.
struct StoppedTaskReader {
    let reader: any ECSReader
    let calls: CallCounter

    func read(cluster: String?, services: [String], window: TimeWindow) throws -> [StoppedTask] {
        guard let cluster else { return [] }
        var stopped: [StoppedTask] = []
        var seen: Set<String> = []
        for service in services {
            calls.add()
            let arns = try reader.listTasks(
                cluster: cluster, service: service, desiredStatus: "STOPPED", max: 100, pageSize: 100)
            guard !arns.isEmpty else { continue }
            calls.add((arns.count + ECSClient.maxTasksPerDescribe - 1) / ECSClient.maxTasksPerDescribe)
            for task in try reader.describeTasks(cluster: cluster, tasks: arns).tasks {
                if let at = task.stoppedAt, at < window.start || at > window.end { continue }
                // A task's group names its service ("service:api"); trust it over the list filter.
                if let group = task.group, group.hasPrefix("service:"), group.dropFirst(8) != service { continue }
                guard seen.insert(task.taskArn).inserted else { continue }
                stopped.append(
                    StoppedTask(
                        arn: task.taskArn, service: service, taskDefinition: task.taskDefinitionArn,
                        stopCode: task.stopCode,
                        stoppedReason: task.stoppedReason, stoppedAt: task.stoppedAt,
                        containers: (task.containers ?? []).map {
                            StoppedContainer(name: $0.name, exitCode: $0.exitCode, reason: $0.reason)
                        }))
            }
        }
        return stopped.sorted { ($0.stoppedAt ?? .distantPast) < ($1.stoppedAt ?? .distantPast) }
    }
}
