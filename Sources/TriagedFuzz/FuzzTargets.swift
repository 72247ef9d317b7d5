import AWSCore
import AWSServices
import Foundation
import LogPatterns
import Triage
import TriageDaemon

// The fuzz targets: untrusted input the daemon parses. Built two ways:
//  - with `-sanitize=fuzzer -DFUZZING` (make fuzz): libFuzzer drives `LLVMFuzzerTestOneInput`,
//    the target chosen by $TRIAGED_FUZZ_TARGET;
//  - normally: `triaged-fuzz TARGET FILE...` runs files through the same code (the seed corpus and
//    every crash found are replayed this way by the test suite).
// A target may reject its input with an error; it must never crash, hang or trap.

enum FuzzTarget: String, CaseIterable {
    case alarm, xml, json, config, logs, report

    func run(_ data: [UInt8]) {
        switch self {
        case .alarm:
            _ = try? AlarmMessageParser.parse(String(decoding: data, as: UTF8.self), messageId: "fuzz")
        case .xml:
            if let root = try? XMLDocumentParser.parse(data) {
                _ = root.descendant("Error")?.string("Code")
                _ = root.members.count
            }
            _ = AWSErrorDecoder.decode(
                HTTPResponse(status: 400, headers: ["Content-Type": "text/xml"], body: data),
                protocol: .query(apiVersion: "2010-08-01"))
            _ = AWSErrorDecoder.decode(HTTPResponse(status: 412, body: data), protocol: .restXML)
        case .json:
            _ = AWSErrorDecoder.decode(
                HTTPResponse(status: 400, headers: ["Content-Type": "application/x-amz-json-1.0"], body: data),
                protocol: .json(version: "1.0", targetPrefix: "AmazonSQS", queryCompatible: true))
            _ = AWSErrorDecoder.decode(
                HTTPResponse(status: 429, headers: ["X-Amzn-ErrorType": "ThrottlingException:http://x/"], body: data),
                protocol: .restJSON)
            _ = try? JSONDecoder().decode([ECSService].self, from: Data(data))
            _ = try? JSONDecoder().decode([ECSTask].self, from: Data(data))
            _ = BedrockAnalyser.parseAnswerForFuzzing(String(decoding: data, as: UTF8.self))
        case .config:
            _ = try? ConfigurationLoader.parse(String(decoding: data, as: UTF8.self), file: "fuzz.yaml")
        case .logs:
            var condenser = LogCondenser()
            var start = 0
            for index in data.indices where data[index] == 0x0A {
                _ = condenser.add(data[start..<index])
                start = index + 1
            }
            if start < data.count { _ = condenser.add(data[start...]) }
            _ = condenser.patterns(top: 10)
        case .report:
            ReportPathFuzz.run(data)
        }
    }
}

/// Untrusted metric values through the whole report path: the input, read as little-endian
/// Doubles (NaN, infinities and huge values included), fills three series, their peaks and the
/// alarm threshold; then findings, the report, its JSON, Markdown, HTML (SVG charts) and both
/// notification formats. The report JSON must be valid JSON.
enum ReportPathFuzz {
    static let alarmTime = Date(timeIntervalSince1970: 1_764_065_040)

