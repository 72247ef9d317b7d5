import AWSCore
import AWSServices
import Foundation
import Testing

@testable import Triage

/// A presigned report link never outlives the temporary credentials that signed it, and the
/// delivered report says so; long-lived keys keep the configured lifetime.
@Suite("report link capped by the credentials' expiry", .enabled(if: IntegrationEnvironment.ready))
struct DeliveryLinkCapTests {
    func query(_ url: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in (URLComponents(string: url)?.queryItems ?? []) { values[pair.name] = pair.value ?? "" }
        return values
    }

    /// `X-Amz-Date` (`20261202T221625Z`) as a date.
    func signedAt(_ text: String) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return try #require(formatter.date(from: text))
    }

    @Test(
        "ECS container credentials (one hour): X-Amz-Expires stops at their expiry and report.json, .md and .html say so"
    )
    func cappedByTemporaryCredentials() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("triaged-cap-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: home) }
            // The credentials a task role gets from the ECS container endpoint: temporary, with an expiry.
            let context = try AWSContext.resolve(
                settings: AWSSettings(region: "us-east-1", endpointURL: world.description.moto, allowHTTP: true),
                environment: [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": world.description.standin + "/ecs/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": world.description.ecs_token,
                    "AWS_EC2_METADATA_DISABLED": "true", "HOME": home.path,
                ],
                transport: CurlTransport())
            let credentials = try context.credentials.credentials(forceRefresh: false)
            let expiration = try #require(credentials.expiration)
            #expect(credentials.accessKeyId.hasPrefix("ASIA"))

            let delivery = DeliveryTests()
            let report = try delivery.investigate(world, scenario, context: context)
            let deliverer = try delivery.deliverer(context, scenario, state: home.appendingPathComponent("state"))
            #expect(deliverer.settings.presignExpiry == 86_400)
            let prepared = try deliverer.prepare(report)
            let link = try #require(prepared.links.report)
            let parameters = query(link)
            let expires = try #require(parameters["X-Amz-Expires"].flatMap { Int($0) })
            let remaining = expiration.timeIntervalSince(try signedAt(try #require(parameters["X-Amz-Date"])))
            #expect(expires >= 1 && Double(expires) <= remaining, "expires \(expires) s, credentials \(remaining) s")
            #expect(expires < 86_400 && expires > 3000, "capped at the one-hour credentials: \(expires)")
            #expect(parameters["X-Amz-Security-Token"]?.isEmpty == false)

            // Delivered: the stored report names the cap, in every format.
            _ = try deliverer.deliver(prepared)
            let s3 = S3Client(client: try context.client(for: .s3))
            let reason =
                "the report link is valid for \(expires) s, not 86400 s: the credentials that signed it expire then"
            for name in ["report.json", "report.md", "report.html"] {
                let key = deliverer.settings.key(
                    incidentId: report.incident.id, openedAt: report.incident.openedAt, name: name)
                let text = String(decoding: try s3.getObject(bucket: scenario.bucket, key: key).body, as: UTF8.self)
                #expect(text.contains(reason), "\(name) lacks the cap")
            }
            let json = try s3.getObject(
                bucket: scenario.bucket,
                key: deliverer.settings.key(
                    incidentId: report.incident.id, openedAt: report.incident.openedAt, name: "report.json")
            ).body
            let stored = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            let gaps = stored["gaps"] as? [[String: String]] ?? []
            #expect(gaps.contains { $0["source"] == "s3" && $0["reason"] == reason })
            #expect((stored["links"] as? [String: Any])?["report"] as? String == link)
        }
    }

    @Test("long-lived access keys: the configured lifetime, and no cap in the report")
    func uncappedWithAccessKeys() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            let state = FileManager.default.temporaryDirectory.appendingPathComponent(
                "triaged-cap-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: state) }
            let delivery = DeliveryTests()
            let prepared = try delivery.deliverer(context, scenario, state: state)
                .prepare(try delivery.investigate(world, scenario, context: context))
            #expect(query(try #require(prepared.links.report))["X-Amz-Expires"] == "86400")
            #expect(!prepared.gaps.contains { $0.source == "s3" })
        }
    }
}
