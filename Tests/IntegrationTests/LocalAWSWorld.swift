import AWSCore
import Foundation

/// The local AWS world of `scripts/emulator/aws_world.py`, started for one test and stopped by PID.
final class LocalAWSWorld: @unchecked Sendable {
    struct Description: Decodable {
        let moto: String
        let standin: String
        let key_id: String
        let secret: String
        let role_arn: String
        let ecs_token: String
        let web_identity_token: String
        let bedrock: String
        let noxray_key_id: String
        let noxray_secret: String
        /// The second account (a workload account) and its read role, trusting this world's home
        /// account with the external id.
        let workload_account: String
        let workload_role_arn: String
        let workload_external_id: String
        let pid: Int32
    }

    let description: Description
    private let process: Process
    private let stdin: Pipe
    let logFile: URL

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The moto release the emulator's extensions are written against (scripts/install-deps.sh pins it).
    static let motoVersion = "5.2.1"

    /// Whether python3 with moto at the pinned version (and the server's flask) is available; the
    /// Makefile installs it. Another moto version is as good as none: its forgiveness differs.
    static let isAvailable: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [
            "python3", "-c",
            "import sys, moto, boto3, flask; sys.exit(0 if moto.__version__ == '\(motoVersion)' else 3)",
        ]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        } catch {
            return false
        }
    }()

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.repositoryRoot.appendingPathComponent("scripts/emulator/aws_world.py").path,
        ]
        let stdout = Pipe()
        stdin = Pipe()
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("aws-world-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardInput = stdin
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        // The first line is the world's description; read byte by byte up to the newline.
        var line = Data()
        let reader = stdout.fileHandleForReading
        while true {
            let byte = reader.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let parsed = try? JSONDecoder().decode(Description.self, from: line) else {
            process.terminate()
            process.waitUntilExit()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw WorldError(
                message: "aws_world.py did not start: \(String(decoding: line, as: UTF8.self)) \(log.suffix(2000))")
        }
        description = parsed
    }

    struct WorldError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Stops the world by its PID and waits for it; SIGKILL if it lingers.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logFile)
    }

    deinit { stop() }

    /// Request counters of the credential stand-in.
    func standinStats() throws -> [String: Int] {
        let response = try CurlTransport().send(HTTPRequest(method: "GET", url: description.standin + "/_stats"))
        return try JSONDecoder().decode([String: Int].self, from: Data(response.body))
    }

    /// Builds the scenario of `scripts/emulator/scenario.py` in this world and returns what it made.
    /// With `workload`, the workload lives in the second account (its alarm notifies the home queue).
    func buildScenario(_ name: String = "bad-deployment", workload: Bool = false) throws -> Scenario {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString).json")
        try JSONEncoder().encode(DescriptionFile(self.description)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", Self.repositoryRoot.appendingPathComponent("scripts/emulator/scenario.py").path, file.path,
                "--scenario", name,
            ] + (workload ? ["--workload"] : [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WorldError(message: "scenario.py failed (\(process.terminationStatus))")
        }
        return try JSONDecoder().decode(Scenario.self, from: data)
    }

    /// What scenario.py created.
    struct Scenario: Decodable {
        let region: String
        let cluster: String
        let services: [String]
        let load_balancer_arn: String
        let load_balancer: String
        let target_groups: [String: String]
        let log_groups: [String: String]
        let stopped_tasks: [String]
        let scenario: String
        let intake_queue: String
        let dead_letter_queue: String
        let alarm_topic: String
        let findings_topic: String
        let findings_queue: String
        let bucket: String
        let alarm: String
        let now: Double
        /// The account the workload was built in.
        let account: String
    }

    private struct DescriptionFile: Encodable {
        let moto: String, standin: String, bedrock: String, key_id: String, secret: String
        let workload_account: String, workload_role_arn: String, workload_external_id: String
        init(_ d: Description) {
            workload_account = d.workload_account
            workload_role_arn = d.workload_role_arn
            workload_external_id = d.workload_external_id
            moto = d.moto
            standin = d.standin
            bedrock = d.bedrock
            key_id = d.key_id
            secret = d.secret
        }
    }

    /// An AWS context pointing every service at this world (Bedrock at its stand-in) with the
    /// world's IAM user keys.
    func context(
        transport: any HTTPTransport = CurlTransport(), keyId: String? = nil, secret: String? = nil
    ) throws -> AWSContext {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("world-home-\(UUID().uuidString)")
        return try AWSContext.resolve(
            settings: AWSSettings(
                region: "us-east-1", endpointURL: description.moto,
                endpoints: ["bedrock-runtime": description.bedrock, "bedrock": description.bedrock],
                allowHTTP: true),
            environment: [
                "AWS_ACCESS_KEY_ID": keyId ?? description.key_id, "AWS_SECRET_ACCESS_KEY": secret ?? description.secret,
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": home.path,
            ],
            transport: transport)
    }

    /// Runs `body` with a fresh world and always stops it.
    static func with<T>(_ body: (LocalAWSWorld) throws -> T) throws -> T {
        let world = try LocalAWSWorld()
        defer { world.stop() }
        return try body(world)
    }
}
