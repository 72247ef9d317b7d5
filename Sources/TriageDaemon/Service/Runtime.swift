import AWSCore
import AWSServices
import Foundation
import Logging
import Triage

/// Everything one configuration builds: AWS context, clients, the intake sources, the investigator
/// and the deliverer. Rebuilt on SIGHUP; incidents in flight keep the runtime they started with.
public struct Runtime: Sendable {
    public let configuration: Configuration
    public let context: AWSContext
    public let cloudWatch: CloudWatchClient
    /// Where evidence (and a composite alarm's children) is read: the alarm's account and region.
    public let router: AccountRouter
    public let poller: AlarmPoller?
    public let consumer: QueueConsumer?
    public let investigator: Investigator
    public let deliverer: ReportDeliverer
    public let s3: S3Client

    /// `ledger` and the state directory outlive reloads.
    public static func make(
        configuration: Configuration, environment: [String: String], stateDirectory: URL, ledger: SpendLedger,
        transport: any HTTPTransport = CurlTransport(), clock: any WallClock = SystemWallClock(), logger: Logger
    ) throws -> Runtime {
        let context = try AWSContext.resolve(
            settings: configuration.aws, environment: environment, transport: transport, clock: clock, logger: logger)
        let cloudWatch = CloudWatchClient(client: try context.client(for: .cloudWatch))
        let intake = configuration.intake
        // Evidence is read where the alarm lives (its ARN's account and region); delivery stays home.
        let router = try AccountRouter(home: context, roles: configuration.accounts)
        var poller: AlarmPoller?
        if intake.pollInterval > 0 && !(intake.alarmNames.isEmpty && intake.alarmPrefixes.isEmpty) {
            let regions = intake.alarmRegions.isEmpty ? [context.region] : intake.alarmRegions
            var targets: [AlarmPoller.Target] = []
            let accounts = try configuration.accounts.map { ($0.accountId, try router.context(for: $0.accountId)) }
            for (account, accountContext) in [("home", context)] + accounts {
                for region in regions {
                    let client =
                        account == "home" && region == context.region
                        ? cloudWatch
                        : CloudWatchClient(client: try accountContext.client(for: .cloudWatch, region: region))
                    targets.append(
                        AlarmPoller.Target(label: "\(account)/\(region)", cloudWatch: client, logger: logger))
                }
            }
            // A transition older than a day is not a new incident, whatever the poller sees.
            poller = AlarmPoller(
                targets: targets, names: intake.alarmNames, prefixes: intake.alarmPrefixes, maxAge: 86_400,
                logger: logger)
        }
        var consumer: QueueConsumer?
        if let url = intake.queueURL {
            consumer = QueueConsumer(
                sqs: try context.sqsClient(forQueue: url, timeout: 40), queueURL: url,
                visibilityTimeout: Int(configuration.intake.visibilityTimeout),
                composites: Self.composites(router: router, home: cloudWatch, logger: logger), logger: logger)
        }
        let collector = EvidenceCollector(
            router: router, settings: configuration.collectSettings, clock: clock, logger: logger)
        var analyser: BedrockAnalyser?
        if configuration.analysis.bedrock.enabled {
            let settings = configuration.analysisSettings
            // A model the catalogue knows as retired is called anyway (Bedrock has the last word),
            // but said at start, not first at the next incident.
            for model in [settings.modelId] + (settings.fallbackModelId.map { [$0] } ?? []) {
                if let entry = settings.catalogue.model(model), entry.lifecycle.status != .active {
                    logger.warning(
                        "configured model is retired or retiring on Bedrock (model catalogue)",
                        metadata: [
                            "model.id": "\(model)", "model.lifecycle": "\(entry.lifecycle.status.rawValue)",
                            "model.eol": "\(entry.lifecycle.eol ?? "unknown")",
                            "model.replacement": "\(entry.replacement ?? AnalysisSettings().modelId)",
                        ])
                }
            }
            analyser = BedrockAnalyser(
                client: BedrockRuntimeClient(
                    client: try context.client(for: .bedrockRuntime, timeout: settings.timeout)),
                settings: settings, ledger: ledger, clock: clock, logger: logger)
        }
        let s3 = try context.s3Client()
        let deliverer = ReportDeliverer(
            s3: s3, sns: try context.snsClient(forTopic: configuration.report.sns.topicArn),
            settings: configuration.deliverySettings, outbox: ReportOutbox(stateDirectory: stateDirectory),
            clock: clock, logger: logger)
        let runbooks = RunbookReader(
            router: router, s3: s3, prefix: configuration.analysis.runbooksS3Prefix,
            redactor: configuration.analysis.redact ? Redactor() : nil, logger: logger)
        let investigator = Investigator(
            collector: collector, promptBudget: configuration.analysis.promptBudgetTokens, analyser: analyser,
            redact: configuration.analysis.redact, runbooks: runbooks, history: deliverer.history, clock: clock,
            logger: logger)
        return Runtime(
            configuration: configuration, context: context, cloudWatch: cloudWatch, router: router, poller: poller,
            consumer: consumer, investigator: investigator, deliverer: deliverer, s3: s3)
    }

    /// A resolver that reads a composite alarm's children in the composite's own account and region
    /// (the queue, `investigate` and `replay` see alarms of every account on one path).
    public func compositeResolver(logger: Logger) -> CompositeAlarmResolver {
        Self.composites(router: router, home: cloudWatch, logger: logger)
    }

    /// The router's CloudWatch client in the composite ARN's account and region (kept per account
    /// and region; throws for an account with no role), the home client for an ARN without them.
    static func composites(router: AccountRouter, home: CloudWatchClient, logger: Logger) -> CompositeAlarmResolver {
        CompositeAlarmResolver(logger: logger) { event in
            guard let (account, region) = AccountRole.accountAndRegion(ofArn: event.alarmArn),
                let client = try router.cloudWatch(account: account, region: region)
            else { return home }
            return client
        }
    }

    /// The claims this configuration asks for.
    public func claims(owner: String) -> any IncidentClaims {
        guard configuration.state.claims == .s3, let bucket = configuration.report.s3.bucket else {
            return LocalClaims()
        }
        return S3Claims(s3: s3, bucket: bucket, prefix: configuration.report.s3.prefix, owner: owner)
    }

    /// The alarm event that opened `incident`: saved with it, else read back from CloudWatch
    /// (state files written before events were saved).
    public func openingEvent(of incident: IncidentTracker.Incident) throws -> AlarmEvent {
        if let event = incident.event { return event }
        guard let first = incident.alarms.first,
            let alarm = try cloudWatch.describeAlarms(names: [first.name]).first
        else {
            throw AlarmMessageError("the alarm of incident \(incident.id) no longer exists")
        }
        var event = try AlarmMessageParser.event(from: alarm)
        event.stateChangeTime = first.stateChangeTime
        event.state = .alarm
        return event
    }
}
