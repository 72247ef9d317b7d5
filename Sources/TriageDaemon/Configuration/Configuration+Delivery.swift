import AWSServices
import Foundation
import Triage

extension Configuration {
    /// Where reports go, from the `report` section.
    public var deliverySettings: DeliverySettings {
        var settings = DeliverySettings()
        settings.bucket = report.s3.bucket
        settings.prefix = report.s3.prefix
        settings.presignExpiry = report.s3.presignExpiry
        settings.encryption = report.s3.encryption == .kms ? .kms(keyId: report.s3.kmsKeyId) : .aes256
        settings.topicArn = report.sns.topicArn
        settings.format = report.sns.format == .chatbot ? .chatbot : .text
        settings.localDirectory = report.localDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
        return settings
    }
}
