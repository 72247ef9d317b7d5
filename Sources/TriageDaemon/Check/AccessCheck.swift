import AWSCore
import AWSServices
import Foundation
import Logging

/// The checks behind `triaged check`: each one line, like `nginx -t`, so a broken setup fails at
/// install time rather than at 3 a.m.
public struct AccessCheck {
    /// One check's outcome.
    public struct Result: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String

        /// `[ ok ] name  detail` or `[FAIL] name  detail`.
        public var line: String {
            let padded = name.padding(toLength: 13, withPad: " ", startingAt: 0)
            return (passed ? "[ ok ] " : "[FAIL] ") + padded + " " + detail
        }
    }

    private let configuration: Configuration
    private let configurationPath: String
    private let environment: [String: String]
    private let transport: any HTTPTransport
    private let logger: Logger

    public init(
        configuration: Configuration, configurationPath: String, environment: [String: String],
        transport: any HTTPTransport = CurlTransport(), logger: Logger
    ) {
        self.configuration = configuration
        self.configurationPath = configurationPath
        self.environment = environment
        self.transport = transport
        self.logger = logger
    }

    /// Runs every check in order, handing each result to `report` as it completes; later checks
    /// that depend on a failed one are not run.
    public func run(report: (Result) -> Void) -> [Result] {
        var results: [Result] = []
        func record(_ result: Result) {
            results.append(result)
            report(result)
        }
        record(Result(name: "configuration", passed: true, detail: configurationPath))

        let context: AWSContext
        do {
            context = try AWSContext.resolve(
                settings: configuration.aws, environment: environment, transport: transport, logger: logger)
        } catch {
            record(Result(name: "aws settings", passed: false, detail: "\(error)"))
            return results
        }
        record(Result(name: "region", passed: true, detail: "\(context.region) (from \(context.regionSource))"))

        // One line per distinct endpoint, naming the services that use it.
        var endpointsOK = true
        var groups: [(endpoint: String, source: String, services: [String])] = []
        for service in AWSService.all {
            do {
                let resolution = try context.endpoints.resolve(service)
                let endpoint = "\(resolution.endpoint)"
                let source = resolution.source == "regional default" ? "regional defaults" : resolution.source
                let key =
                    source == "regional defaults" ? "https://<service>.\(context.region).amazonaws.com/" : endpoint
                if let index = groups.firstIndex(where: { $0.endpoint == key && $0.source == source }) {
                    groups[index].services.append(service.id)
                } else {
                    groups.append((key, source, [service.id]))
                }
            } catch {
                endpointsOK = false
                record(Result(name: "endpoint", passed: false, detail: "\(service.id): \(error)"))
            }
        }
        for group in groups {
            let services =
                group.services.count == AWSService.all.count ? "all services" : group.services.joined(separator: ", ")
            record(
                Result(name: "endpoint", passed: true, detail: "\(group.endpoint) for \(services) (\(group.source))"))
        }
        guard endpointsOK else { return results }

        do {
            let credentials = try context.credentials.credentials(forceRefresh: false)
            var detail = "\(context.credentials.name) (access key \(Self.mask(credentials.accessKeyId))"
            if let expiration = credentials.expiration {
                detail += ", expires \(AWSTimestamp.format(expiration))"
            }
            record(Result(name: "credentials", passed: true, detail: detail + ")"))
        } catch {
            record(Result(name: "credentials", passed: false, detail: "\(error)"))
            return results
        }

        do {
            let sts = STSClient(client: try context.client(for: .sts, timeout: 10))
            let identity = try sts.getCallerIdentity()
            record(Result(name: "identity", passed: true, detail: "\(identity.arn) (account \(identity.account))"))
        } catch {
            record(Result(name: "identity", passed: false, detail: "sts:GetCallerIdentity failed: \(error)"))
        }
        return results
    }

    /// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: enough to tell keys apart, not enough to use one.
    static func mask(_ keyId: String) -> String {
        guard keyId.count > 8 else { return "****" }
        return String(keyId.prefix(4)) + "…" + String(keyId.suffix(4))
    }
}
