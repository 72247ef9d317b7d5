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

/// The published payload shapes (AlarmPayloadFixtures) all parse, with the fields the pipeline needs.
@Suite("published alarm payloads")
struct AlarmPayloadTests {
    typealias F = AlarmPayloadFixtures

    @Test("a threshold of 0.0 or 1 is a number, not a boolean")
    func thresholdsZeroAndOne() throws {
        #expect(try AlarmMessageParser.parse(F.notificationWithoutArn).metric?.threshold == 0)
        #expect(try AlarmMessageParser.parse(F.notificationThresholdOne).metric?.threshold == 1)
        #expect(try AlarmMessageParser.parse(F.notificationMetricMath).metric?.threshold == 1)
        let entries = try AlarmMessageParser.parseAll(F.describeAlarmsResponse)
        #expect(entries.first { $0.alarmName == "api-unhealthy" }?.metric?.threshold == 1)
        #expect(try AlarmMessageParser.parse(F.lambdaMetricAlarm).metric?.threshold == 0)
        // Booleans stay booleans: ReturnData false is not a number and true is a flag.
        #expect(AlarmMessageParser.number(true) == nil && AlarmMessageParser.flag(true) == true)
    }

    @Test("a notification without AlarmArn gets one rebuilt from account, region display name and name")
    func rebuiltArn() throws {
        let event = try AlarmMessageParser.parse(try AlarmMessageParserTests.envelope(F.notificationWithoutArn))
        #expect(event.alarmArn == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx-any")
        #expect(event.region == "eu-west-1" && event.accountId == "123456789012")
        #expect(event.metric?.dimensions == ["LoadBalancer": "app/api-alb/1234567890abcdef"])
        let china = F.notificationWithoutArn.replacingOccurrences(of: "EU (Ireland)", with: "China (Ningxia)")
        #expect(try AlarmMessageParser.parse(china).alarmArn.hasPrefix("arn:aws-cn:cloudwatch:cn-northwest-1:"))
        let unknown = F.notificationWithoutArn.replacingOccurrences(of: "EU (Ireland)", with: "Moon (Base)")
        #expect(throws: AlarmMessageError.self) { try AlarmMessageParser.parse(unknown) }
        do {
            _ = try AlarmMessageParser.parse(unknown)
        } catch let error as AlarmMessageError {
            #expect(error.reason.contains("Region 'Moon (Base)'") && error.disposition == .unusable)
        }
        let noAccount = F.notificationWithoutArn.replacingOccurrences(of: #""AWSAccountId":"123456789012","#, with: "")
        #expect(throws: AlarmMessageError.self) { try AlarmMessageParser.parse(noAccount) }
    }

    @Test("metric math: the ReturnData metric stat, else the first metric stat, with its statistic")
    func metricMath() throws {
        let sns = try #require(try AlarmMessageParser.parse(F.notificationMetricMath).metric)
        #expect(sns.name == "HTTPCode_Target_5XX_Count" && sns.statistic == "Sum" && sns.period == 60)
        #expect(sns.dimensions == ["LoadBalancer": "app/api-alb/1234567890abcdef"])
        let returning = try #require(try AlarmMessageParser.parse(F.notificationReturnDataMetric).metric)
        #expect(returning.name == "RequestCount" && returning.statistic == "SampleCount")
        #expect(returning.dimensions == ["LoadBalancer": "app/other-alb/feedfacefeedface"])
        let bridge = try #require(try AlarmMessageParser.parse(F.eventBridgeMetricMath).metric)
        #expect(bridge.name == "HTTPCode_Target_5XX_Count" && bridge.statistic == "Sum")
        #expect(bridge.dimensions == ["LoadBalancer": "app/api-alb/1234567890abcdef"])
        #expect(bridge.threshold == 1.0)
    }

    @Test("EventBridge composite: rule and triggering children")
    func eventBridgeComposite() throws {
        let event = try AlarmMessageParser.parse(F.eventBridgeComposite)
        #expect(event.source == .eventBridge && event.metric == nil)
        #expect(event.alarmRule == "ALARM(api-5xx) OR ALARM(api-latency)")
        #expect(event.triggeringChildren == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx"])
    }

    @Test("CloudWatch Lambda alarm actions (metric and composite) are accepted")
    func lambdaAlarmActions() throws {
        let metric = try AlarmMessageParser.parse(F.lambdaMetricAlarm)
        #expect(metric.source == .lambdaAlarmAction && metric.alarmName == "lambda-demo-metric-alarm")
        #expect(
            metric.accountId == "444455556666" && metric.state == .alarm && metric.previousState == .insufficientData)
        #expect(metric.metric?.name == "TargetConnectionErrorCount" && metric.metric?.statistic == "Sum")
        #expect(metric.metric?.dimensions["TargetGroup"] == "targetgroup/api-tg/0123456789abcdef")
        let composite = try AlarmMessageParser.parse(F.lambdaCompositeAlarm)
        #expect(composite.alarmRule == "ALARM(SuppressionDemo.EventBridge.FailedInvocation)")
        #expect(
            composite.triggeringChildren == [
                "arn:aws:cloudwatch:us-east-1:111122223333:alarm:SuppressionDemo.EventBridge.FailedInvocation"
            ])
    }

    @Test("Lambda SNS and SQS test events replay each record")
    func lambdaEvents() throws {
        let sns = try AlarmMessageParser.parseAll(
            try F.lambdaSNSEvent([F.notificationThresholdOne, F.notificationMetricMath]))
        #expect(sns.map(\.alarmName) == ["api-unhealthy", "api-error-rate"])
        #expect(sns.allSatisfy { $0.source == .snsNotification })
        let sqs = try AlarmMessageParser.parseAll(
            try F.lambdaSQSEvent([
                try AlarmMessageParserTests.envelope(F.notificationThresholdOne), F.eventBridgeComposite,
            ]))
        #expect(sqs.map(\.alarmName) == ["api-unhealthy", "api-health"])
        #expect(sqs.first?.messageId == "059f36b4-87a3-44ab-83d2-661975830a70")
        do {
            _ = try AlarmMessageParser.parseAll(try F.lambdaSQSEvent([F.notificationThresholdOne, "{}"]))
            Issue.record("a bad record must refuse the file")
        } catch let error as AlarmMessageError {
            #expect(error.reason.hasPrefix("Records[1]:"))
        }
    }

    @Test("a DescribeAlarms response replays its metric, composite and log alarms")
    func describeAlarmsResponse() throws {
        let events = try AlarmMessageParser.parseAll(F.describeAlarmsResponse)
        #expect(events.map(\.alarmName) == ["api-unhealthy", "api-health", "api-error-logs"])
        #expect(events[0].metric?.statistic == "Maximum" && events[0].metric?.dimensions.count == 2)
        #expect(events[1].metric == nil && events[1].alarmRule?.contains("api-error-logs") == true)
        #expect(events[2].metric == nil)
        #expect(
            events[2].logQuery
                == AlarmEvent.LogQuery(
                    logGroups: ["/ecs/api"], queryString: "fields @timestamp, @message | filter @message like /ERROR/",
                    aggregation: "count(*)"))
        // One entry alone is read the same way.
        #expect(try AlarmMessageParser.parseAll(F.notificationThresholdOne).count == 1)
    }

    @Test("other aws.cloudwatch events are acknowledged; other sources are unusable, clearly")
    func notStateChanges() throws {
        do {
            _ = try AlarmMessageParser.parse(F.configurationChange)
            Issue.record("a configuration change is not an alarm event")
        } catch let error as AlarmMessageError {
            #expect(error.disposition == .acknowledge)
            #expect(error.reason.contains("CloudWatch Alarm Configuration Change"))
        }
        let other =
            #"{"version":"0","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#
        do {
            _ = try AlarmMessageParser.parse(other)
            Issue.record("an EC2 event is not an alarm event")
        } catch let error as AlarmMessageError {
            #expect(error.disposition == .unusable && error.reason.contains("aws.ec2"))
            #expect(!error.reason.contains("?"))
        }
    }
}

