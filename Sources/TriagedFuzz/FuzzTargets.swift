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
    case alarm, xml, json, config, logs

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
        }
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
