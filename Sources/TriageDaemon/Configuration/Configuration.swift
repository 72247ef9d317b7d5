import AWSCore
import Foundation
import Triage

/// triaged's configuration (`config/triaged.example.yaml` documents every key): one typed tree, decoded and validated once at
/// start-up, then passed down. Defaults are those documented in `config/triaged.example.yaml`.
public struct Configuration: Sendable, Equatable {
    public var aws = AWSSettings()
    /// `aws.accounts`: workload accounts whose alarms triaged investigates through a role.
    public var accounts: [AccountRole] = []
    public var intake = Intake()
    public var collect = Collect()
    public var analysis = Analysis()
    public var report = Report()
    public var state = State()
    /// Incidents investigated at once.
    public var workers = 4
    /// After SIGTERM, incidents in flight get this long to finish before they are handed back
    /// (systemd's TimeoutStopSec must be longer).
    public var drainTimeout: TimeInterval = 60
    public var log = Log()

    public init() {}

    public struct Intake: Sendable, Equatable {
        /// Exact alarm names to watch.
        public var alarmNames: [String] = []
        /// Alarm name prefixes to watch.
        public var alarmPrefixes: [String] = []
        /// `intake.alarms.regions`: regions polled with DescribeAlarms, in the home account and every
        /// account of `aws.accounts`; empty means the home region.
        public var alarmRegions: [String] = []
        /// DescribeAlarms interval; zero turns polling off.
        public var pollInterval: TimeInterval = 60
        /// SQS queue subscribed to the alarm topic; `nil` turns the queue off.
        public var queueURL: String?
        /// Alarms on the same load balancer or cluster within this window join one incident.
        public var correlationWindow: TimeInterval = 300
        /// How long a received queue message stays hidden while its incident is worked on (kept
        /// hidden by a heartbeat); after a crash the message returns after at most this long.
        public var visibilityTimeout: TimeInterval = 300
    }

    public struct Collect: Sendable, Equatable {
        public var windowBefore: TimeInterval = 1800
        public var windowAfter: TimeInterval = 300
        /// e.g. `app/prodapp-alb/50abc123def`; else from the alarm's dimensions.
        public var loadBalancer: String?
        public var ecs = ECS()
        public var logs = Logs()
        public var traces = Traces()

        public struct ECS: Sendable, Equatable {
            public var cluster: String?
            /// Empty: every service behind the load balancer's target groups, else all in the cluster.
            public var services: [String] = []
        }

        public struct Logs: Sendable, Equatable {
            /// Empty: from the task definitions' awslogs options.
            public var groups: [String] = []
            public var filterPattern = "?ERROR ?Error ?error ?Exception ?exception ?FATAL ?Timeout ?timeout"
            public var maxEvents = 20_000
        }

        public struct Traces: Sendable, Equatable {
            public var enabled = true
            public var maxTraces = 25
        }
    }

    public struct Analysis: Sendable, Equatable {
        /// Hard ceiling for the model input.
        public var promptBudgetTokens = 12_000
        public var redact = true
        public var bedrock = Bedrock()
        /// `s3://bucket/prefix/`: the runbook of alarm X is the object `<prefix>X.md` (nil: none).
        public var runbooksS3Prefix: String?

        public struct Bedrock: Sendable, Equatable {
            public enum API: String, Sendable, CaseIterable { case converse, invoke }
            /// The analyser's own defaults are the configuration's.
            private static let defaults = AnalysisSettings()
            public var enabled = defaults.enabled
            /// Model id or inference profile id.
            public var modelId = defaults.modelId
            /// Tried once when the primary is throttled, unavailable or retired.
            public var fallbackModelId: String? = defaults.fallbackModelId
            public var api = API(rawValue: defaults.api.rawValue) ?? .converse
            public var maxOutputTokens = defaults.maxOutputTokens
            public var temperature = defaults.temperature
            public var timeout: TimeInterval = defaults.timeout
            /// No model call once the day's estimated spend would pass this.
            public var dailyBudgetUSD = defaults.dailyBudgetUSD
            /// USD per 1,000 tokens by model-id substring; consulted before the model catalogue.
            public var prices: [String: Price] = [:]

            public struct Price: Sendable, Equatable {
                public var inputPer1K: Double
                public var outputPer1K: Double
                /// Prompt-cache reads and writes; input price when absent.
                public var cacheReadPer1K: Double? = nil
                public var cacheWritePer1K: Double? = nil
            }
        }
    }

    public struct Report: Sendable, Equatable {
        public var s3 = S3()
        public var sns = SNS()
        /// Also write every report here.
        public var localDir: String?

        public struct S3: Sendable, Equatable {
            public var bucket: String?
            public var prefix = "incidents/"
            /// Lifetime of the link in the notification; at most 7 days.
            public var presignExpiry: TimeInterval = 86_400
            /// Server-side encryption of the report objects.
            public var encryption = Encryption.aes256
            /// With `aws:kms`: the key (id, ARN or alias); null uses the account's `aws/s3` key.
            public var kmsKeyId: String?

            public enum Encryption: String, Sendable, CaseIterable {
                case aes256 = "AES256"
                case kms = "aws:kms"
            }
        }

        public struct SNS: Sendable, Equatable {
            public enum Format: String, Sendable, CaseIterable { case text, chatbot }
            public var topicArn: String?
            public var format = Format.text
        }
    }

    public struct State: Sendable, Equatable {
        public enum Claims: String, Sendable, CaseIterable { case local, s3 }
        /// Else `$STATE_DIRECTORY` (systemd), else `./state`.
        public var dir: String?
        public var claims = Claims.local
    }

    public struct Log: Sendable, Equatable {
        public enum Level: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error }
        public enum Format: String, Sendable, CaseIterable { case json, text }
        public var level = Level.info
        public var format = Format.json
    }
}
