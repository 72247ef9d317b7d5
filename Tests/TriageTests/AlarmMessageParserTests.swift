import AWSCore
import Foundation
import Testing

@testable import AWSServices
@testable import Triage

/// Message shapes from the wire reference (section 5) and real captures.
@Suite("alarm message parsing")
struct AlarmMessageParserTests {
    static let metricAlarm = #"""
        {"AlarmName":"prodapp-alb-5xx","AlarmDescription":null,"AWSAccountId":"123456789012",
         "AlarmConfigurationUpdatedTimestamp":"2024-07-05T15:19:31.960+0000","NewStateValue":"ALARM",
         "NewStateReason":"Threshold Crossed: 1 datapoint [8.0 (05/07/24 15:19:00)] was greater than or equal to the threshold (5.0).",
         "StateChangeTime":"2024-07-05T15:20:44.959+0000","Region":"EU (Milan)",
         "AlarmArn":"arn:aws:cloudwatch:eu-south-1:123456789012:alarm:prodapp-alb-5xx","OldStateValue":"OK",
         "OKActions":[],"AlarmActions":["arn:aws:sns:eu-south-1:123456789012:alarms-topic"],"InsufficientDataActions":"",
         "Trigger":{"MetricName":"HTTPCode_ELB_5XX_Count","Namespace":"AWS/ApplicationELB","StatisticType":"Statistic",
           "Statistic":"SUM","Unit":null,"Dimensions":[{"value":"app/prodapp-alb/50abc123def","name":"LoadBalancer"}],
           "Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanOrEqualToThreshold","Threshold":5.0,
           "TreatMissingData":"","EvaluateLowSampleCountPercentile":""}}
        """#

    static func envelope(_ message: String) throws -> String {
        let encoded = String(
            decoding: try JSONSerialization.data(withJSONObject: [message], options: []), as: UTF8.self)
        let inner = encoded.dropFirst().dropLast()
        return
            #"{"Type":"Notification","MessageId":"e1a5d850","TopicArn":"arn:aws:sns:eu-south-1:123456789012:alarms","Subject":"ALARM: \"prodapp-alb-5xx\" in EU (Milan)","Message":"#
            + inner
            + #","Timestamp":"2024-07-05T15:20:45.011Z","SignatureVersion":"1","Signature":"x","SigningCertURL":"https://sns.eu-south-1.amazonaws.com/x.pem","UnsubscribeURL":"https://sns/x"}"#
    }

    @Test("an SNS envelope carrying a metric alarm notification")
    func snsEnvelope() throws {
        let event = try AlarmMessageParser.parse(try Self.envelope(Self.metricAlarm), messageId: "m-1")
        #expect(event.source == .snsNotification)
        #expect(event.messageId == "m-1")
        #expect(event.alarmName == "prodapp-alb-5xx")
        #expect(event.state == .alarm && event.previousState == .ok)
        #expect(event.region == "eu-south-1" && event.accountId == "123456789012")
        #expect(event.stateChangeTime == Date(timeIntervalSince1970: 1_720_192_844.959))
        #expect(event.metric?.dimensions == ["LoadBalancer": "app/prodapp-alb/50abc123def"])
        #expect(event.metric?.statistic == "SUM")
        #expect(event.correlationKeys == ["LoadBalancer=app/prodapp-alb/50abc123def"])
    }

    @Test("raw delivery and the envelope give the same transition id")
    func rawDelivery() throws {
        let raw = try AlarmMessageParser.parse(Self.metricAlarm)
        let wrapped = try AlarmMessageParser.parse(try Self.envelope(Self.metricAlarm))
        #expect(raw.source == .rawNotification)
        #expect(raw.transitionId == wrapped.transitionId)
    }

    @Test("a DescribeAlarms entry of the same transition has the same transition id")
    func pollerAndQueueAgree() throws {
        let alarm = Alarm(
            kind: .metric, name: "prodapp-alb-5xx",
            arn: "arn:aws:cloudwatch:eu-south-1:123456789012:alarm:prodapp-alb-5xx",
            description: nil, stateValue: "ALARM", stateReason: "Threshold Crossed", stateReasonData: nil,
            stateUpdatedTimestamp: Date(timeIntervalSince1970: 1_720_192_844.959), stateTransitionedTimestamp: nil,
            actionsEnabled: true, alarmActions: [], okActions: [], metricName: "HTTPCode_ELB_5XX_Count",
            namespace: "AWS/ApplicationELB", statistic: "Sum", extendedStatistic: nil,
            dimensions: [MetricDimension(name: "LoadBalancer", value: "app/prodapp-alb/50abc123def")], period: 60,
            evaluationPeriods: 1, threshold: 5, comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: nil,
            thresholdMetricId: nil, alarmRule: nil)
        let polled = try AlarmMessageParser.event(from: alarm)
        #expect(polled.transitionId == (try AlarmMessageParser.parse(Self.metricAlarm)).transitionId)
        let json =
            #"{"AlarmName":"prodapp-alb-5xx","AlarmArn":"arn:aws:cloudwatch:eu-south-1:123456789012:alarm:prodapp-alb-5xx","StateValue":"ALARM","StateUpdatedTimestamp":1.720192844959E9,"Dimensions":[{"Name":"LoadBalancer","Value":"app/prodapp-alb/50abc123def"}]}"#
        let replayed = try AlarmMessageParser.parse(json)
        #expect(replayed.source == .describeAlarms)
        #expect(replayed.transitionId == polled.transitionId)
    }

    @Test("a composite alarm notification with its rule and triggering children")
    func composite() throws {
        let body =
            #"{"AlarmName":"test_node_monitor","AlarmDescription":"","AWSAccountId":"123456789012","NewStateValue":"ALARM","NewStateReason":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:metric_emitting_node_failure transitioned to ALARM","StateChangeTime":"2021-11-10T02:45:55.640+0000","Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:test_node_monitor","OldStateValue":"OK","AlarmRule":"ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:metric_emitting_node_failure) OR ALARM(x)","TriggeringChildren":[{"Arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:metric_emitting_node_failure","State":{"Value":"ALARM","Timestamp":"2021-11-10T02:45:55.640+0000"}}]}"#
        let event = try AlarmMessageParser.parse(body)
        #expect(event.metric == nil)
        #expect(event.alarmRule?.hasPrefix("ALARM(") == true)
        #expect(
            event.triggeringChildren == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:metric_emitting_node_failure"]
        )
    }

    @Test("an anomaly-detection alarm names its band, not a threshold; metric math reads the metric's dimensions")
    func anomalyDetection() throws {
        let body =
            #"{"AlarmName":"latency-anomaly","NewStateValue":"ALARM","NewStateReason":"Thresholds Crossed","StateChangeTime":"2024-01-02T03:04:05.000+0000","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:latency-anomaly","OldStateValue":"OK","Trigger":{"Period":60,"EvaluationPeriods":3,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"ad1","Metrics":[{"Id":"m1","MetricStat":{"Metric":{"Dimensions":[{"value":"app/prodapp-alb/1","name":"LoadBalancer"}],"MetricName":"TargetResponseTime","Namespace":"AWS/ApplicationELB"},"Period":60,"Stat":"p99"},"ReturnData":true},{"Id":"ad1","Expression":"ANOMALY_DETECTION_BAND(m1, 2)","Label":"band","ReturnData":true}]}}"#
        let event = try AlarmMessageParser.parse(body)
        #expect(event.metric?.thresholdMetricId == "ad1")
        #expect(event.metric?.threshold == nil)
        #expect(event.metric?.name == "TargetResponseTime")
        #expect(event.metric?.dimensions["LoadBalancer"] == "app/prodapp-alb/1")
    }

    @Test("an EventBridge alarm state change, raw or inside an SNS envelope")
    func eventBridge() throws {
        let body =
            #"{"version":"0","id":"c4c1c1c9","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"123456789012","time":"2019-10-02T17:04:40Z","region":"us-east-1","resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],"detail":{"alarmName":"ServerCpuTooHigh","configuration":{"metrics":[{"id":"30b6","metricStat":{"metric":{"dimensions":{"ClusterName":"prod"},"name":"CPUUtilization","namespace":"AWS/ECS"},"period":300,"stat":"Average"},"returnData":true}]},"previousState":{"value":"OK","timestamp":"2019-10-01T13:56:40.987+0000"},"state":{"reason":"Threshold Crossed","reasonData":"{}","timestamp":"2019-10-02T17:04:40.985+0000","value":"ALARM"}}}"#
        let event = try AlarmMessageParser.parse(body)
        #expect(event.source == .eventBridge)
        #expect(event.state == .alarm && event.previousState == .ok)
        #expect(event.correlationKeys == ["ClusterName=prod"])
        #expect(event.metric?.period == 300)
        let wrapped = try AlarmMessageParser.parse(try Self.envelope(body))
        #expect(wrapped.transitionId == event.transitionId)
    }

    @Test(
        "unusable messages are errors with a reason, never crashes",
        arguments: [
            "", "not json", "[1,2,3]", "null", #"{"hello":"world"}"#,
            #"{"Type":"Notification","Message":"plain text"}"#,
            #"{"Type":"Notification","Message":"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}"#,
            #"{"AlarmName":"x","NewStateValue":"ALARM","AlarmArn":"arn:aws:sns:us-east-1:1:topic","StateChangeTime":"2024-01-01T00:00:00Z"}"#,
            #"{"AlarmName":"x","NewStateValue":"MAYBE","AlarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:x","StateChangeTime":"2024-01-01T00:00:00Z"}"#,
            #"{"AlarmName":"x","NewStateValue":"ALARM","AlarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:x","StateChangeTime":"yesterday"}"#,
            #"{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#,
            #"{"AlarmName":42,"NewStateValue":"ALARM"}"#,
        ])
    func malformed(_ body: String) {
        #expect(throws: AlarmMessageError.self) { try AlarmMessageParser.parse(body) }
    }
}

@Suite("transition ids")
struct TransitionIdTests {
    @Test("the same instant written differently gives the same id; a different millisecond does not")
    func stability() throws {
        let arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"
        let texts = [
            "2024-07-05T15:20:44.959+0000", "2024-07-05T15:20:44.959Z", "2024-07-05T15:20:44.959123Z",
            "2024-07-05T17:20:44.959+02:00",
        ]
        let ids = Set(
            try texts.map { text in
                AlarmEvent.transitionId(arn: arn, time: try #require(AWSTimestamp.parse(text)))
            })
        #expect(ids.count == 1)
        #expect(ids.first == AlarmEvent.transitionId(arn: arn, time: Date(timeIntervalSince1970: 1.720192844959E9)))
        #expect(
            ids.first
                != AlarmEvent.transitionId(arn: arn, time: try #require(AWSTimestamp.parse("2024-07-05T15:20:44.960Z")))
        )
        #expect(
            ids.first != AlarmEvent.transitionId(arn: arn + "b", time: Date(timeIntervalSince1970: 1.720192844959E9)))
    }

    @Test("a period no CloudWatch alarm can have is dropped, not a crash (found by the alarm fuzz target)")
    func absurdPeriod() throws {
        for period in ["444444444444444444444460", "-5", "1e300", "0.5", "\"NaN\""] {
            let text =
                #"{"AlarmName":"a","NewStateValue":"ALARM","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a","StateChangeTime":"2024-07-05T15:20:44.959+0000","Trigger":{"Namespace":"AWS/ApplicationELB","MetricName":"m","Period":"#
                + period + "}}"
            let event = try AlarmMessageParser.parse(text)
            #expect(event.metric?.period == nil, "\(period)")
        }
    }
}
