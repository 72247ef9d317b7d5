import Foundation

/// What a piece of telemetry text says happened, across runtimes and AWS services: the words that
/// the JVM, Node.js, Python, Go and .NET runtimes, their common database, cache, HTTP and gRPC
/// clients, the AWS SDKs and ECS itself write for each kind of failure. Matching is on whole
/// phrases or exception names, case-insensitive where the runtimes vary the case.
public enum SignalKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Rate limiting by an AWS API or an HTTP service (429).
    case throttling
    /// A process or container ran out of memory.
    case outOfMemory
    /// A task could not start: image pull, secrets, log driver, networking.
    case startFailure
    /// A process died: panic, fatal error, segmentation fault.
    case crash
    /// A downstream refused, reset, timed out or could not be resolved.
    case dependency
    /// No room to run: placement failures, exhausted worker pools, saturation.
    case saturation
    /// Health checks failing.
    case healthCheck
    /// An exception or error in application code.
    case applicationError
}

public enum SignalVocabulary {
    /// Phrases per kind, in the order kinds are tried: the more specific kinds first, so a
    /// `ProvisionedThroughputExceededException` is throttling and not a generic exception, and
    /// "connect timed out" inside a throttling message stays throttling.
    static let phrases: [(SignalKind, [String])] = [
        (
            .throttling,
            [
                "throttlingexception", "throttled", "throttling", "toomanyrequestsexception", "too many requests",
                "provisionedthroughputexceeded", "requestlimitexceeded", "requestthrottled", "slowdown",
                "slow down", "rate exceeded", "rate limit exceeded", "ratelimitexceeded", "rate limited",
                "limitexceededexception", "transactionconflict", "status code: 429", "status 429", "http 429",
                "code 429", "statuscode: 429", "429 too many", "bandwidthlimitexceeded", "ec2throttledexception",
                "requestthrottledexception", "priorrequestnotcomplete", "throughput exceeds the current capacity",
            ]
        ),
        (
            .outOfMemory,
            [
                "outofmemoryerror", "out of memory", "outofmemory", "oomkilled", "oom-kill", "oom killer",
                "memoryerror", "heap out of memory", "cannot allocate memory", "memory limit exceeded",
                "allocation failed - javascript heap", "system.outofmemoryexception", "container killed due to memory",
                "runtime: out of memory", "fatal error: out of memory", "gc overhead limit exceeded",
                "java heap space", "metaspace",
            ]
        ),
        (
            .startFailure,
            [
                "cannotpullcontainererror", "resourceinitializationerror", "cannotstartcontainererror",
                "cannotcreatecontainererror", "cannotinspectcontainererror", "unable to pull secrets",
                "unable to retrieve secret", "failed to fetch secret", "asm fetching secret", "ssm parameter",
                "pull access denied", "manifest unknown", "image not found", "error response from daemon",
                "taskfailedtostart", "exec format error", "executable file not found",
                "no such file or directory: '/app",
                "failed to start", "startup failed", "failed to initialize", "application run failed",
                "unable to start", "could not start",
            ]
        ),
        (
            .crash,
            [
                "panic:", "fatal error:", "segmentation fault", "sigsegv", "core dumped", "unhandledpromiserejection",
                "unhandled exception", "uncaught exception", "uncaughtexception", "exited with code",
                "process exited", "essential container in task exited", "terminating due to", "abort trap",
                "goroutine 1 [running]", "unhandled rejection",
            ]
        ),
        (
            .dependency,
            [
                "connection refused", "^econnrefused", "connectexception", " refused.", "was refused",
                "refused connection", "connection reset", "^econnreset",
                "reset by peer", "broken pipe", "^epipe", "socket hang up", "timed out", "timeout", "^etimedout",
                "deadline exceeded", "deadline_exceeded", "context deadline exceeded", "sockettimeoutexception",
                "readtimeout", "connecttimeout", "i/o timeout", "no route to host", "network is unreachable",
                "host unreachable", "^ehostunreach", "^enotfound", "getaddrinfo", "no such host",
                "name or service not known", "temporary failure in name resolution", "unknownhostexception",
                "name resolution", "could not connect", "can't connect", "cannot connect", "unable to connect",
                "failed to connect", "connection closed", "connection lost", "lost connection",
                "server closed the connection", "communications link failure", "too many connections",
                "remaining connection slots", "connection is not available", "sqltransientconnectionexception",
                "operationalerror", "connectionerror", "redis.exceptions", "jedisconnectionexception",
                "redisconnectionexception", "connection pool exhausted", "upstream connect error",
                "upstream request timeout", "bad gateway", "service unavailable", "code = unavailable",
                "status=unavailable", "statuscode.unavailable", "unavailable:", "no healthy upstream",
                "circuit breaker is open", "circuitbreakeropen", "^econnaborted", "connection aborted",
                "ssl handshake", "database is unavailable", "the database system is starting up",
                "the database system is shutting down", "loading redis is loading",
            ]
        ),
        (
            .saturation,
            [
                "unable to place a task", "no container instance met", "insufficient cpu", "insufficient memory",
                "rejectedexecutionexception", "thread pool exhausted", "queue is full", "queue full",
                "worker timeout", "too many open files", "resource:cpu", "resource:memory", "capacity is unavailable",
                "request queue", "backpressure", "event loop blocked", "event loop lag",
            ]
        ),
        (
            .healthCheck,
            [
                "health check", "healthcheck", "health checks failed", "failed elb health checks",
                "is unhealthy in target-group", "unhealthy",
            ]
        ),
        (
            .applicationError,
            [
                "exception", "error:", "traceback", "nullpointerexception", "nullreferenceexception",
                "illegalstateexception", "illegalargumentexception", "keyerror", "typeerror", "valueerror",
                "attributeerror", "referenceerror", "rangeerror", "syntaxerror", "indexerror", "zerodivisionerror",
                "nil pointer dereference", "index out of range", "invalid memory address", "invalidoperationexception",
                "argumentnullexception", "classcastexception", "numberformatexception", "assertionerror",
                "unhandled error", "internal server error", "status 500", "http 500",
            ]
        ),
    ]