/// Alarm types: the DescribeAlarms XML of log alarms and metric-math alarms, composite rules, and
/// what a log alarm's query turns into for the log evidence.
@Suite("alarm types")
struct AlarmTypeTests {
    static let logAlarmsXML = """
        <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
          <DescribeAlarmsResult>
            <MetricAlarms>
              <member><AlarmName>api-error-rate</AlarmName><AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-error-rate</AlarmArn>
                <StateValue>ALARM</StateValue><StateUpdatedTimestamp>2025-01-15T11:58:00.123Z</StateUpdatedTimestamp>
                <Threshold>0.0</Threshold><ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
                <Metrics>
                  <member><Id>e1</Id><Expression>errors/requests</Expression><ReturnData>true</ReturnData></member>
                  <member><Id>errors</Id><ReturnData>false</ReturnData><MetricStat><Metric><Namespace>AWS/ApplicationELB</Namespace>
                    <MetricName>HTTPCode_Target_5XX_Count</MetricName><Dimensions><member><Name>LoadBalancer</Name>
                    <Value>app/api-alb/1234567890abcdef</Value></member></Dimensions></Metric><Period>60</Period><Stat>Sum</Stat></MetricStat></member>
                </Metrics>
              </member>
            </MetricAlarms>
            <CompositeAlarms/>
            <LogAlarms>
              <member>
                <AlarmName>prod-api-error-logs</AlarmName>
                <AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:prod-api-error-logs</AlarmArn>
                <StateValue>ALARM</StateValue>
                <StateUpdatedTimestamp>2025-01-15T11:58:00.123Z</StateUpdatedTimestamp>
                <ScheduledQueryConfiguration>
                  <QueryString>fields @timestamp, @message | filter @message like /ERROR/</QueryString>
                  <LogGroupIdentifiers><member>/ecs/api</member></LogGroupIdentifiers>
                  <ScheduledQueryRoleARN>arn:aws:iam::123456789012:role/cw-log-alarm</ScheduledQueryRoleARN>
                  <ScheduleConfiguration><ScheduleExpression>rate(5 minutes)</ScheduleExpression><StartTimeOffset>300</StartTimeOffset></ScheduleConfiguration>
                  <AggregationExpression>count(*)</AggregationExpression>
                </ScheduledQueryConfiguration>
                <QueryResultsToEvaluate>3</QueryResultsToEvaluate><QueryResultsToAlarm>2</QueryResultsToAlarm>
                <Threshold>10.0</Threshold><ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
              </member>
            </LogAlarms>
          </DescribeAlarmsResult>
          <ResponseMetadata><RequestId>8d1e2f3a-0000-4000-8000-000000000002</RequestId></ResponseMetadata>
        </DescribeAlarmsResponse>
        """

