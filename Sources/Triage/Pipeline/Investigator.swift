import AWSCore
import Foundation
import Logging

/// How long each stage of one investigation took, for logs and metrics.
public struct StageDurations: Sendable, Equatable {
    public var collect: TimeInterval = 0
    public var analyse: TimeInterval = 0
    public var total: TimeInterval = 0
}

/// One incident from alarm to report: collect the evidence, derive the findings, ask the model
/// within the budget (or say why not), and build the redacted report. Never throws: every failure
/// inside becomes a gap or a rules-only analysis, so an incident always gets its report.
public struct Investigator: Sendable {
    private let collector: EvidenceCollector
    private let promptBudget: Int
    private let analyser: BedrockAnalyser?
    private let builder: ReportBuilder
    private let runbooks: RunbookReader?
    private let history: IncidentHistory?
    private let clock: any WallClock
    private let logger: Logger

    /// `analyser` nil: model analysis is off (`analysis.bedrock.enabled: false`).
    public init(
        collector: EvidenceCollector, promptBudget: Int, analyser: BedrockAnalyser?, redact: Bool,
        runbooks: RunbookReader? = nil, history: IncidentHistory? = nil, clock: any WallClock, logger: Logger
    ) {
        self.runbooks = runbooks
        self.history = history
        self.collector = collector
        self.promptBudget = promptBudget
        self.analyser = analyser
        self.builder = ReportBuilder(redactor: redact ? Redactor() : nil)
        self.clock = clock
        self.logger = logger
    }

    public func investigate(_ incident: IncidentTracker.Incident, alarm: AlarmEvent) -> (Report, StageDurations) {
        var durations = StageDurations()
        let started = clock.now()
        let evidence = collector.collect(alarm: alarm)
        durations.collect = clock.now().timeIntervalSince(started)
        let findings = FindingsEngine.findings(evidence)
        let runbook = runbooks?.read(alarm: alarm)
        let analysisStarted = clock.now()
        let analysis: AnalysisResult
        if let analyser {
            // The prompt is always redacted: telemetry never reaches the model unredacted.
            let prompt = PromptBuilder(budgetTokens: promptBudget).build(
                alarm: alarm, findings: findings, evidence: evidence,
                context: promptContext(incident, alarm: alarm, findings: findings, runbook: runbook))
            analysis = analyser.analyse(prompt)
        } else {
            analysis = .rulesOnly("model analysis is disabled in the configuration", modelId: nil)
        }
        durations.analyse = clock.now().timeIntervalSince(analysisStarted)
        let report = builder.build(
            incident: incident, alarm: alarm, evidence: evidence, findings: findings, analysis: analysis,
            now: clock.now(), runbook: runbook)
        durations.total = clock.now().timeIntervalSince(started)
        logger.info(
            "incident investigated",
            metadata: [
                "incident.id": "\(incident.id)", "alarm.name": "\(alarm.alarmName)",
                "report.severity": "\(report.severity.rawValue)",
                "finding.category": "\(report.topFinding?.category.rawValue ?? "unknown")",
                "analysis.source": "\(analysis.source)", "evidence.gaps": "\(evidence.gaps.count)",
                "aws.calls": "\(evidence.apiCalls)", "duration_ms": "\(Int(durations.total * 1000))",
            ])
        return (report, durations)
    }

    /// The runbook text and the summaries of earlier incidents like this one (by the rules' top
    /// finding: the model's is not known yet), as prompt data sections.
    func promptContext(
        _ incident: IncidentTracker.Incident, alarm: AlarmEvent, findings: [Finding], runbook: Runbook?
    ) -> [(name: String, lines: [String])] {
        var sections: [(name: String, lines: [String])] = []
        if let text = runbook?.text {
            sections.append(("runbook", text.split(whereSeparator: \.isNewline).map(String.init)))
        }
        if let history {
            do {
                let earlier = try history.earlier(
                    alarmArn: alarm.alarmArn,
                    fingerprint: ReportBuilder.fingerprint(alarmArn: alarm.alarmArn, ruleFindings: findings),
                    incidentId: incident.id, openedAt: incident.openedAt)
                if !earlier.isEmpty {
                    sections.append(
                        (
                            "earlier_incidents",
                            earlier.prefix(IncidentHistory.maxPrevious).map {
                                "\(AWSTimestamp.format($0.openedAt)) \($0.category.rawValue): \($0.summary)"
                            }
                        ))
                }
            } catch {
                logger.warning(
                    "earlier incidents unreadable for the prompt",
                    metadata: ["incident.id": "\(incident.id)", "error": "\(error)"])
            }
        }
        return sections
    }
}