    /// A series and an incident as their JSON (the types have no public memberwise initialisers).
    static func series(_ id: String, _ name: String, count: Int) -> MetricSeries {
        let start = alarmTime.timeIntervalSinceReferenceDate - Double(count - 5) * 60
        let times = (0..<count).map { String(start + Double($0) * 60) }.joined(separator: ",")
        let json = """
            {"id":"\(id)","namespace":"AWS/ApplicationELB","name":"\(name)","stat":"Sum",\
            "dimensions":{"LoadBalancer":"app/fuzz/1"},"period":60,"timestamps":[\(times)],\
            "values":[\(Array(repeating: "0", count: count).joined(separator: ","))],\
            "summary":{"baseline":0,"peak":0,"peakAt":\(alarmTime.timeIntervalSinceReferenceDate),"last":0}}
            """
        return decode(MetricSeries.self, json)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            fatalError("the report fuzz target's \(type) template does not decode: \(error)")
        }
    }

    static let incident: IncidentTracker.Incident = {
        let at = alarmTime.timeIntervalSinceReferenceDate
        let json = """
            {"id":"fuzz","openedAt":\(at),"alarms":[{"name":"fuzz-alb-5xx","arn":"arn:aws:cloudwatch:us-east-1:\
            123456789012:alarm:fuzz-alb-5xx","stateChangeTime":\(at),"reason":"fuzz"}],\
            "correlationKeys":["lb:app/fuzz/1"],"phase":"investigating","updatedAt":\(at)}
            """
        return decode(IncidentTracker.Incident.self, json)
    }()

    static let analysis = decode(
        AnalysisResult.self,
        #"{"source":"rules","findings":[],"modelFindings":[],"actions":[],"truncated":false,"attempts":0,"notes":[],"unavailableReason":"fuzz","usage":{"inputTokens":0,"outputTokens":0,"cacheReadTokens":0,"cacheWriteTokens":0,"estimatedCostUSD":0,"costKnown":true}}"#
    )

    static func run(_ data: [UInt8]) {
        var values: [Double] = stride(from: 0, to: data.count - 7, by: 8).map { offset in
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(data[offset + index]) << (8 * UInt64(index)) }
            return Double(bitPattern: bits)
        }
        guard !values.isEmpty else { return }  // fewer than 8 bytes: no value to try
        // Three series of 30 points from the input, repeated to length, then peaks and threshold.
        while values.count < 94 { values += values }
        var evidence = Evidence(
            window: TimeWindow(
                start: alarmTime.addingTimeInterval(-1800), end: alarmTime.addingTimeInterval(300),
                alarmTime: alarmTime),
            topology: Topology())
        evidence.topology.loadBalancer = "app/fuzz/1"
        let names = ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"]
        for (index, name) in names.enumerated() {
            var series = series("s\(index)", name, count: 30)
            series.values = Array(values[(index * 30)..<(index * 30 + 30)])
            series.summary?.peak = values[90 + index]
            evidence.metrics.append(series)
        }
        let alarm = AlarmEvent(
            alarmName: "fuzz-alb-5xx", alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fuzz-alb-5xx",
            state: .alarm, previousState: .ok, stateChangeTime: alarmTime, reason: "threshold \(values[93])",
            region: "us-east-1", accountId: "123456789012", metric: nil, alarmRule: nil, triggeringChildren: [],
            source: .snsNotification, messageId: nil)
        let report = ReportBuilder().build(
            incident: incident, alarm: alarm, evidence: evidence, findings: FindingsEngine.findings(evidence),
            analysis: analysis, now: alarmTime.addingTimeInterval(400))
        guard let json = try? report.json() else { fatalError("the report did not encode") }
        guard (try? JSONSerialization.jsonObject(with: Data(json))) != nil else {
            fatalError("report.json is not JSON")
        }
        _ = MarkdownRenderer.render(report)
        _ = HTMLRenderer.render(report)
        for format in IncidentNotification.Format.allCases { _ = IncidentNotification(report: report, format: format) }
    }
}

#if FUZZING
    let selectedTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["TRIAGED_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data(
                    "set TRIAGED_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n"
                        .utf8))
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        selectedTarget.run(bytes)
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// SwiftPM gives executables their own entry point; it hands over to libFuzzer's driver.
    @main
    enum FuzzMain {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runDriver(&argc, &argv, fuzzOne))
        }
    }
#else
    /// Replays files through a target: `triaged-fuzz TARGET FILE_OR_DIRECTORY...`.
    @main
    enum FuzzReplay {
        static func main() {
            let arguments = CommandLine.arguments
            guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
                FileHandle.standardError.write(
                    Data(
                        "usage: triaged-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n"
                            .utf8))
                exit(2)
            }
            var count = 0
            for path in arguments.dropFirst(2) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                let files =
                    isDirectory.boolValue
                    ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map {
                        "\(path)/\($0)"
                    }
                    : [path]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    target.run(Array(data))
                    count += 1
                }
            }
            print("triaged-fuzz \(target.rawValue): \(count) inputs, no crash")
        }
    }
#endif