    /// The kind of failure `text` describes, if any. A phrase written `^word` must start a word
    /// (errno names such as `ENOTFOUND` also end longer words: `ModuleNotFoundError`).
    public static func classify(_ text: String) -> SignalKind? {
        let lowered = text.lowercased()
        for (kind, words) in phrases where words.contains(where: { contains(lowered, $0) }) {
            return kind
        }
        return nil
    }

    static func contains(_ text: String, _ phrase: String) -> Bool {
        guard phrase.hasPrefix("^") else { return text.contains(phrase) }
        let word = phrase.dropFirst()
        var rest = text[...]
        while let range = rest.range(of: word) {
            if range.lowerBound == text.startIndex
                || !(text[text.index(before: range.lowerBound)].isLetter
                    || text[text.index(before: range.lowerBound)].isNumber)
            {
                return true
            }
            rest = rest[range.upperBound...]
        }
        return false
    }

    /// Whether `text` mentions a timeout (as opposed to a refusal or a reset): timeouts under
    /// saturated CPU are the service's own slowness, not its dependency's.
    public static func isTimeout(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return ["timed out", "timeout", "deadline exceeded", "deadline_exceeded"].contains { lowered.contains($0) }
            && !["refused", "reset", "unreachable", "not known", "no such host"].contains { lowered.contains($0) }
    }

    /// AWS services whose throttling or errors are named in SDK messages and X-Ray subsegments.
    static let awsServices = [
        "DynamoDB", "Kinesis", "SQS", "SNS", "S3", "Lambda", "SecretsManager", "Secrets Manager", "SSM", "STS",
        "KMS", "CloudWatch", "EventBridge", "StepFunctions", "Firehose", "Cognito", "SES", "API Gateway", "Bedrock",
    ]

    static let urlPattern = BuiltInExpression(#"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/'"<>),;]+"#)
    static let hostPortPattern = BuiltInExpression(#"\b[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)*:[0-9]{2,5}\b"#)
    static let hostPattern = BuiltInExpression(
        #"\b[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.(internal|local|svc|cluster\.local|amazonaws\.com|com|net|io)\b"#)

    /// What the text blames: an AWS service named in it, else a `host:port` or URL host, else nil.
    public static func resource(in text: String) -> String? {
        if let url = firstMatch(text, urlPattern) {
            let host = Topology.host(of: url)
            if !host.isEmpty { return host }
        }
        if let hostPort = firstMatch(text, hostPortPattern) {
            let host = String(hostPort.split(separator: ":").first ?? "")
            if !host.isEmpty,
                !["http", "https", "tcp", "port", "line", "at", "error", "exception"].contains(host.lowercased())
            {
                return host
            }
        }
        for service in awsServices where text.localizedCaseInsensitiveContains(service) {
            return service.replacingOccurrences(of: " ", with: "")
        }
        if let host = firstMatch(text, hostPattern) { return host }
        return nil
    }

    private static func firstMatch(_ text: String, _ pattern: BuiltInExpression) -> String? {
        guard let match = pattern.expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range, in: text)
        else { return nil }
        return String(text[range])
    }
}
