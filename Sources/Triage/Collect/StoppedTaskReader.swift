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

/// The last lines a failing task logged before it stopped, from its awslogs stream
/// (`<prefix>/<container>/<task id>`): an exit code means more next to them.
struct TaskLogReader {
    let reader: any LogsReader
    let calls: CallCounter

    /// Failing tasks read per service (the first few say what the rest say).
    static let tasksPerService = 3
    /// Lines kept per task, and the length each is cut to.
    static let lines = 8
    static let lineLength = 300
    /// How far back before the stop to look.
    static let lookBack: TimeInterval = 10 * 60

    func addLastLines(_ tasks: inout [StoppedTask], definitions: [TaskDefinitionSummary], window: TimeWindow) {
        var perService: [String: Int] = [:]
        for index in tasks.indices {
            let task = tasks[index]
            guard Self.failing(task), let service = task.service,
                perService[service, default: 0] < Self.tasksPerService,
                let definition = definitions.first(where: { $0.arn == task.taskDefinition }),
                let container = definition.containers.first(where: { $0.essential != false && $0.logGroup != nil }),
                let group = container.logGroup, let prefix = container.logStreamPrefix, let name = container.name,
                let taskId = task.arn.split(separator: "/").last
            else { continue }
            perService[service, default: 0] += 1
            let stopped = task.stoppedAt ?? window.end
            calls.add()
            guard
                let events = try? reader.lastEvents(
                    group: group, streams: ["\(prefix)/\(name)/\(taskId)"],
                    start: max(window.start, stopped.addingTimeInterval(-Self.lookBack)),
                    end: stopped.addingTimeInterval(60), count: Self.lines, maxEvents: 1000)
            else { continue }
            let lines = events.map {
                String($0.message.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.lineLength))
            }
            .filter { !$0.isEmpty }
            if !lines.isEmpty { tasks[index].lastLines = lines }
        }
    }

    /// A task that stopped on its own: a non-zero exit or a failure to start.
    static func failing(_ task: StoppedTask) -> Bool {
        task.stopCode == "TaskFailedToStart" || task.containers.contains { ($0.exitCode ?? 0) != 0 }
            || task.stopCode == "EssentialContainerExited"
    }
}
