#!/usr/bin/env python3
"""Builds a scenario world in a running local AWS world (aws_world.py) with boto3: an ALB in front
of three ECS services, their log groups and log events, metric series, X-Ray traces, the alarm topic
feeding an intake queue (with a dead-letter queue), a findings topic feeding a queue tests read, the
report bucket, and the ALB 5XX alarm wired to the alarm topic.

Usage: scenario.py WORLD_JSON [--scenario bad-deployment|healthy] [--now EPOCH]
Prints one JSON object naming everything it created.
"""
import argparse
import json
import time
import urllib.request

import boto3

REGION = "us-east-1"
SERVICES = ["api", "web", "worker"]


def post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())


def build(world, scenario, now):
    kw = dict(endpoint_url=world["moto"], region_name=REGION, aws_access_key_id=world["key_id"],
              aws_secret_access_key=world["secret"])
    ec2, elb, ecs = boto3.client("ec2", **kw), boto3.client("elbv2", **kw), boto3.client("ecs", **kw)
    logs, cw, xray = boto3.client("logs", **kw), boto3.client("cloudwatch", **kw), boto3.client("xray", **kw)
    sns, sqs, s3 = boto3.client("sns", **kw), boto3.client("sqs", **kw), boto3.client("s3", **kw)
    out = {"region": REGION, "cluster": "prodapp-ecs-cluster", "services": SERVICES}

    # Network and load balancer.
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i, AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="prodapp-alb", Description="alb", VpcId=vpc)["GroupId"]
    lb = elb.create_load_balancer(Name="prodapp-alb", Subnets=subnets, SecurityGroups=[sg], Type="application")["LoadBalancers"][0]
    out["load_balancer_arn"] = lb["LoadBalancerArn"]
    out["load_balancer"] = "/".join(lb["LoadBalancerArn"].split(":loadbalancer/")[1].split("/"))
    target_groups = {}
    for index, name in enumerate(SERVICES):
        tg = elb.create_target_group(Name="prodapp-%s" % name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                     HealthCheckPath="/health")["TargetGroups"][0]
        target_groups[name] = tg["TargetGroupArn"]
        elb.register_targets(TargetGroupArn=tg["TargetGroupArn"],
                             Targets=[{"Id": "10.20.1.%d" % (10 * index + k), "Port": 8080} for k in range(1, 3)])
    listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": target_groups["api"]}])
    for priority, name in enumerate(SERVICES[1:], start=1):
        elb.create_rule(ListenerArn=listener["Listeners"][0]["ListenerArn"], Priority=priority,
                        Conditions=[{"Field": "path-pattern", "Values": ["/%s/*" % name]}],
                        Actions=[{"Type": "forward", "TargetGroupArn": target_groups[name]}])
    out["target_groups"] = target_groups

    # ECS cluster, task definitions with awslogs, services behind the target groups.
    ecs.create_cluster(clusterName=out["cluster"])
    out["log_groups"] = {}
    for name in SERVICES:
        group = "/ecs/prodapp-%s" % name
        out["log_groups"][name] = group
        logs.create_log_group(logGroupName=group)
        for revision in (1, 2):
            ecs.register_task_definition(
                family="prodapp-%s" % name, cpu="256", memory="512",
                containerDefinitions=[{
                    "name": name, "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:v%d" % (name, revision),
                    "memory": 512, "essential": True,
                    "environment": [{"name": "DB_PASSWORD", "value": "hunter2-never-read"}],
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}},
                }])
        ecs.create_service(cluster=out["cluster"], serviceName=name, taskDefinition="prodapp-%s:1" % name, desiredCount=2,
                           loadBalancers=[{"targetGroupArn": target_groups[name], "containerName": name, "containerPort": 8080}])

    broken = "api" if scenario == "bad-deployment" else None
    stopped = []
    if broken:
        tds = ecs.describe_task_definition(taskDefinition="prodapp-%s:2" % broken)["taskDefinition"]["taskDefinitionArn"]
        old = ecs.describe_task_definition(taskDefinition="prodapp-%s:1" % broken)["taskDefinition"]["taskDefinitionArn"]
        post(world["standin"] + "/_world/ecs/service", {
            "cluster": out["cluster"], "service": broken,
            "deployments": [
                {"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": tds, "desiredCount": 2, "runningCount": 0,
                 "pendingCount": 2, "failedTasks": 4, "createdAt": now - 600, "updatedAt": now - 60, "rolloutState": "IN_PROGRESS"},
                {"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": old, "desiredCount": 0, "runningCount": 1,
                 "pendingCount": 0, "createdAt": now - 86400, "updatedAt": now - 600, "rolloutState": "COMPLETED"}],
            "events": [{"message": "(service %s) has started 2 tasks: (task a) (task b)." % broken, "createdAt": now - 590},
                       {"message": "(service %s) has stopped 2 running tasks: (task a) (task b)." % broken, "createdAt": now - 300},
                       {"message": "(service %s) deployment ecs-svc/2 deployment failed: tasks failed to start." % broken,
                        "createdAt": now - 60}]})
        for k in range(4):
            arn = ecs.run_task(cluster=out["cluster"], taskDefinition="prodapp-%s:2" % broken, launchType="FARGATE",
                               group="service:%s" % broken, startedBy="ecs-svc/2")["tasks"][0]["taskArn"]
            post(world["standin"] + "/_world/ecs/stop-task", {
                "cluster": out["cluster"], "task": arn.split("/")[-1], "stopCode": "EssentialContainerExited",
                "stoppedReason": "Essential container in task exited", "stoppedAt": now - 500 + 100 * k,
                "containers": [{"name": broken, "exitCode": 1, "reason": None}]})
            stopped.append(arn)
    out["stopped_tasks"] = stopped

    # Log events: background noise before, connection errors after the rise in the broken service.
    for name in SERVICES:
        events = [{"timestamp": int((now - 1700 + 10 * i) * 1000), "message": "INFO request %d served in %dms" % (i, 5 + i % 7)}
                  for i in range(60)]
        if name == broken:
            events += [{"timestamp": int((now - 590 + 5 * i) * 1000),
                        "message": "ERROR Failed to start: connection refused to db-%d.internal:5432" % (i % 3)}
                       for i in range(40)]
        events.sort(key=lambda e: e["timestamp"])
        logs.create_log_stream(logGroupName=out["log_groups"][name], logStreamName="ecs/%s/task1" % name)
        logs.put_log_events(logGroupName=out["log_groups"][name], logStreamName="ecs/%s/task1" % name, logEvents=events)

    # Metrics: 5XX from the load balancer rising ten minutes ago.
    dims = [{"Name": "LoadBalancer", "Value": out["load_balancer"]}]
    data = []
    for minute in range(30, 0, -1):
        t = now - 60 * minute
        rising = scenario == "bad-deployment" and minute <= 10
        data += [
            {"MetricName": "HTTPCode_ELB_5XX_Count", "Dimensions": dims, "Timestamp": t, "Value": 40.0 if rising else 0.0, "Unit": "Count"},
            {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": dims, "Timestamp": t, "Value": 2.0 if rising else 0.0, "Unit": "Count"},
            {"MetricName": "RequestCount", "Dimensions": dims, "Timestamp": t, "Value": 600.0, "Unit": "Count"},
            {"MetricName": "TargetResponseTime", "Dimensions": dims, "Timestamp": t, "Value": 0.12, "Unit": "Seconds"},
        ]
    for start in range(0, len(data), 20):
        cw.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=data[start:start + 20])

    # Traces: faults from the broken service.
    docs = []
    for i in range(8):
        fault = broken is not None and i % 2 == 0
        docs.append(json.dumps({
            "id": "%016x" % (i + 1), "name": broken or "api", "trace_id": "1-%08x-%024x" % (int(now), i + 1),
            "start_time": now - 300 + i, "end_time": now - 299 + i, "fault": fault,
            "http": {"request": {"method": "GET", "url": "http://prodapp/api/orders"}, "response": {"status": 502 if fault else 200}}}))
    xray.put_trace_segments(TraceSegmentDocuments=docs)

    # Topics, queues, bucket, alarm.
    dlq = sqs.create_queue(QueueName="prodapp-intake-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    intake = sqs.create_queue(QueueName="prodapp-intake", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}), "VisibilityTimeout": "60"})["QueueUrl"]
    intake_arn = sqs.get_queue_attributes(QueueUrl=intake, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    alarm_topic = sns.create_topic(Name="prodapp-alarms")["TopicArn"]
    sns.subscribe(TopicArn=alarm_topic, Protocol="sqs", Endpoint=intake_arn)
    findings_topic = sns.create_topic(Name="prodapp-findings")["TopicArn"]
    findings = sqs.create_queue(QueueName="prodapp-findings-reader")["QueueUrl"]
    findings_arn = sqs.get_queue_attributes(QueueUrl=findings, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=findings_topic, Protocol="sqs", Endpoint=findings_arn)
    s3.create_bucket(Bucket="prodapp-incident-reports")
    cw.put_metric_alarm(
        AlarmName="prodapp-alb-5xx", MetricName="HTTPCode_ELB_5XX_Count", Namespace="AWS/ApplicationELB", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=10, ComparisonOperator="GreaterThanThreshold", Dimensions=dims,
        AlarmActions=[alarm_topic], OKActions=[alarm_topic], TreatMissingData="notBreaching")
    out.update(intake_queue=intake, dead_letter_queue=dlq, alarm_topic=alarm_topic, findings_topic=findings_topic,
               findings_queue=findings, bucket="prodapp-incident-reports", alarm="prodapp-alb-5xx", now=now)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("world")
    parser.add_argument("--scenario", default="bad-deployment", choices=["bad-deployment", "healthy"])
    parser.add_argument("--now", type=float, default=None)
    args = parser.parse_args()
    world = json.load(open(args.world))
    print(json.dumps(build(world, args.scenario, args.now or time.time())))


if __name__ == "__main__":
    main()
