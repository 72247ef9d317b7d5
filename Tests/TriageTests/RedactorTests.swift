import Testing

@testable import Triage

/// Realistic secrets must go; look-alikes that are evidence (hashes, UUIDs, ARNs, ids) must stay.
@Suite("redaction")
struct RedactorTests {
    let redactor = Redactor()

    /// (text, the secret that must disappear, the placeholder kind expected)
    static let positives: [(String, String, String)] = [
        // AWS keys and tokens
        ("using key AKIAIOSFODNN7EXAMPLE for s3", "AKIAIOSFODNN7EXAMPLE", "aws-access-key"),
        ("AccessKeyId=ASIAY34FZKBOKMUTVV7A expired", "ASIAY34FZKBOKMUTVV7A", "aws-access-key"),
        ("\"AccessKeyId\": \"AKIA2OGYBAH6ZXQ3KB5D\"", "AKIA2OGYBAH6ZXQ3KB5D", "aws-access-key"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key"
        ),
        (
            "AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "aws-secret-key"
        ),
        (
            "\"SecretAccessKey\": \"Pk4rY9s8XG8vQ+2dM1kLp0ZbWq7Tn3RfVh6Ue5Cj\"",
            "Pk4rY9s8XG8vQ+2dM1kLp0ZbWq7Tn3RfVh6Ue5Cj", "aws-secret-key"
        ),
        (
            "token IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6 used",
            "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6", "aws-session-token"
        ),
        (
            "FwoGZXIvYXdzEBYaDHh3c2VjcmV0dG9rZW5hYmNkZWZnaGlqa2xtbm9w old token",
            "FwoGZXIvYXdzEBYaDHh3c2VjcmV0dG9rZW5hYmNkZWZnaGlqa2xtbm9w", "aws-session-token"
        ),
        (
            "X-Amz-Security-Token: AgoJb3JpZ2luX2VjECcaCXVzLWVhc3QtMSJIMEYCIQCxyz1234567890abcdefghij",
            "AgoJb3JpZ2luX2VjECcaCXVzLWVhc3QtMSJIMEYCIQCxyz1234567890abcdefghij", "aws-session-token"
        ),
        (
            "aws_session_token=AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8",
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8",
            "aws-session-token"
        ),
        // Bearer tokens and JWTs
        ("Authorization: Bearer 9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c", "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c", "bearer-token"),
        ("authorization: bearer abcDEF123456ghiJKL789", "abcDEF123456ghiJKL789", "bearer-token"),
        (
            "header Authorization=Bearer ya29.a0AfH6SMBx3-kY_example_token_value",
            "ya29.a0AfH6SMBx3-kY_example_token_value", "bearer-token"
        ),
        (
            "jwt=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ", "jwt"
        ),
        (
            "id_token eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ.c2lnbmF0dXJlLXBhcnQtaGVyZQ in header",
            "eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ", "jwt"
        ),
        (
            "refresh failed for eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.abcdefghijklmnop_qrstuv",
            "eyJleHAiOjE3MDAwMDAwMDB9", "jwt"
        ),
        // Passwords in URLs
        ("connecting to postgres://orders:S3cr3tPa55@db.internal:5432/orders", "S3cr3tPa55", "password"),
        ("redis://default:hunter2hunter2@cache.internal:6379/0", "hunter2hunter2", "password"),
        ("amqp://guest:guestpass@mq:5672/", "guestpass", "password"),
        ("mongodb+srv://app:p%40ssw0rd@cluster0.mongodb.net/test", "p%40ssw0rd", "password"),
        ("https://admin:letmein2024@grafana.example.com/api", "letmein2024", "password"),
        ("mysql://root:rootroot@10.0.0.5/app failed", "rootroot", "password"),
        // key=value and JSON/YAML forms
        ("password=hunter2 user=alice", "hunter2", "secret"),
        ("db.password: Tr0ub4dor&3", "Tr0ub4dor&3", "secret"),
        ("{\"password\": \"correct horse battery staple\"}", "correct horse battery staple", "secret"),
        ("PASSWORD='p@ss w0rd'", "p@ss w0rd", "secret"),
        ("secret=abcd1234efgh", "abcd1234efgh", "secret"),
        ("client_secret=0a1b2c3d4e5f6a7b8c9d", "0a1b2c3d4e5f6a7b8c9d", "secret"),
        ("token=tok_12345abcde&next=1", "tok_12345abcde", "secret"),
        ("access_token: gho_short", "gho_short", "secret"),
        ("api_key=5f4dcc3b5aa765d61d8327deb882cf99", "5f4dcc3b5aa765d61d8327deb882cf99", "secret"),
        ("\"apiKey\": \"live-42-xyz\"", "live-42-xyz", "secret"),
        ("refresh_token=rt.9f8e7d6c5b4a", "rt.9f8e7d6c5b4a", "secret"),
        ("pwd=qwerty123;host=db", "qwerty123", "secret"),
        ("auth_token=ABCDEF0123456789 retrying", "ABCDEF0123456789", "secret"),
        ("private_key=MIIEvQIBADANBgkqhkiG9w0B", "MIIEvQIBADANBgkqhkiG9w0B", "secret"),
        ("passwd=changeme", "changeme", "secret"),
        ("{'token': 'abc.def.ghi'}", "abc.def.ghi", "secret"),
        // PEM private keys
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4UbaDzY\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEAx4UbaDzY", "private-key"
        ),
        (
            "key: -----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY----- loaded",
            "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC", "private-key"
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", "private-key"
        ),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5",
            "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5", "private-key"
        ),
        // Provider API keys
        (
            "GITHUB_TOKEN ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8", "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8",
            "github-token"
        ),
        (
            "using github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github-token"
        ),
        ("ghs_abcdefghijklmnopqrstuvwxyz0123456789AB", "ghs_abcdefghijklmnopqrstuvwxyz0123456789AB", "github-token"),
        (
            "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token"
        ),
        ("xoxp-1111111111-2222222222-3333333333-abcdef", "xoxp-1111111111-2222222222-3333333333-abcdef", "slack-token"),
        (
            "webhook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook"
        ),
        ("charge with sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key"),
        ("rk_test_51H8xyzABCDEFGHIJKLMNOP failed", "rk_test_51H8xyzABCDEFGHIJKLMNOP", "stripe-key"),
        (
            "maps key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
            "google-api-key"
        ),
        (
            "OPENAI_API_KEY sk-proj-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "api-key"
        ),
        (
            "anthropic sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123456789",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123456789", "api-key"
        ),
        ("key sk-1234567890abcdefghijklmnopqrstuv", "sk-1234567890abcdefghijklmnopqrstuv", "api-key"),
        // E-mail addresses
        ("login failed for alice.smith@example.com", "alice.smith@example.com", "email"),
        ("notify ops+oncall@corp.example.co.uk now", "ops+oncall@corp.example.co.uk", "email"),
        ("user=Bob_99@mail.internal.net", "Bob_99@mail.internal.net", "email"),
        ("<j.doe@sub.domain.org>", "j.doe@sub.domain.org", "email"),
        // Card numbers
        ("charge card 4111 1111 1111 1111 declined", "4111 1111 1111 1111", "card-number"),
        ("pan=5555555555554444", "5555555555554444", "card-number"),
        ("amex 3782-822463-10005 expired", "3782-822463-10005", "card-number"),
        ("card 6011111111111117 ok", "6011111111111117", "card-number"),
        ("visa 4012888888881881", "4012888888881881", "card-number"),
        ("payment failed for card 4111111111111111", "4111111111111111", "card-number"),
        ("card_number=4111-1111-1111-1111 rejected", "4111-1111-1111-1111", "card-number"),
        ("cc: 5555 5555 5555 4444", "5555 5555 5555 4444", "card-number"),
        ("card:4012888888881881", "4012888888881881", "card-number"),
        ("PAN 378282246310005 on file", "378282246310005", "card-number"),
        ("customer entered 4111 1111 1111 1111 at checkout", "4111 1111 1111 1111", "card-number"),
        ("{\"cardNumber\": \"5105105105105100\"}", "5105105105105100", "card-number"),
        ("card number 4111111111111111110 (19 digits)", "4111111111111111110", "card-number"),
        ("declined 5105105105105100.", "5105105105105100", "card-number"),
    ]

    static let negatives: [String] = [
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
        "md5 d41d8cd98f00b204e9800998ecf8427e",
        "request 3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b failed",
        "arn:aws:iam::123456789012:role/triaged-role",
        "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/6c45201e7a80d840",
        "trace 1-5f84c7a1-0123456789abcdef01234567",
        "timestamp 1736942400123 ms",
        "epoch 1700000000.123",
        "account 123456789012 region us-east-1",
        "max_tokens=1500 input_tokens=412",
        "the token bucket has 500 tokens",
        "password reset email sent",
        "secret rotation scheduled",
        "tokens: 42",
        "container exited with code 137",
        "GET /api/orders?page=2 HTTP/1.1 200",
        "connection refused to orders-db.internal:5432",
        "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v2",
        "AIDAJQABLZS4A3QDU576Q is a user id",
        "order number 4111111111111112 not luhn",
        "phone +1 415 555 0100",
        "version 2024.11.25.1",
        "ip 10.0.1.23:8080 and [2001:db8::1]:443",
        "user@host without a domain",
        "task-definition/prodapp-api:42",
        "x-amzn-RequestId: 8d1e2f3a-0000-4000-8000-000000000001",
        "docker digest sha256:4bcbfea8e2e9a0b1c3d5f7e9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9",
        "Bearer token missing",
        "-----BEGIN CERTIFICATE----- MIIB public cert",
        // Numeric ids that happen to be Luhn-valid with a card prefix
        "deployment ecs-svc/4792038861937284502 is PRIMARY",
        "{\"id\": \"ecs-svc/4792038861937284502\", \"status\": \"ACTIVE\"}",
        "deploymentId=4792038861937284502",
        "snowflake 4792038861937284502 created",
        "arn:aws:ecs:us-east-1:123456789012:task/prod/4111111111111111",
        "request_id: 4111111111111111",
        "trace_id=4012888888881881 span_id=5555555555554444",
        "order-4111111111111111-retry",
        "job_4111111111111111 finished",
        "uuid 42345678-1234-4234-8234-123456789012",
        "ts=4111111111111111 seq:5105105105105100",
        "x-amzn-trace-id: Root=1-67891233-4111111111111111abcdef01",
    ]

    @Test("every positive is redacted with its placeholder", arguments: positives)
    func positive(_ text: String, _ secret: String, _ kind: String) {
        let (redacted, counts) = redactor.redactCounting(text)
        #expect(!redacted.contains(secret), "\(redacted)")
        #expect(redacted.contains("<redacted:\(kind)>"), "\(redacted)")
        #expect(counts[kind, default: 0] >= 1)
    }

    @Test(
        "the literal pre-filter skips nothing it should not: every positive inside a non-ASCII line",
        arguments: positives)
    func prefilterUnicode(_ text: String, _ secret: String, _ kind: String) {
        // Non-ASCII text runs every expression.
        let result = redactor.redactCounting("Überprüfung fehlgeschlagen — \(text) — ende")
        #expect(!result.text.contains(secret), "\(result.text)")
        #expect(result.counts[kind, default: 0] >= 1)
    }

    @Test("the pre-filter's triggers ignore case as the expressions do")
    func prefilterCase() {
        #expect(redactor.redact("PASSWORD=hunter2 USER=alice") == "PASSWORD=<redacted:secret> USER=alice")
        #expect(
            redactor.redact("Authorization: BEARER abcdefghijklmnop123")
                == "Authorization: BEARER <redacted:bearer-token>")
        #expect(
            redactor.redact("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
                == "AWS_SECRET_ACCESS_KEY=<redacted:aws-secret-key>")
        #expect(
            redactor.redact("POSTGRES://ORDERS:S3CR3T@DB:5432/X") == "POSTGRES://ORDERS:<redacted:password>@DB:5432/X")
    }

    @Test("the pre-filter never changes a result: filtered and unfiltered redaction agree")
    func prefilterIsExact() {
        // Texts near every filter's edge: cards with one and two separators, 12 and 13 digits in a
        // run, URLs with and without credentials, e-mail without a dot, mixed case, non-ASCII.
        var texts = Self.positives.map(\.0) + Self.negatives
        texts += [
            "4111 1111 1111 1111", "4111-1111-1111-1111", "4111  1111 1111 1111", "4111 -1111-1111-1111",
            "card 4111111111111", "card 411111111111", "id 1234567890123", "queue http://127.0.0.1:5000/123456789012/q",
            "postgres://orders:s3cr3t@db:5432/x", "postgres://orders@db", "mail root@localhost", "mail a.b@example.com",
            "MAIL A.B@EXAMPLE.COM", "пароль password=hunter2", "４１１１ 1111 1111 1111 card", "Bearer abcdefghijklmnop123",
        ]
        // Random texts drawn from the alphabet the filters look at, seeded so a failure reproduces.
        var generator = SeededGenerator(state: 0x5EED)
        let alphabet = Array("0123456789 -:/@.=_aAkKiIsSpP")
        for _ in 0..<400 {
            let length = Int.random(in: 10...40, using: &generator)
            texts.append(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for text in texts {
            #expect(
                redactor.redactCounting(text).text == redactor.redactCounting(text, rules: Redactor.rules).text,
                "pre-filter changed the result for \(text)")
        }
    }

    @Test("routine daemon log lines run no expression at all")
    func routineLinesRunNothing() {
        let lines = [
            "2026-12-03T12:11:08.123Z info ready queue_url=http://127.0.0.1:5000/123456789012/triaged-intake",
            "polling alarms region=us-east-1 names=3 prefixes=1 next_poll_in=60s",
            "received 0 messages from https://sqs.eu-west-1.amazonaws.com/123456789012/triaged-intake",
            "state dir /var/lib/triaged holds 2 incidents, outbox 0 pending",
        ]
        for line in lines {
            #expect(Redactor.candidateRules(for: line).map(\.kind) == [], "\(line)")
        }
        #expect(Redactor.longestDigitRun(Array("4111 1111-1111 1111".utf8)) == 16)
        #expect(Redactor.longestDigitRun(Array("4111  1111".utf8)) == 4)
        #expect(Redactor.longestDigitRun(Array("12:34 -5".utf8)) == 2)
    }

    @Test("every negative survives unchanged", arguments: negatives)
    func negative(_ text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test("the suites are as large as promised")
    func sizes() {
        #expect(Self.positives.count >= 60)
        #expect(Self.negatives.count >= 30)
    }

    @Test("keys and surrounding text stay readable")
    func readable() {
        #expect(
            redactor.redact("postgres://orders:S3cr3t@db:5432/x") == "postgres://orders:<redacted:password>@db:5432/x")
        #expect(redactor.redact("password=hunter2 user=alice") == "password=<redacted:secret> user=alice")
        #expect(redactor.redact("AccessKeyId AKIAIOSFODNN7EXAMPLE") == "AccessKeyId <redacted:aws-access-key>")
    }
}
