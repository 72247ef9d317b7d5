import Testing

@testable import LogPatterns

@Suite("token masking")
struct TokenMaskerTests {
    func masked(_ token: String) -> String? {
        var output: [UInt8] = []
        return TokenMasker.mask(Array(token.utf8)[...], into: &output) ? String(decoding: output, as: UTF8.self) : nil
    }

    @Test(
        "each kind of variable is masked",
        arguments: [
            ("3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "<*>"),  // UUID
            ("10.0.1.23", "<*>"), ("10.0.1.23:8080", "<*>"), ("/10.251.73.220:50010", "<*>"),  // IPv4 with port
            ("fe80::1ff:fe23:4567:890a", "<*>"), ("[2001:db8::1]:443", "[<*>"),  // IPv6
            ("0x7f3a", "<*>"), ("deadbeef42", "<*>"),  // hex
            ("42", "<*>"), ("-17", "<*>"), ("3.14", "<*>"),  // numbers
            ("arn:aws:ecs:us-east-1:123456789012:task/prod/abc", "<*>"), ("arn:aws:s3:::reports", "<*>"),  // ARNs
            ("1-5f84c7a1-0123456789abcdef01234567", "<*>"),  // X-Ray trace id
            ("ops@example.com", "<*>"),  // e-mail
            ("2024-01-02T03:04:05.123Z", "<*>"),  // ISO timestamp
            ("150ms", "<*>"), ("12KB", "<*>"),  // duration, size
            (
                "https://api.example.com/orders/123?user=bob&page=2",
                "https://api.example.com/orders/<*>?user=<*>&page=<*>"
            ),
            ("https://example.com/health?check=deep", "https://example.com/health?check=<*>"),
            ("(12ms),", "(<*>),"), ("id=42", "id=<*>"), ("size=12KB;", "size=<*>;"),
            ("onExtend:1514038530000", "onExtend:<*>"),
            ("/var/lib/app/data.db", "<*>"), ("./run.sh", "<*>"), ("Fri", "<*>"),
        ])
    func variables(_ token: String, _ expected: String) {
        #expect(masked(token) == expected, "\(token)")
    }

    @Test(
        "constants stay",
        arguments: [
            "Connection", "refused", "ERROR", "state=RUNNING", "user=root", "SOCKS5", "IPv6", "eth0", "md5", "->", "()",
            "http",
            "a@b", "Friday", "key=",
        ])
    func constants(_ token: String) {
        #expect(masked(token) == nil, "\(token)")
    }

    @Test("units after numbers are part of the value")
    func units() {
        var condenser = LogCondenser()
        condenser.add("stored block (estimated size 93.0 B, free 317.1 KB)")
        condenser.add("stored block (estimated size 5.2 KB, free 5.2 KB)")
        #expect(condenser.patterns().map(\.template) == ["stored block (estimated size <*> <*> free <*> <*>"])
    }
}