    @Test("DescribeAlarms XML: log alarms with their query, metric math with the metric stat that feeds it")
    func describeAlarmsXML() throws {
        let root = try XMLDocumentParser.parse(Self.logAlarmsXML)
        let alarms = CloudWatchClient.alarms(try #require(root.child("DescribeAlarmsResult")))
        #expect(alarms.map(\.kind) == [.metric, .log])
        let math = try AlarmMessageParser.event(from: alarms[0])
        #expect(math.metric?.name == "HTTPCode_Target_5XX_Count" && math.metric?.statistic == "Sum")
        #expect(
            math.metric?.dimensions == ["LoadBalancer": "app/api-alb/1234567890abcdef"] && math.metric?.threshold == 0)
        let log = try AlarmMessageParser.event(from: alarms[1])
        #expect(log.metric == nil && log.logQuery?.logGroups == ["/ecs/api"])
        #expect(log.logQuery?.queryString == "fields @timestamp, @message | filter @message like /ERROR/")
        #expect(alarms[1].scheduledQuery?.scheduleExpression == "rate(5 minutes)")
    }

    @Test("composite rules name their children, quoted or not, names or ARNs")
    func ruleChildren() throws {
        #expect(
            CompositeAlarmResolver.ruleChildren(
                #"(ALARM("api 5xx (prod)") OR ALARM(arn:aws:cloudwatch:us-east-1:1:alarm:api-cpu)) AND NOT OK( db ) AND TRUE"#
            )
                == ["api 5xx (prod)", "api-cpu", "db"])
        #expect(CompositeAlarmResolver.ruleChildren("TRUE").isEmpty)
        // Only composites going into ALARM without a metric are resolved.
        var composite = try AlarmMessageParser.parse(AlarmPayloadFixtures.eventBridgeComposite)
        #expect(CompositeAlarmResolver.needsResolution(composite))
        composite.state = .ok
        #expect(!CompositeAlarmResolver.needsResolution(composite))
        #expect(
            !CompositeAlarmResolver.needsResolution(
                try AlarmMessageParser.parse(AlarmPayloadFixtures.lambdaMetricAlarm)))
        #expect(CompositeAlarmResolver.alarmName(fromArn: "arn:aws:cloudwatch:eu-west-1:1:alarm:a:b") == "a:b")
    }

    @Test("a log alarm's groups and like terms drive the log evidence")
    func logAlarmSettings() throws {
        var query = AlarmEvent.LogQuery(
            logGroups: ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/api:*", "/ecs/worker"],
            queryString:
                #"fields @message | filter @message like /ERROR/ or @message like "Timed out" | stats count(*)"#,
            aggregation: "count(*)")
        #expect(query.logGroupNames == ["/ecs/api", "/ecs/worker"])
        #expect(query.filterPattern == #"?ERROR ?"Timed out""#)
        var settings = CollectSettings()
        settings.logGroups = ["/configured"]
        var event = try AlarmMessageParser.parse(AlarmPayloadFixtures.notificationThresholdOne)
        #expect(settings.forAlarm(event).logGroups == ["/configured"])
        event.logQuery = query
        #expect(settings.forAlarm(event).logGroups == ["/ecs/api", "/ecs/worker"])
        #expect(settings.forAlarm(event).filterPattern == #"?ERROR ?"Timed out""#)
        query.queryString = #"filter @message like /ERR(OR)?\s+\d+/"#
        event.logQuery = query
        #expect(query.filterPattern == nil)
        #expect(settings.forAlarm(event).filterPattern == CollectSettings().filterPattern)
    }
}
