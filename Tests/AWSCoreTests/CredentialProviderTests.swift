import Foundation
import Synchronization
import Testing

@testable import AWSCore

@Suite("credential providers")
struct CredentialProviderTests {
    @Test("environment: both keys, token and legacy alias, expiration; half-set is an error")
    func environment() throws {
        let full = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SECURITY_TOKEN": "legacy",
            "AWS_CREDENTIAL_EXPIRATION": "2025-01-15T13:00:00Z",
        ]).credentials(forceRefresh: false)
        #expect(full.sessionToken == "legacy")
        #expect(full.expiration == Date(timeIntervalSince1970: 1_736_946_000))
        #expect { try EnvironmentCredentialProvider(environment: [:]).credentials(forceRefresh: false) } throws: {
            ($0 as? CredentialsError)?.isNotConfigured == true
        }
        #expect {
            try EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials(
                forceRefresh: false)
        } throws: {
            let error = $0 as? CredentialsError
            return error?.isNotConfigured == false && error?.reason.contains("AWS_SECRET_ACCESS_KEY") == true
        }
    }

    @Test("shared files: sections, [profile x] rules, comments, nested keys")
    func sharedFileParsing() {
        let sections = SharedConfigFiles.parse(
            """
            # comment
            [default]
            region = eu-west-1
            [profile  ops]
            role_arn = arn:aws:iam::1:role/x
            s3 =
              max_concurrent_requests = 10
            ; another comment
            aws_access_key_id=AKIAOPS
            """)
        #expect(sections["default"]?["region"] == "eu-west-1")
        #expect(sections["profile ops"]?["s3.max_concurrent_requests"] == "10")
        #expect(sections["profile ops"]?["aws_access_key_id"] == "AKIAOPS")
        let files = SharedConfigFiles(
            credentialsPath: "c", configPath: "f", credentials: ["ops": ["aws_access_key_id": "A"]],
            config: ["default": ["region": "r"], "profile ops": ["region": "o"], "ops": ["region": "wrong"]])
        #expect(files.configSection("default")?["region"] == "r")
        #expect(files.configSection("ops")?["region"] == "o")
        #expect(files.credentialsSection("ops")?["aws_access_key_id"] == "A")
    }

    @Test("profile: credentials file wins over config file; unsupported kinds are named")
    func profileProvider() throws {
        let files = SharedConfigFiles(
            credentialsPath: "/c", configPath: "/f",
            credentials: [
                "ops": ["aws_access_key_id": "AKIACRED", "aws_secret_access_key": "s1", "aws_session_token": "t"]
            ],
            config: [
                "profile ops": ["aws_access_key_id": "AKIACONF", "aws_secret_access_key": "s2"],
                "profile chained": ["role_arn": "arn:aws:iam::1:role/r", "source_profile": "ops"],
                "profile proc": ["credential_process": "/bin/x"],
                "profile empty": ["region": "us-east-1"],
            ])
        let unusedWebIdentity: @Sendable (String, String, String?) -> any CredentialProvider = { _, _, _ in
            StaticCredentialProvider(AWSCredentials(accessKeyId: "WEB", secretAccessKey: "w"))
        }
        let ops = try ProfileCredentialProvider(
            profile: "ops", explicit: true, files: files, webIdentity: unusedWebIdentity
        )
        .credentials(forceRefresh: false)
        #expect(ops.accessKeyId == "AKIACRED")
        #expect(ops.sessionToken == "t")
        #expect {
            try ProfileCredentialProvider(
                profile: "chained", explicit: true, files: files, webIdentity: unusedWebIdentity
            ).credentials(forceRefresh: false)
        } throws: {
            ($0 as? CredentialsError)?.reason.contains("not supported") == true
        }
        #expect {
            try ProfileCredentialProvider(profile: "proc", explicit: true, files: files, webIdentity: unusedWebIdentity)
                .credentials(forceRefresh: false)
        } throws: {
            ($0 as? CredentialsError)?.reason.contains("credential_process") == true
        }
        #expect {
            try ProfileCredentialProvider(
                profile: "empty", explicit: false, files: files, webIdentity: unusedWebIdentity
            ).credentials(forceRefresh: false)
        } throws: {
            ($0 as? CredentialsError)?.isNotConfigured == true
        }
        #expect {
            try ProfileCredentialProvider(profile: "nope", explicit: true, files: files, webIdentity: unusedWebIdentity)
                .credentials(forceRefresh: false)
        } throws: {
            let error = $0 as? CredentialsError
            return error?.isNotConfigured == false && error?.reason.contains("neither /c nor /f") == true
        }
        #expect {
            try ProfileCredentialProvider(
                profile: "nope", explicit: false, files: files, webIdentity: unusedWebIdentity
            ).credentials(forceRefresh: false)
        } throws: {
            ($0 as? CredentialsError)?.isNotConfigured == true
        }
    }

    @Test("profile with web_identity_token_file hands over to web identity")
    func profileWebIdentity() throws {
        let files = SharedConfigFiles(
            credentialsPath: "/c", configPath: "/f", credentials: [:],
            config: [
                "default": [
                    "role_arn": "arn:aws:iam::1:role/r", "web_identity_token_file": "/tok", "role_session_name": "n",
                ]
            ])
        let provider = ProfileCredentialProvider(profile: "default", explicit: false, files: files) {
            file, role, session in
            StaticCredentialProvider(
                AWSCredentials(accessKeyId: "\(file)|\(role)|\(session ?? "")", secretAccessKey: "x"))
        }
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "/tok|arn:aws:iam::1:role/r|n")
    }

    @Test("container: relative URI goes to 169.254.170.2; full URI must be https or a known/loopback host")
    func containerValidation() throws {
        let transport = FakeTransport { request, _ in
            response(
                200,
                #"{"AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z","RoleArn":"r"}"#
            )
        }
        let relative = try ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], transport: transport,
            sleep: { _ in })
        #expect(try relative.credentials(forceRefresh: false).sessionToken == "t")
        #expect(transport.requests[0].url == "http://169.254.170.2/v2/credentials/abc")
        #expect(transport.requests[0].headers["Authorization"] == nil)

        for allowed in [
            "https://creds.example.com/x", "http://127.0.0.1:8080/c", "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1", "http://localhost/c",
        ] {
            #expect(throws: Never.self) {
                try ContainerCredentialProvider(
                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed], transport: transport)
            }
        }
        for refused in ["http://10.0.0.5/creds", "http://evil.example.com/c", "ftp://127.0.0.1/c"] {
            #expect(throws: CredentialsError.self) {
                try ContainerCredentialProvider(
                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": refused], transport: transport)
            }
        }
        let withToken = try ContainerCredentialProvider(
            environment: [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
            ],
            transport: transport)
        _ = try withToken.credentials(forceRefresh: false)
        #expect(transport.requests.last?.headers["Authorization"] == "tok")
        let badToken = try ContainerCredentialProvider(
            environment: [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Injected: 1",
            ],
            transport: transport)
        #expect(throws: CredentialsError.self) { try badToken.credentials(forceRefresh: false) }
    }

    @Test("container: 5xx and connection failures are retried up to 3 times")
    func containerRetries() throws {
        let transport = FakeTransport { request, index in
            if index == 0 { throw TransportError(kind: .connection, curlCode: 7, message: "refused", url: request.url) }
            if index == 1 { return response(503, "busy") }
            return response(
                200, #"{"AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#)
        }
        let provider = try ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/c"], transport: transport, sleep: { _ in })
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ASIA1")
        #expect(transport.requests.count == 3)
    }

    @Test("IMDSv2: token PUT first, token on every GET, 401 renews the token, v1 fallback on 403")
    func instanceMetadata() throws {
        let transport = FakeTransport { request, _ in
            switch (request.method, request.url) {
            case ("PUT", "http://169.254.169.254/latest/api/token"):
                #expect(request.headers["X-aws-ec2-metadata-token-ttl-seconds"] == "21600")
                return response(200, "tok")
            case ("GET", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"):
                return request.headers["X-aws-ec2-metadata-token"] == "tok" ? response(200, "role-a\n") : response(401)
            case ("GET", "http://169.254.169.254/latest/meta-data/iam/security-credentials/role-a"):
                return response(
                    200,
                    #"{"Code":"Success","AccessKeyId":"ASIAI","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#
                )
            default:
                return response(404)
            }
        }
        let client = InstanceMetadataClient(environment: [:], transport: transport)
        let credentials = try InstanceMetadataCredentialProvider(client: client).credentials(forceRefresh: false)
        #expect(credentials.accessKeyId == "ASIAI")
        #expect(transport.requests.map(\.method) == ["PUT", "GET", "GET"])  // token cached across GETs

        let v1Only = FakeTransport { request, _ in
            request.method == "PUT" ? response(403) : response(200, "us-west-2")
        }
        #expect(
            try InstanceMetadataClient(environment: [:], transport: v1Only).get("/latest/meta-data/placement/region")
                == "us-west-2")
        #expect(v1Only.requests.last?.headers["X-aws-ec2-metadata-token"] == nil)
        #expect(throws: InstanceMetadataClient.MetadataError.self) {
            try InstanceMetadataClient(environment: ["AWS_EC2_METADATA_V1_DISABLED": "true"], transport: v1Only).get(
                "/latest/meta-data/placement/region")
        }

        let endpoint = InstanceMetadataClient(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/"], transport: v1Only)
        #expect(endpoint.endpoint == "http://127.0.0.1:9")
        #expect(
            InstanceMetadataClient(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"], transport: v1Only)
                .endpoint == "http://[fd00:ec2::254]")
        #expect(throws: CredentialsError.self) {
            try InstanceMetadataCredentialProvider(
                client: InstanceMetadataClient(environment: ["AWS_EC2_METADATA_DISABLED": "true"], transport: v1Only)
            )
            .credentials(forceRefresh: false)
        }
    }

    @Test("chain: skips unconfigured providers, stops at a broken one, remembers the winner")
    func chain() throws {
        let unconfigured = LazyProvider(name: "a") { throw CredentialsError.notConfigured("a", "not set") }
        let winner = SequenceProvider([AWSCredentials(accessKeyId: "WIN", secretAccessKey: "s")])
        let chain = CredentialChain([
            unconfigured, winner, LazyProvider(name: "never") { fatalError("must not be reached") },
        ])
        #expect(try chain.credentials(forceRefresh: false).accessKeyId == "WIN")
        #expect(chain.name == "sequence")
        _ = try chain.credentials(forceRefresh: false)
        #expect(winner.fetches == 2)

        let broken = LazyProvider(name: "b") { throw CredentialsError.invalid("b", "bad file") }
        #expect { try CredentialChain([unconfigured, broken, winner]).credentials(forceRefresh: false) } throws: {
            ($0 as? CredentialsError)?.reason == "bad file"
        }
        #expect { try CredentialChain([unconfigured]).credentials(forceRefresh: false) } throws: {
            "\($0)".contains("no AWS credentials found: tried a (not set)")
        }
    }

    @Test("refreshing: cached until 15 minutes before expiry, advisory failures keep the old ones, mandatory do not")
    func refreshing() throws {
        let clock = ManualClock()
        let start = clock.now()
        let first = AWSCredentials(
            accessKeyId: "ONE", secretAccessKey: "s", sessionToken: "t", expiration: start + 3600)
        let second = AWSCredentials(
            accessKeyId: "TWO", secretAccessKey: "s", sessionToken: "t", expiration: start + 7200)
        let base = SequenceProvider([first, second])
        let provider = RefreshingCredentialProvider(base, clock: clock)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        clock.advance(40 * 60)  // 20 minutes left: still fine
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        #expect(base.fetches == 1)
        clock.advance(8 * 60)  // 12 minutes left: advisory window; a failed refresh keeps ONE
        base.setFailing(true)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        clock.advance(3 * 60)  // 9 minutes left: mandatory; failure is an error
        #expect(throws: CredentialsError.self) { try provider.credentials(forceRefresh: false) }
        base.setFailing(false)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "TWO")
        #expect(try provider.credentials(forceRefresh: true).accessKeyId == "TWO")
        #expect(base.fetches == 3)

        let permanent = SequenceProvider([AWSCredentials(accessKeyId: "AKIA", secretAccessKey: "s")])
        let cached = RefreshingCredentialProvider(permanent, clock: clock)
        for _ in 0..<5 { _ = try cached.credentials(forceRefresh: false) }
        #expect(permanent.fetches == 1)
    }

    @Test("assumed-role windows: refreshed from 5 minutes before expiry, refused 1 minute before")
    func assumedRoleWindows() throws {
        let clock = ManualClock()
        let start = clock.now()
        let base = SequenceProvider([
            AWSCredentials(accessKeyId: "ONE", secretAccessKey: "s", sessionToken: "t", expiration: start + 900),
            AWSCredentials(accessKeyId: "TWO", secretAccessKey: "s", sessionToken: "t", expiration: start + 1800),
        ])
        let provider = RefreshingCredentialProvider(
            base, clock: clock, windows: RefreshingCredentialProvider.assumedRoleWindows)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        clock.advance(9 * 60)  // 6 minutes left: a 15-minute session is still used
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        #expect(base.fetches == 1)
        clock.advance(2 * 60)  // 4 minutes left: refreshed; a failure keeps ONE until 1 minute before
        base.setFailing(true)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "ONE")
        clock.advance(3 * 60 + 30)  // 30 s left
        #expect(throws: CredentialsError.self) { try provider.credentials(forceRefresh: false) }
        base.setFailing(false)
        #expect(try provider.credentials(forceRefresh: false).accessKeyId == "TWO")
    }

    @Test("RoleSessionName: triaged-<host> in the allowed characters, at most 64; AWS_ROLE_SESSION_NAME wins")
    func sessionNames() {
        #expect(RoleSessionName.triaged(host: "ip-10-0-1-17.ec2.internal") == "triaged-ip-10-0-1-17.ec2.internal")
        #expect(RoleSessionName.triaged(host: "i-0abc/def ghé") == "triaged-i-0abc-def-gh-")
        let long = RoleSessionName.triaged(host: String(repeating: "h", count: 100))
        #expect(long.count == 64 && long.hasPrefix("triaged-hhh"))
        #expect(
            RoleSessionName.forProcess(environment: ["AWS_ROLE_SESSION_NAME": "ops@x", "HOSTNAME": "h"]) == "ops@x")
        #expect(
            RoleSessionName.forProcess(environment: ["AWS_ROLE_SESSION_NAME": "bad name", "HOSTNAME": "h"])
                == "triaged-h")
    }

    @Test("role_arn profiles: source_profile chains resolve outermost last, a loop and bad settings are named")
    func profileRoles() throws {
        let files = SharedConfigFiles(
            credentialsPath: "/c", configPath: "/f",
            credentials: ["base": ["aws_access_key_id": "AKIABASE", "aws_secret_access_key": "s"]],
            config: [
                "profile middle": ["role_arn": "arn:aws:iam::1:role/m", "source_profile": "base"],
                "profile top": [
                    "role_arn": "arn:aws:iam::2:role/t", "source_profile": "middle", "external_id": "x",
                    "role_session_name": "n", "duration_seconds": "1200",
                ],
                "profile self": [
                    "role_arn": "arn:aws:iam::3:role/s", "source_profile": "self", "aws_access_key_id": "AKIASELF",
                    "aws_secret_access_key": "s",
                ],
                "profile env": ["role_arn": "arn:aws:iam::4:role/e", "credential_source": "Environment"],
                "profile odd": ["role_arn": "arn:aws:iam::4:role/e", "credential_source": "Ec2Metadata"],
                "profile both": ["role_arn": "r", "credential_source": "Environment", "source_profile": "base"],
                "profile long": ["role_arn": "r", "source_profile": "base", "duration_seconds": "50000"],
                "profile a": ["role_arn": "arn:aws:iam::1:role/a", "source_profile": "b"],
                "profile b": ["role_arn": "arn:aws:iam::1:role/b", "source_profile": "a"],
                "profile dangling": ["role_arn": "r", "source_profile": "missing"],
                "profile process": ["role_arn": "r", "source_profile": "proc"],
                "profile proc": ["credential_process": "/bin/x"],
            ])
        let calls = Mutex<[String]>([])
        let roles = ProfileRoleResolver(
            assume: { source, role in
                LazyCredentials {
                    let from = try source.credentials(forceRefresh: false).accessKeyId
                    calls.withLock {
                        $0.append(
                            "\(from)>\(role.roleArn)|\(role.externalId ?? "-")|\(role.sessionName ?? "-")|\(role.durationSeconds ?? 0)"
                        )
                    }
                    return AWSCredentials(
                        accessKeyId: "ASIA" + role.roleArn.suffix(1), secretAccessKey: "s", sessionToken: "t")
                }
            },
            credentialSource: { name in
                name == "Environment"
                    ? StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIAENV", secretAccessKey: "s")) : nil
            })
        func provider(_ profile: String) -> ProfileCredentialProvider {
            ProfileCredentialProvider(profile: profile, explicit: true, files: files, roles: roles) { _, _, _ in
                StaticCredentialProvider(AWSCredentials(accessKeyId: "WEB", secretAccessKey: "w"))
            }
        }
        #expect(try provider("top").credentials(forceRefresh: false).accessKeyId == "ASIAt")
        #expect(
            calls.withLock { $0 } == [
                "AKIABASE>arn:aws:iam::1:role/m|-|-|0", "ASIAm>arn:aws:iam::2:role/t|x|n|1200",
            ])
        #expect(try provider("self").credentials(forceRefresh: false).accessKeyId == "ASIAs")
        #expect(calls.withLock { $0.last } == "AKIASELF>arn:aws:iam::3:role/s|-|-|0")
        #expect(try provider("env").credentials(forceRefresh: false).accessKeyId == "ASIAe")
        #expect(calls.withLock { $0.last } == "AKIAENV>arn:aws:iam::4:role/e|-|-|0")
        for (profile, reason) in [
            ("a", "source_profile chain loops: a → b → a"),
            ("odd", "credential_source 'Ec2Metadata' (profile 'odd') is not one of Environment"),
            ("both", "has both source_profile and credential_source"),
            ("long", "duration_seconds '50000' (profile 'long') is not a whole number from 900 to 43200"),
            ("dangling", "source_profile 'missing' (from 'dangling') is in neither /c nor /f"),
            ("process", "credential_process (profile 'proc') is not supported"),
        ] {
            #expect {
                try provider(profile).credentials(forceRefresh: false)
            } throws: {
                ($0 as? CredentialsError)?.reason.contains(reason) == true
            }
        }
    }

    @Test("refreshing: concurrent callers share one refresh")
    func oneRefreshAtATime() throws {
        let clock = ManualClock()
        let base = SequenceProvider([
            AWSCredentials(accessKeyId: "ONE", secretAccessKey: "s", sessionToken: "t", expiration: clock.now() + 3600)
        ])
        let provider = RefreshingCredentialProvider(base, clock: clock)
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            _ = try? provider.credentials(forceRefresh: false)
        }
        #expect(base.fetches == 1)
    }
}

/// A provider computed on each call (for the role resolver in tests).
struct LazyCredentials: CredentialProvider {
    let name = "lazy"
    let make: @Sendable () throws -> AWSCredentials
    func credentials(forceRefresh: Bool) throws -> AWSCredentials { try make() }
}
