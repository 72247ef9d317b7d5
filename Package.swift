// swift-tools-version:6.2
import PackageDescription

// Our own targets build warning-free; a new warning fails the build (dependencies are exempt).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "triaged",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "triaged", targets: ["triaged"])
    ],
    dependencies: [
        // Command-line parsing for the executable only.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Logger API passed through every layer; the daemon bootstraps the JSON backend.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // YAML for the configuration file (with line numbers for errors).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "CCurlOpenSSL",
            linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("crypto")]
        ),
        .target(name: "AWSSigning", dependencies: ["CCurlOpenSSL"], swiftSettings: strict),
        .target(name: "LogPatterns", swiftSettings: strict),
        .target(
            name: "AWSCore",
            dependencies: ["AWSSigning", "CCurlOpenSSL", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "AWSServices",
            dependencies: ["AWSCore", .product(name: "Logging", package: "swift-log")],
            // The Bedrock model catalogue is data, compiled into the binary: the static release
            // binary and the .deb need no resource bundle next to them.
            resources: [.embedInCode("Bedrock/model-catalogue.json")],
            swiftSettings: strict
        ),
        .target(
            name: "Triage",
            dependencies: ["AWSCore", "AWSServices", "LogPatterns", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "TriageDaemon",
            dependencies: [
                "AWSCore", "AWSServices", "Triage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "triaged",
            dependencies: [
                "TriageDaemon", "Triage", "AWSCore", "AWSServices", "LogPatterns",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            // Release on Linux: link with the toolchain's lld and pack relative relocations. The static
            // binary's relocation table is most of its dirty data at start-up; packed (RELR) it is a few
            // kilobytes, which takes about 2 MB off the idle RSS (docs/benchmarks.md). Debug builds and
            // the test bundle keep the default linker.
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),
        // Benchmarks only (make bench): signs requests for the botocore comparison.
        .executableTarget(
            name: "triaged-bench", dependencies: ["AWSSigning"], path: "Sources/TriagedBench", swiftSettings: strict),
        // Fuzz targets (make fuzz builds them with -sanitize=fuzzer); a normal build replays files.
        .executableTarget(
            name: "triaged-fuzz",
            dependencies: ["AWSCore", "AWSServices", "LogPatterns", "Triage", "TriageDaemon"],
            path: "Sources/TriagedFuzz", swiftSettings: strict),
        .testTarget(name: "AWSSigningTests", dependencies: ["AWSSigning"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "AWSSigning"]),
        .testTarget(name: "TriageDaemonTests", dependencies: ["TriageDaemon", "Triage", "AWSServices"]),
        .testTarget(name: "LogPatternsTests", dependencies: ["LogPatterns"]),
        .testTarget(name: "AWSServicesTests", dependencies: ["AWSServices", "AWSCore"]),
        .testTarget(name: "TriageTests", dependencies: ["Triage", "AWSCore", "AWSServices"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AWSCore", "AWSServices", "AWSSigning", "Triage", "triaged",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
