import Foundation
import Testing

@testable import AWSCore

/// Expected hosts come from the SDKs' published partition data and endpoint rules (botocore
/// `partitions.json`, the rule sets' FIPS and dual-stack forms), not from this code.
@Suite("partitions, FIPS and dual-stack endpoints")
struct PartitionTests {
    @Test(
        "a region of each partition resolves to that partition's suffix",
        arguments: [
            ("us-west-2", "aws", "sqs.us-west-2.amazonaws.com"),
            ("cn-northwest-1", "aws-cn", "sqs.cn-northwest-1.amazonaws.com.cn"),
            ("us-gov-west-1", "aws-us-gov", "sqs.us-gov-west-1.amazonaws.com"),
            ("us-iso-east-1", "aws-iso", "sqs.us-iso-east-1.c2s.ic.gov"),
            ("us-isob-east-1", "aws-iso-b", "sqs.us-isob-east-1.sc2s.sgov.gov"),
            ("eu-isoe-west-1", "aws-iso-e", "sqs.eu-isoe-west-1.cloud.adc-e.uk"),
            ("us-isof-south-1", "aws-iso-f", "sqs.us-isof-south-1.csp.hci.ic.gov"),
            ("eusc-de-east-1", "aws-eusc", "sqs.eusc-de-east-1.amazonaws.eu"),
        ])
    func partitionOfEachRegion(region: String, partition: String, host: String) {
        #expect(AWSPartition.of(region: region).id == partition)
        #expect(EndpointResolver.defaultEndpoint(.sqs, region: region).host == host)
    }

    @Test("unlisted regions match by pattern; an unknown region falls back to aws")
    func patternsAndFallback() {
        // Not listed anywhere yet, but each partition's pattern claims them.
        #expect(AWSPartition.of(region: "ap-southeast-9").id == "aws")
        #expect(AWSPartition.of(region: "cn-south-1").id == "aws-cn")
        #expect(AWSPartition.of(region: "us-gov-central-1").id == "aws-us-gov")
        #expect(AWSPartition.of(region: "us-isof-north-1").id == "aws-iso-f")
        #expect(AWSPartition.of(region: "eusc-de-west-1").id == "aws-eusc")
        // No pattern: aws, with its suffix.
        #expect(AWSPartition.of(region: "moon-base-1").id == "aws")
        // The whole pattern must match: a word, a dash, digits to the end.
        #expect(AWSPartition.of(region: "cn-north").id == "aws")
        #expect(AWSPartition.of(region: "cn-north-1a").id == "aws")
        #expect(AWSPartition.of(region: "us-gov-west-east-1").id == "aws")
        #expect(AWSPartition.of(region: "us-isob--1").id == "aws")
        #expect(EndpointResolver.defaultEndpoint(.ecs, region: "moon-base-1").host == "ecs.moon-base-1.amazonaws.com")
        #expect(AWSPartition.of(region: "aws-global").id == "aws")
        #expect(AWSPartition.named("aws-cn")?.implicitGlobalRegion == "cn-northwest-1")
        #expect(AWSPartition.named("aws-us-gov")?.dualStackDnsSuffix == "api.aws")
        #expect(AWSPartition.named("aws-classic") == nil)
    }

    @Test(
        "FIPS, dual-stack and both, for the usual services (the rule sets' forms)",
        arguments: [
            (AWSService.cloudWatch, "us-east-1", false, false, "monitoring.us-east-1.amazonaws.com"),
            (AWSService.cloudWatch, "us-east-1", true, false, "monitoring-fips.us-east-1.amazonaws.com"),
            (AWSService.cloudWatch, "us-east-1", false, true, "monitoring.us-east-1.api.aws"),
            (AWSService.cloudWatch, "us-east-1", true, true, "monitoring-fips.us-east-1.api.aws"),
            (AWSService.sqs, "us-east-1", true, false, "sqs-fips.us-east-1.amazonaws.com"),
            (AWSService.bedrockRuntime, "eu-west-1", false, true, "bedrock-runtime.eu-west-1.api.aws"),
            // Dual-stack in China uses that partition's own dual-stack suffix.
            (AWSService.sns, "cn-north-1", false, true, "sns.cn-north-1.api.amazonwebservices.com.cn"),
        ])
    func variants(service: AWSService, region: String, fips: Bool, dualStack: Bool, host: String) {
        let variant = EndpointResolver.Variant(fips: fips, dualStack: dualStack)
        #expect(EndpointResolver.defaultEndpoint(service, region: region, variant: variant).host == host)
    }

    @Test("S3 has its own forms: legacy global host in us-east-1, dualstack label on the ordinary suffix")
    func s3Forms() {
        func host(_ region: String, _ variant: EndpointResolver.Variant = .init()) -> String {
            EndpointResolver.defaultEndpoint(.s3, region: region, variant: variant).host
        }
        #expect(host("us-east-1") == "s3.amazonaws.com")
        #expect(host("eu-west-1") == "s3.eu-west-1.amazonaws.com")
        #expect(host("us-east-1", .init(fips: true)) == "s3-fips.us-east-1.amazonaws.com")
        #expect(host("us-east-1", .init(dualStack: true)) == "s3.dualstack.us-east-1.amazonaws.com")
        #expect(host("us-east-1", .init(fips: true, dualStack: true)) == "s3-fips.dualstack.us-east-1.amazonaws.com")
        #expect(host("cn-north-1") == "s3.cn-north-1.amazonaws.com.cn")
        #expect(host("us-gov-west-1", .init(fips: true)) == "s3-fips.us-gov-west-1.amazonaws.com")
    }

    @Test("the flags come from the environment before the profile; only 'true' (any case) enables")
    func flags() throws {
        #expect(EndpointResolver.Variant.from(environment: ["AWS_USE_FIPS_ENDPOINT": "TRUE"]) == .init(fips: true))
        #expect(EndpointResolver.Variant.from(environment: ["AWS_USE_FIPS_ENDPOINT": "1"]) == .init())
        #expect(
            EndpointResolver.Variant.from(environment: ["AWS_USE_DUALSTACK_ENDPOINT": "true"]) == .init(dualStack: true)
        )
        #expect(
            EndpointResolver.Variant.from(environment: [:], profile: ["use_fips_endpoint": "true"]) == .init(fips: true)
        )
        #expect(
            EndpointResolver.Variant.from(
                environment: ["AWS_USE_FIPS_ENDPOINT": "false"], profile: ["use_fips_endpoint": "true"]) == .init())
        let resolver = EndpointResolver(
            region: "eu-west-1", environment: ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "True"])
        #expect(try resolver.resolve(.logs).endpoint.host == "logs-fips.eu-west-1.api.aws")
        #expect(resolver.defaultPattern() == "https://<service>-fips.eu-west-1.api.aws/")
    }

    @Test("a configured endpoint wins over FIPS and dual-stack, for every region")
    func configuredEndpointWins() throws {
        let resolver = EndpointResolver(
            region: "us-east-1", configEndpoints: ["sqs": "https://vpce-1.sqs.us-east-1.vpce.amazonaws.com"],
            environment: ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
        for region in ["us-east-1", "eu-west-1", "cn-north-1"] {
            let resolution = try resolver.resolve(.sqs, region: region)
            #expect(resolution.endpoint.host == "vpce-1.sqs.us-east-1.vpce.amazonaws.com")
            #expect(!resolution.isDefault)
        }
        // Unconfigured services resolve for the region asked for, not the home one.
        let other = try resolver.resolve(.ecs, region: "ap-northeast-1")
        #expect(other.endpoint.host == "ecs-fips.ap-northeast-1.api.aws" && other.isDefault)
    }
}
