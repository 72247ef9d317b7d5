import Foundation

/// Alarm payloads written from the shapes AWS documents and the AWS SDK / Lambda test events use
/// (CloudWatch User Guide "Alarm events and EventBridge" and "Lambda alarm actions", aws-lambda-go
/// `events/testdata/cloudwatch-alarm-sns-payload-*.json`, aws-lambda-rust-runtime
/// `example-cloudwatch-alarm-*.json`, the Lambda console's SNS and SQS test events, DescribeAlarms
/// JSON with log alarms). Values are ours; field names, nesting and types are AWS's.
enum AlarmPayloadFixtures {
    /// An older SNS notification: no `AlarmArn`, `Threshold` 0.0, the region as a display name.
    static let notificationWithoutArn = #"""
        {"AlarmName":"api-5xx-any","AlarmDescription":"Any 5XX","AWSAccountId":"123456789012",
         "NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 1 datapoint [3.0 (10/11/21 02:44:00)] was greater than the threshold (0.0).",
         "StateChangeTime":"2021-11-10T02:45:55.640+0000","Region":"EU (Ireland)","OldStateValue":"OK",
         "Trigger":{"MetricName":"HTTPCode_Target_5XX_Count","Namespace":"AWS/ApplicationELB","StatisticType":"Statistic",
           "Statistic":"SUM","Unit":null,"Dimensions":[{"value":"app/api-alb/1234567890abcdef","name":"LoadBalancer"}],
           "Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":0.0,
           "TreatMissingData":"- TreatMissingData:                    missing","EvaluateLowSampleCountPercentile":""}}
        """#

    /// A current notification with `Threshold` 1 (an integer in the JSON).
    static let notificationThresholdOne = #"""
        {"AlarmName":"api-unhealthy","AlarmDescription":null,"AWSAccountId":"123456789012","NewStateValue":"ALARM",
         "NewStateReason":"Threshold Crossed","StateChangeTime":"2024-03-01T10:00:00.000+0000","Region":"US East (N. Virginia)",
         "AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-unhealthy","OldStateValue":"OK",
         "OKActions":[],"AlarmActions":[],"InsufficientDataActions":[],
         "Trigger":{"MetricName":"UnHealthyHostCount","Namespace":"AWS/ApplicationELB","StatisticType":"Statistic",
           "Statistic":"MAXIMUM","Unit":null,"Dimensions":[{"value":"targetgroup/api-tg/0123456789abcdef","name":"TargetGroup"},
           {"value":"app/api-alb/1234567890abcdef","name":"LoadBalancer"}],"Period":60,"EvaluationPeriods":1,
           "ComparisonOperator":"GreaterThanOrEqualToThreshold","Threshold":1,"TreatMissingData":"missing",
           "EvaluateLowSampleCountPercentile":""}}
        """#

    /// A metric-math notification (aws-lambda-go multiple-metrics shape): the expression returns the
    /// data; two metric stats feed it.
    static let notificationMetricMath = #"""
        {"AlarmName":"api-error-rate","AlarmDescription":null,"AWSAccountId":"123456789012",
         "AlarmConfigurationUpdatedTimestamp":"2024-03-01T09:00:00.000+0000","NewStateValue":"ALARM",
         "NewStateReason":"Threshold Crossed","StateChangeTime":"2024-03-01T10:00:00.000+0000","Region":"EU (Frankfurt)",
         "AlarmArn":"arn:aws:cloudwatch:eu-central-1:123456789012:alarm:api-error-rate","OldStateValue":"OK",
         "OKActions":[],"AlarmActions":[],"InsufficientDataActions":[],
         "Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":1.0,
           "TreatMissingData":"missing","EvaluateLowSampleCountPercentile":"",
           "Metrics":[{"Expression":"100*errors/requests","Id":"e1","Label":"Expression1","ReturnData":true},
             {"Id":"errors","MetricStat":{"Metric":{"Dimensions":[{"value":"app/api-alb/1234567890abcdef","name":"LoadBalancer"}],
               "MetricName":"HTTPCode_Target_5XX_Count","Namespace":"AWS/ApplicationELB"},"Period":60,"Stat":"Sum"},"ReturnData":false},
             {"Id":"requests","MetricStat":{"Metric":{"Dimensions":[{"value":"app/other-alb/feedfacefeedface","name":"LoadBalancer"}],
               "MetricName":"RequestCount","Namespace":"AWS/ApplicationELB"},"Period":60,"Stat":"SampleCount"},"ReturnData":false}]}}
        """#

    /// The same alarm where a metric stat itself returns the data (the second one).
    static let notificationReturnDataMetric =
        notificationMetricMath
        .replacingOccurrences(of: #""ReturnData":true}"#, with: #""ReturnData":false}"#)
        .replacingOccurrences(
            of: #""Stat":"SampleCount"},"ReturnData":false}"#, with: #""Stat":"SampleCount"},"ReturnData":true}"#)

    /// EventBridge "CloudWatch Alarm State Change" for a metric-math alarm.
    static let eventBridgeMetricMath = #"""
        {"version":"0","id":"2dde0eb1-528b-d2d5-9ca6-6d590caf2329","detail-type":"CloudWatch Alarm State Change",
         "source":"aws.cloudwatch","account":"123456789012","time":"2024-03-01T10:00:01Z","region":"eu-central-1",
         "resources":["arn:aws:cloudwatch:eu-central-1:123456789012:alarm:api-error-rate"],
         "detail":{"alarmName":"api-error-rate","state":{"value":"ALARM","reason":"Threshold Crossed: 1 out of the last 1 datapoints [7.5 (01/03/24 09:59:00)] was greater than the threshold (1.0).",
           "reasonData":"{\"version\":\"1.0\",\"queryDate\":\"2024-03-01T10:00:00.950+0000\",\"startDate\":\"2024-03-01T09:59:00.000+0000\",\"period\":60,\"recentDatapoints\":[7.5],\"threshold\":1.0,\"evaluatedDatapoints\":[{\"timestamp\":\"2024-03-01T09:59:00.000+0000\",\"value\":7.5}]}",
           "timestamp":"2024-03-01T10:00:00.955+0000"},
           "previousState":{"value":"OK","reason":"Threshold Crossed","timestamp":"2024-03-01T09:00:00.000+0000"},
           "configuration":{"description":"error rate","metrics":[
             {"id":"e1","expression":"100*errors/requests","label":"Expression1","returnData":true},
             {"id":"errors","metricStat":{"metric":{"namespace":"AWS/ApplicationELB","name":"HTTPCode_Target_5XX_Count",
               "dimensions":{"LoadBalancer":"app/api-alb/1234567890abcdef"}},"period":60,"stat":"Sum"},"returnData":false},
             {"id":"requests","metricStat":{"metric":{"namespace":"AWS/ApplicationELB","name":"RequestCount",
               "dimensions":{"LoadBalancer":"app/other-alb/feedfacefeedface"}},"period":60,"stat":"SampleCount"},"returnData":false}]}}}
        """#

    /// EventBridge event for a composite alarm.
    static let eventBridgeComposite = #"""
        {"version":"0","id":"d3dfc86d-384d-24c8-0345-9f7986db0b80","detail-type":"CloudWatch Alarm State Change",
         "source":"aws.cloudwatch","account":"123456789012","time":"2024-03-01T10:00:05Z","region":"us-east-1",
         "resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-health"],
         "detail":{"alarmName":"api-health","state":{"value":"ALARM",
           "reason":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx transitioned to ALARM at Friday 01 March, 2024 10:00:00 UTC",
           "reasonData":"{\"triggeringAlarms\":[{\"arn\":\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2024-03-01T10:00:00.123+0000\"}}]}",
           "timestamp":"2024-03-01T10:00:04.500+0000"},
           "previousState":{"value":"OK","reason":"","timestamp":"2024-02-28T10:00:00.000+0000"},
           "configuration":{"alarmRule":"ALARM(api-5xx) OR ALARM(api-latency)","actionsSuppressor":"","actionsSuppressorWaitPeriod":0,
             "actionsSuppressorExtensionPeriod":0}}}
        """#

    /// CloudWatch's Lambda alarm action for a metric alarm (threshold 0 in `reasonData`).
    static let lambdaMetricAlarm = #"""
        {"source":"aws.cloudwatch","alarmArn":"arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm",
         "accountId":"444455556666","time":"2023-08-04T12:36:15.490+0000","region":"us-east-1",
         "alarmData":{"alarmName":"lambda-demo-metric-alarm",
           "state":{"value":"ALARM","reason":"test","reasonData":"{\"version\":\"1.0\",\"statistic\":\"Maximum\",\"period\":60,\"recentDatapoints\":[2.0],\"threshold\":0.0}",
             "timestamp":"2023-08-04T12:36:15.490+0000"},
           "previousState":{"value":"INSUFFICIENT_DATA","reason":"Insufficient Data","timestamp":"2023-08-04T12:31:29.591+0000"},
           "configuration":{"description":"Metric Alarm to test Lambda actions",
             "metrics":[{"id":"1234e046-06f0-a3da-9534-EXAMPLEe4c","metricStat":{"metric":{"namespace":"AWS/ApplicationELB",
               "name":"TargetConnectionErrorCount","dimensions":{"TargetGroup":"targetgroup/api-tg/0123456789abcdef",
               "LoadBalancer":"app/api-alb/1234567890abcdef"}},"period":60,"stat":"Sum"},"returnData":true}]}}}
        """#

    /// CloudWatch's Lambda alarm action for a composite alarm.
    static let lambdaCompositeAlarm = #"""
        {"source":"aws.cloudwatch","alarmArn":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:SuppressionDemo.Main",
         "accountId":"111122223333","time":"2023-08-04T12:56:46.138+0000","region":"us-east-1",
         "alarmData":{"alarmName":"SuppressionDemo.Main",
           "state":{"value":"ALARM","reason":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:SuppressionDemo.EventBridge.FailedInvocation transitioned to ALARM at Friday 04 August, 2023 12:54:46 UTC",
             "reasonData":"{\"triggeringAlarms\":[{\"arn\":\"arn:aws:cloudwatch:us-east-1:111122223333:alarm:SuppressionDemo.EventBridge.FailedInvocation\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2023-08-04T12:54:46.138+0000\"}}]}",
             "timestamp":"2023-08-04T12:56:46.138+0000"},
           "previousState":{"value":"ALARM","reason":"","timestamp":"2023-08-04T12:54:46.138+0000"},
           "configuration":{"alarmRule":"ALARM(SuppressionDemo.EventBridge.FailedInvocation)","actionsSuppressor":"SuppressionDemo.Suppressor",
             "actionsSuppressorWaitPeriod":120,"actionsSuppressorExtensionPeriod":180}}}
        """#

    /// The Lambda console's SNS test event shape, carrying `message` as the SNS `Message`.
    static func lambdaSNSEvent(_ messages: [String]) throws -> String {
        let records: [[String: Any]] = messages.enumerated().map { index, message in
            [
                "EventVersion": "1.0", "EventSource": "aws:sns",
                "EventSubscriptionArn":
                    "arn:aws:sns:us-east-1:123456789012:alarms:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": [
                    "Type": "Notification", "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5\(index)",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
                    "Subject": "ALARM: \"x\" in US East (N. Virginia)",
                    "Message": message, "Timestamp": "1970-01-01T00:00:00.000Z", "SignatureVersion": "1",
                    "Signature": "EXAMPLE", "SigningCertUrl": "EXAMPLE", "UnsubscribeUrl": "EXAMPLE",
                    "MessageAttributes": [:] as [String: Any],
                ] as [String: Any],
            ]
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: ["Records": records]), as: UTF8.self)
    }

    /// The Lambda console's SQS test event shape; each `body` is an SQS message body.
    static func lambdaSQSEvent(_ bodies: [String]) throws -> String {
        let records: [[String: Any]] = bodies.enumerated().map { index, body in
            [
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7\(index)",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
                "body": body,
                "attributes": [
                    "ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185",
                ],
                "messageAttributes": [:] as [String: Any], "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:my-queue",
                "awsRegion": "us-east-1",
            ]
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: ["Records": records]), as: UTF8.self)
    }

    /// A DescribeAlarms JSON response with one alarm of each type (threshold 1.0 on the metric alarm).
    static let describeAlarmsResponse = #"""
        {"MetricAlarms":[{"AlarmName":"api-unhealthy","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-unhealthy",
          "ActionsEnabled":true,"OKActions":[],"AlarmActions":[],"InsufficientDataActions":[],"StateValue":"ALARM",
          "StateReason":"Threshold Crossed","StateUpdatedTimestamp":1.736942280123E9,"StateTransitionedTimestamp":1.736942280123E9,
          "MetricName":"UnHealthyHostCount","Namespace":"AWS/ApplicationELB","Statistic":"Maximum",
          "Dimensions":[{"Name":"TargetGroup","Value":"targetgroup/api-tg/0123456789abcdef"},{"Name":"LoadBalancer","Value":"app/api-alb/1234567890abcdef"}],
          "Period":60,"EvaluationPeriods":1,"Threshold":1.0,"ComparisonOperator":"GreaterThanOrEqualToThreshold","TreatMissingData":"missing"}],
         "CompositeAlarms":[{"AlarmName":"api-health","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-health",
          "ActionsEnabled":true,"StateValue":"ALARM","StateReason":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-unhealthy transitioned to ALARM",
          "StateUpdatedTimestamp":1.736942281E9,"AlarmRule":"ALARM(\"api-unhealthy\") OR ALARM(api-error-logs)"}],
         "LogAlarms":[{"AlarmName":"api-error-logs","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-error-logs",
          "AlarmDescription":"ERROR lines in /ecs/api","ActionsEnabled":true,"OKActions":[],"AlarmActions":["arn:aws:sns:us-east-1:123456789012:ops-alerts"],
          "InsufficientDataActions":[],"StateValue":"ALARM","StateReason":"Threshold Crossed: 2 out of the last 3 query results were greater than the threshold (10.0).",
          "StateUpdatedTimestamp":1.736942280123E9,"StateTransitionedTimestamp":1.736942280123E9,
          "ScheduledQueryConfiguration":{"QueryString":"fields @timestamp, @message | filter @message like /ERROR/","LogGroupIdentifiers":["/ecs/api"],
            "QueryARN":"arn:aws:logs:us-east-1:123456789012:scheduled-query:0123abcd-0000-4000-8000-000000000001",
            "ScheduledQueryRoleARN":"arn:aws:iam::123456789012:role/cw-log-alarm",
            "ScheduleConfiguration":{"ScheduleExpression":"rate(5 minutes)","StartTimeOffset":300,"EndTimeOffset":0},"AggregationExpression":"count(*)"},
          "QueryResultsToEvaluate":3,"QueryResultsToAlarm":2,"Threshold":10.0,"ComparisonOperator":"GreaterThanThreshold","TreatMissingData":"notBreaching"}]}
        """#

    /// An `aws.cloudwatch` event that is not a state change.
    static let configurationChange = #"""
        {"version":"0","id":"1ee1e9b7-1ff5-6b6a-5e4a-52c8d0a6b0b1","detail-type":"CloudWatch Alarm Configuration Change",
         "source":"aws.cloudwatch","account":"123456789012","time":"2024-03-01T09:00:00Z","region":"us-east-1",
         "resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx"],
         "detail":{"alarmName":"api-5xx","operation":"update","state":{"value":"OK","timestamp":"2024-03-01T09:00:00.000+0000"},
           "configuration":{"metrics":[]}}}
        """#
}
