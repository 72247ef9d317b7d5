import AWSCore
import AWSServices
import Foundation
import Testing

/// Every client operation against the signature-verifying local AWS world (real HTTP, real signing),
/// with the scenario of scripts/emulator/scenario.py built in it.
@Suite("service clients against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct ServiceClientTests {
    @Test("CloudWatch alarms, metrics and history; an alarm reaches SQS through SNS; SQS receive, visibility, delete")
    func cloudWatchAndSQS() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario()
            let transport = CountingTransport()
            let context = try world.context(transport: transport)
            let cloudWatch = CloudWatchClient(client: try context.client(for: .cloudWatch))
            let alarms = try cloudWatch.describeAlarms(names: [scenario.alarm])
            let alarm = try #require(alarms.first)
            #expect(alarm.kind == .metric)
            #expect(alarm.metricName == "HTTPCode_ELB_5XX_Count")
            #expect(alarm.dimensions == [MetricDimension(name: "LoadBalancer", value: scenario.load_balancer)])
            #expect(alarm.alarmActions == [scenario.alarm_topic])
            #expect(try cloudWatch.describeAlarms(prefix: "prodapp-").map(\.name) == [scenario.alarm])
            #expect(try cloudWatch.describeAlarms(prefix: "nothing-").isEmpty)

            let now = Date(timeIntervalSince1970: scenario.now)
            let dimensions = [MetricDimension(name: "LoadBalancer", value: scenario.load_balancer)]
            let results = try cloudWatch.getMetricData(
                [
                    .metric(
                        id: "elb5xx", namespace: "AWS/ApplicationELB", name: "HTTPCode_ELB_5XX_Count",
                        dimensions: dimensions, period: 60, stat: "Sum"),
                    .metric(
                        id: "requests", namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: dimensions,
                        period: 60, stat: "Sum"),
                ], start: now.addingTimeInterval(-3600), end: now)
            let elb = try #require(results.first { $0.id == "elb5xx" })
            #expect(elb.values.count == 30)
            #expect(elb.timestamps == elb.timestamps.sorted())
            #expect(elb.values.first == 0 && elb.values.last == 40)
            // 501 queries go out as two calls of at most 500.
            let many = (0...500).map {
                MetricDataQuery.metric(
                    id: "q\($0)", namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: dimensions,
                    period: 60, stat: "Sum")
            }
            let before = transport.count("/")
            #expect(try cloudWatch.getMetricData(many, start: now.addingTimeInterval(-3600), end: now).count == 501)
            #expect(transport.count("/") - before == 2)
            try cloudWatch.putMetricData(
                namespace: "Triaged",
                [
                    MetricDatum(
                        metricName: "IncidentsOpened", value: 3, unit: "Count", timestamp: now.addingTimeInterval(-120))
                ])
            let own = try cloudWatch.getMetricData(
                [
                    .metric(
                        id: "own", namespace: "Triaged", name: "IncidentsOpened", dimensions: [], period: 60,
                        stat: "Sum")
                ],
                start: now.addingTimeInterval(-600), end: now.addingTimeInterval(60))
            #expect(own.first?.values == [3])

            // Drive the alarm into ALARM as CloudWatch would (the emulator publishes to its actions).
            try world.fireAlarm(
                scenario.alarm, reason: "Threshold Crossed: 1 datapoint [40.0] was greater than the threshold (10.0).")
            let history = try cloudWatch.describeAlarmHistory(alarmName: scenario.alarm)
            #expect(history.first?.summary == "Alarm updated from OK to ALARM")

            let sqs = SQSClient(client: try context.client(for: .sqs))
            let messages = try sqs.receiveMessages(queueURL: scenario.intake_queue, maxMessages: 10, waitSeconds: 5)
            let message = try #require(messages.first)
            let envelope = try #require(
                try JSONSerialization.jsonObject(with: Data(message.body.utf8)) as? [String: Any])
            #expect(envelope["Type"] as? String == "Notification")
            let inner = try #require(envelope["Message"] as? String)
            let notification = try #require(try JSONSerialization.jsonObject(with: Data(inner.utf8)) as? [String: Any])
            #expect(notification["NewStateValue"] as? String == "ALARM")
            #expect((notification["StateChangeTime"] as? String)?.hasSuffix("+0000") == true)
            try sqs.changeMessageVisibility(
                queueURL: scenario.intake_queue, receiptHandle: message.receiptHandle, timeout: 0)
            let again = try sqs.receiveMessages(queueURL: scenario.intake_queue, waitSeconds: 2)
            #expect(again.count == 1)
            #expect((again.first?.receiveCount ?? 0) >= 2)
            try sqs.deleteMessage(
                queueURL: scenario.intake_queue, receiptHandle: try #require(again.first).receiptHandle)
            #expect(try sqs.receiveMessages(queueURL: scenario.intake_queue, waitSeconds: 1).isEmpty)
        }
    }

    @Test("SNS publish with attributes and JSON structure; S3 conditional writes, reads, head and presigned GET")
    func snsAndS3() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            let sns = SNSClient(client: try context.client(for: .sns))
            let id = try sns.publish(
                topicArn: scenario.findings_topic, message: "5XX on prodapp: bad deployment of api",
                subject: "[ALARM] prodapp-alb-5xx: bad deployment",
                attributes: [
                    SNSMessageAttribute(name: "severity", value: "high"),
                    SNSMessageAttribute(name: "category", value: "bad_deployment"),
                ])
            #expect(!id.isEmpty)
            _ = try sns.publish(
                topicArn: scenario.findings_topic, message: #"{"default":"plain","email":"long"}"#, structure: true)
            let sqs = SQSClient(client: try context.client(for: .sqs))
            var bodies: [String] = []
            for _ in 0..<3 where bodies.count < 2 {
                bodies += try sqs.receiveMessages(queueURL: scenario.findings_queue, waitSeconds: 2).map(\.body)
            }
            #expect(bodies.contains { $0.contains("bad deployment of api") && $0.contains("\"severity\"") })
            #expect(bodies.contains { $0.contains("plain") })
            #expect(throws: SNSMessageError.self) {
                try sns.publish(
                    topicArn: scenario.findings_topic, message: "x", subject: String(repeating: "s", count: 100))
            }
            #expect(throws: SNSMessageError.self) {
                try sns.publish(topicArn: scenario.findings_topic, message: String(repeating: "m", count: 262_145))
            }
            #expect(throws: SNSMessageError.self) {
                try sns.publish(topicArn: scenario.findings_topic, message: #"{"email":"x"}"#, structure: true)
            }

            let s3 = S3Client(client: try context.client(for: .s3))
            let key = "incidents/2026/11/25/abc123/report.json"
            let body = Array(#"{"schema_version":1}"#.utf8)
            let etag = try s3.putObject(
                bucket: scenario.bucket, key: key, body: body, contentType: "application/json", ifNoneMatch: true,
                encryption: .aes256)
            #expect(etag != nil)
            #expect {
                try s3.putObject(
                    bucket: scenario.bucket, key: key, body: body, contentType: "application/json", ifNoneMatch: true)
            } throws: { ($0 as? S3ConditionalWriteError)?.reason == .preconditionFailed }
            #expect {
                try s3.putObject(
                    bucket: scenario.bucket, key: key, body: body, contentType: "application/json", ifMatch: "\"0000\"")
            } throws: { ($0 as? S3ConditionalWriteError)?.reason == .preconditionFailed }
            try s3.putObject(
                bucket: scenario.bucket, key: key, body: body + [0x0A], contentType: "application/json", ifMatch: etag)
            let (read, info) = try s3.getObject(bucket: scenario.bucket, key: key)
            #expect(read == body + [0x0A])
            #expect(info.contentType == "application/json")
            #expect(try s3.headObject(bucket: scenario.bucket, key: key)?.contentLength == body.count + 1)
            #expect(try s3.headObject(bucket: scenario.bucket, key: "incidents/missing.json") == nil)
            #expect { try s3.getObject(bucket: scenario.bucket, key: "incidents/missing.json") } throws: {
                ($0 as? AWSError)?.code == "NoSuchKey"
            }
            let url = try s3.presignedGetURL(bucket: scenario.bucket, key: key, expires: 3600)
            #expect(url.contains("X-Amz-Expires=3600") && url.contains("X-Amz-Signature="))
            // moto cannot serve presigned URLs with authentication on (it answers 500), so the
            // signature itself is proven by the golden presign vectors; here the URL's shape.
            #expect(url.hasPrefix(world.description.moto + "/\(scenario.bucket)/\(key)?"))
            #expect(
                url.contains("X-Amz-Credential=\(world.description.key_id)%2F")
                    && url.contains("%2Fus-east-1%2Fs3%2Faws4_request"))
            #expect(url.contains("X-Amz-SignedHeaders=host"))
            #expect(throws: SigV4Error.self) {
                try s3.presignedGetURL(bucket: scenario.bucket, key: key, expires: 604_801)
            }
        }
    }

    @Test("CloudWatch Logs, ECS and ELBv2: paging past one page, batches, partial failures")
    func logsECSAndELB() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario()
            let transport = CountingTransport()
            let context = try world.context(transport: transport)
            let logs = CloudWatchLogsClient(client: try context.client(for: .logs))
            let now = Date(timeIntervalSince1970: scenario.now)
            let group = try #require(scenario.log_groups["api"])
            let all = try logs.filterLogEvents(
                group: group, start: now.addingTimeInterval(-3600), end: now, pageSize: 25)
            #expect(all.events.count == 100)
            #expect(all.pages >= 4)
            #expect(!all.capped)
            let errors = try logs.filterLogEvents(
                group: group, start: now.addingTimeInterval(-3600), end: now, pattern: "ERROR")
            #expect(errors.events.count == 40)
            #expect(errors.events.allSatisfy { $0.message.contains("missing required property") })
            let capped = try logs.filterLogEvents(
                group: group, start: now.addingTimeInterval(-3600), end: now, maxEvents: 30, pageSize: 20)
            #expect(capped.events.count == 30 && capped.capped)
            let queryId = try logs.startQuery(
                groups: [group], start: now.addingTimeInterval(-3600), end: now.addingTimeInterval(60),
                query: "fields @timestamp, @message")
            // moto's Insights engine reads fields but not filters, so the query asks for fields only.
            // AWS answers "Running" (or "Scheduled") before "Complete", and the emulator does the
            // same on a query's first poll; poll as the span and log readers do, bounded.
            var insights = try logs.getQueryResults(queryId: queryId)
            var polls = 1
            while ["Scheduled", "Running"].contains(insights.status) && polls < 20 {
                insights = try logs.getQueryResults(queryId: queryId)
                polls += 1
            }
            #expect(polls >= 2, "the first poll of a fresh query answers Running, as AWS does")
            #expect(insights.status == "Complete")
            #expect(insights.rows.count == 100)
            #expect(insights.rows.allSatisfy { $0["@ptr"] == nil && $0["@message"] != nil && $0["@timestamp"] != nil })
            let groups = try logs.describeLogGroups(prefix: "/ecs/", pageSize: 2)
            #expect(groups.map(\.logGroupName).sorted() == scenario.log_groups.values.sorted())
            #expect(transport.count("Logs_20140328.DescribeLogGroups") >= 2)

            let ecs = ECSClient(client: try context.client(for: .ecs))
            let serviceArns = try ecs.listServices(cluster: scenario.cluster, pageSize: 1)
            #expect(serviceArns.count == 3)
            let missing = (1...10).map { "missing-\($0)" }
            let (services, failures) = try ecs.describeServices(
                cluster: scenario.cluster, services: scenario.services + missing)
            #expect(services.count == 3)
            #expect(failures.count == 10 && failures.allSatisfy { $0.reason == "MISSING" })
            // 13 names at 10 per call.
            #expect(transport.count("AmazonEC2ContainerServiceV20141113.DescribeServices") == 2)
            let api = try #require(services.first { $0.serviceName == "api" })
            #expect(api.deployments?.first?.rolloutState == "IN_PROGRESS")
            #expect(api.deployments?.first?.taskDefinition?.hasSuffix("prodapp-api:2") == true)
            #expect(api.events?.count == 3)
            #expect(api.loadBalancers?.first?.targetGroupArn == scenario.target_groups["api"])
            let stopped = try ecs.listTasks(cluster: scenario.cluster, desiredStatus: "STOPPED")
            #expect(Set(stopped) == Set(scenario.stopped_tasks))
            let (tasks, _) = try ecs.describeTasks(cluster: scenario.cluster, tasks: stopped)
            #expect(tasks.count == 4)
            #expect(
                tasks.allSatisfy { $0.stopCode == "EssentialContainerExited" && $0.containers?.first?.exitCode == 1 })
            #expect(tasks.allSatisfy { $0.stoppedAt != nil })
            let definition = try ecs.describeTaskDefinition("prodapp-api:2")
            #expect(definition.containerDefinitions?.first?.logConfiguration?.options?["awslogs-group"] == group)
            #expect(definition.containerDefinitions?.first?.image?.hasSuffix("api:v2") == true)

            let elb = ELBv2Client(client: try context.client(for: .elbv2))
            let balancers = try elb.describeLoadBalancers(names: ["prodapp-alb"])
            #expect(balancers.first?.arn == scenario.load_balancer_arn)
            let groupsOfLB = try elb.describeTargetGroups(loadBalancerArn: scenario.load_balancer_arn)
            #expect(Set(groupsOfLB.map(\.arn)) == Set(scenario.target_groups.values))
            let health = try elb.describeTargetHealth(targetGroupArn: try #require(scenario.target_groups["api"]))
            #expect(health.count == 2)
            #expect(health.allSatisfy { !$0.state.isEmpty })
        }
    }

    @Test("X-Ray: fault filter and BatchGetTraces in batches of five")
    func xray() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario()
            let transport = CountingTransport()
            let context = try world.context(transport: transport)
            let xray = XRayClient(client: try context.client(for: .xray))
            let now = Date(timeIntervalSince1970: scenario.now)
            let faults = try xray.getTraceSummaries(
                start: now.addingTimeInterval(-1800), end: now.addingTimeInterval(60), filter: "fault = true")
            #expect(faults.count == 4)
            #expect(faults.allSatisfy { $0.HasFault == true && $0.Http?.HttpStatus == 502 })
            let everything = try xray.getTraceSummaries(
                start: now.addingTimeInterval(-1800), end: now.addingTimeInterval(60), filter: nil)
            #expect(everything.count == 8)
            let traces = try xray.batchGetTraces(ids: everything.map(\.Id))
            #expect(traces.count == 8)
            #expect(transport.count("/Traces") == 2)
            #expect(traces.first?.Segments?.first?.Document?.contains("trace_id") == true)
        }
    }

    @Test(
        "Bedrock Converse and InvokeModel for every model family, signatures verified; a tampered signature is refused")
    func bedrock() throws {
        try LocalAWSWorld.with { world in
            let context = try world.context()
            let bedrock = BedrockRuntimeClient(client: try context.client(for: .bedrockRuntime))
            let prompt = BedrockPrompt(system: "You are an SRE.", user: "Summarise.", maxTokens: 200, temperature: 0.2)
            let converse = try bedrock.converse(modelId: "global.anthropic.claude-sonnet-4-6", prompt: prompt)
            #expect(converse.text.contains("stand-in"))
            #expect(converse.inputTokens == 100 && converse.outputTokens == 20)
            let models = [
                "us.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.titan-text-express-v1", "amazon.nova-lite-v1:0",
                "meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-large-2402-v1:0",
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            ]
            for model in models {
                let completion = try bedrock.invokeModel(modelId: model, prompt: prompt)
                #expect(completion.text.contains("stand-in"), "\(model)")
            }
            let recorded = try requests(world)
            #expect(recorded.count == 1 + models.count)
            #expect(recorded.allSatisfy { $0["signature_valid"] as? Bool == true })
            #expect(
                recorded.contains { ($0["path"] as? String)?.contains("inference-profile%2Fglobal.anthropic") == true })

            let forged = AWSClient(
                service: .bedrockRuntime, region: "us-east-1",
                endpoint: try AWSEndpoint(parsing: world.description.bedrock),
                authentication: .sigV4(
                    StaticCredentialProvider(
                        AWSCredentials(accessKeyId: world.description.key_id, secretAccessKey: "forged"))),
                transport: CurlTransport())
            #expect {
                try BedrockRuntimeClient(client: forged).converse(modelId: "amazon.nova-lite-v1:0", prompt: prompt)
            } throws: {
                ($0 as? AWSError)?.code == "InvalidSignatureException"
            }
        }
    }

    @Test("errors of each protocol family keep code, message and request id; a throttled call succeeds on retry")
    func errorsAndRetry() throws {
        try LocalAWSWorld.with { world in
            let context = try world.context()
            // query (ELBv2)
            #expect {
                try ELBv2Client(client: try context.client(for: .elbv2)).describeTargetHealth(
                    targetGroupArn:
                        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0123456789abcdef")
            } throws: {
                guard let error = $0 as? AWSError else { return false }
                return error.code == "TargetGroupNotFound" && error.httpStatus == 400 && error.requestId != nil
            }
            // JSON 1.1 (ECS)
            #expect { try ECSClient(client: try context.client(for: .ecs)).describeTaskDefinition("nope:1") } throws: {
                guard let error = $0 as? AWSError else { return false }
                return error.code == "ClientException" && !error.message.isEmpty
            }
            // JSON 1.0 query-compatible (SQS)
            #expect {
                try SQSClient(client: try context.client(for: .sqs)).receiveMessages(
                    queueURL: world.description.moto + "/123456789012/missing", waitSeconds: 0)
            } throws: {
                guard let error = $0 as? AWSError else { return false }
                return error.code.contains("NonExistentQueue") || error.code == "QueueDoesNotExist"
            }
            // REST-XML (S3)
            #expect {
                try S3Client(client: try context.client(for: .s3)).getObject(bucket: "no-such-bucket", key: "k")
            } throws: {
                ($0 as? AWSError)?.code == "NoSuchBucket"
            }
            // REST-JSON (Bedrock) and a throttled call that succeeds on retry
            let bedrock = BedrockRuntimeClient(client: try context.client(for: .bedrockRuntime))
            let prompt = BedrockPrompt(system: "s", user: "u", maxTokens: 10, temperature: 0)
            try control(world, ["mode": "denied", "count": 1])
            #expect { try bedrock.converse(modelId: "amazon.nova-lite-v1:0", prompt: prompt) } throws: {
                guard let error = $0 as? AWSError else { return false }
                return error.code == "AccessDeniedException" && BedrockFailureKind(code: error.code) == .accessDenied
            }
            try control(world, ["mode": "throttle", "count": 1])
            let before = try requests(world).count
            let answer = try bedrock.converse(modelId: "amazon.nova-lite-v1:0", prompt: prompt)
            #expect(answer.text.contains("stand-in"))
            #expect(try requests(world).count == before + 2)
            try control(world, ["mode": "timeout", "count": 1])
            #expect { try bedrock.converse(modelId: "amazon.nova-lite-v1:0", prompt: prompt) } throws: {
                ($0 as? AWSError)?.code == "ModelTimeoutException"
            }
            #expect(try requests(world).count == before + 3)  // 408 is not retried
        }
    }

    @Test("STS: caller identity, and AssumeRoleWithWebIdentity sent unsigned")
    func sts() throws {
        try LocalAWSWorld.with { world in
            let context = try world.context()
            let identity = try STSClient(client: try context.client(for: .sts)).getCallerIdentity()
            #expect(identity.arn == "arn:aws:iam::123456789012:user/triaged")
            let unsigned = AWSClient(
                service: .sts, region: "us-east-1", endpoint: try AWSEndpoint(parsing: world.description.standin),
                authentication: .none, transport: CurlTransport())
            let credentials = try STSClient(client: unsigned).assumeRoleWithWebIdentity(
                roleArn: world.description.role_arn, sessionName: "triaged-test",
                token: world.description.web_identity_token)
            #expect(
                credentials.accessKeyId.hasPrefix("ASIA") && credentials.sessionToken != nil
                    && credentials.expiration != nil)
            #expect {
                try STSClient(client: unsigned).assumeRoleWithWebIdentity(
                    roleArn: world.description.role_arn, sessionName: "triaged-test", token: "eyJ.forged.token")
            } throws: {
                ($0 as? AWSError)?.code == "InvalidIdentityToken"
            }
        }
    }

    // MARK: Bedrock stand-in control

    func control(_ world: LocalAWSWorld, _ command: [String: Any]) throws {
        let response = try CurlTransport().send(
            HTTPRequest(
                method: "POST", url: world.description.bedrock + "/_control",
                body: Array(try JSONSerialization.data(withJSONObject: command))))
        #expect(response.status == 200)
    }

    func requests(_ world: LocalAWSWorld) throws -> [[String: Any]] {
        let response = try CurlTransport().send(
            HTTPRequest(method: "GET", url: world.description.bedrock + "/_requests"))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] ?? []
    }
}
