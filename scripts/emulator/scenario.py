#!/usr/bin/env python3
"""Builds a scenario world in a running local AWS world (aws_world.py) with boto3: an ALB in front
of three ECS services, their log groups and log events, metric series, X-Ray traces, the alarm topic
feeding an intake queue (with a dead-letter queue), a findings topic feeding a queue tests read, the
report bucket, and the ALB 5XX alarm wired to the alarm topic.

Usage: scenario.py WORLD_JSON [--scenario NAME] [--now EPOCH] [--workload], NAME one of CAUSES below.
With --workload the ALB, cluster, logs, metrics, traces, the alarm and its topic live in the world's
workload account (built through its role, as AWS would: sts:AssumeRole with the external id), and
the home intake queue is subscribed to that topic; queues, bucket and findings topic stay home.
Prints one JSON object naming everything it created.
"""
import argparse
import json
import random
import time
import urllib.request

import boto3

REGION = "us-east-1"
SERVICES = ["api", "web", "worker"]

# What each cause looks like in the world (the "api" service is the one that breaks).
CAUSES = {
    "healthy": {"metrics": {}, "log": "INFO all good %d"},
    "bad-deployment": {
        "stopped": 4, "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
        "exitCode": 1,
        "log": "ERROR Application startup failed: missing required property ORDERS_API_URL (attempt %d) "
               "with DATABASE_URL=postgres://orders:Sup3rS3cretPw@db.internal:5432/orders "
               "AWS_ACCESS_KEY_ID=AKIAZ3XAMPLEKEY12345 owner=ops.lead@example.com",
        "metrics": {"elb5xx": 40.0, "elb502": 30.0, "elb503": 10.0, "target5xx": 2.0}},
    "oom": {
        "stopped": 4, "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
        "exitCode": 137, "containerReason": "OutOfMemoryError: Container killed due to memory usage",
        "log": "ERROR java.lang.OutOfMemoryError: Java heap space in worker-%d",
        "metrics": {"elb5xx": 35.0, "elb502": 35.0, "memory": 99.0},
        "events": ["(service %s) has stopped 1 running tasks: (task x)."]},
    "crash-loop": {
        "stopped": 5, "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
        "exitCode": 2, "log": "FATAL panic: runtime error: invalid memory address or nil pointer dereference (goroutine %d)",
        "metrics": {"elb5xx": 30.0, "elb502": 30.0},
        "events": ["(service %s) has started 1 tasks: (task x).", "(service %s) has stopped 1 running tasks: (task x).",
                   "(service %s) has started 1 tasks: (task y).", "(service %s) has stopped 1 running tasks: (task y)."]},
    "unhealthy-targets": {
        "log": "WARN health check /health answered 503 (dependency warming, attempt %d)",
        "metrics": {"elb5xx": 50.0, "elb503": 50.0, "target5xx": 0.0},
        "events": ["(service %s) (port 8080) is unhealthy in target-group prodapp-api due to (reason Health checks failed with these codes: [503])."]},
    "dependency-failure": {
        "log": "ERROR connection refused to orders-db.internal:5432 after 3 retries (pool %d)",
        "metrics": {"elb5xx": 45.0, "target5xx": 45.0}, "downstream": "orders-db",
        "downstreamError": "Connection refused: orders-db.internal:5432"},
    "capacity": {
        "log": "WARN request timed out after 5000ms waiting for a worker thread (queue %d)",
        "metrics": {"elb5xx": 30.0, "elb504": 30.0, "latency": 4.8, "cpu": 97.0},
        "events": ["(service %s) was unable to place a task because no container instance met all of its requirements. "
                   "The closest matching (container-instance 5d1e3c0a8f2b4c9e9a7b2f6e1c3d4a5b) has insufficient CPU units "
                   "available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."]},
}


def deployment_id():
    """An ECS deployment id: ecs-svc/ and 19 digits."""
    return "ecs-svc/%019d" % random.randint(10 ** 18, 10 ** 19 - 1)


def task_id():
    return "%032x" % random.getrandbits(128)


def post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())


def build(world, scenario, now, workload=False):
    kw = dict(endpoint_url=world["moto"], region_name=REGION, aws_access_key_id=world["key_id"],
              aws_secret_access_key=world["secret"])
    home_sns, sqs, s3 = boto3.client("sns", **kw), boto3.client("sqs", **kw), boto3.client("s3", **kw)
    account = "123456789012"
    if workload:
        account = world["workload_account"]
        creds = boto3.client("sts", **kw).assume_role(
            RoleArn=world["workload_role_arn"], RoleSessionName="scenario",
            ExternalId=world["workload_external_id"])["Credentials"]
        kw = dict(endpoint_url=world["moto"], region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                  aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    ec2, elb, ecs = boto3.client("ec2", **kw), boto3.client("elbv2", **kw), boto3.client("ecs", **kw)
    logs, cw, xray = boto3.client("logs", **kw), boto3.client("cloudwatch", **kw), boto3.client("xray", **kw)
    sns = boto3.client("sns", **kw)
    out = {"region": REGION, "cluster": "prodapp-ecs-cluster", "services": SERVICES, "account": account}

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

    cause = CAUSES[scenario]
    broken = "api" if scenario != "healthy" else None
    out["scenario"] = scenario
    out["broken_service"] = broken
    stopped = []
    if broken:
        current = ecs.describe_task_definition(taskDefinition="prodapp-%s:1" % broken)["taskDefinition"]["taskDefinitionArn"]
        new_revision = ecs.describe_task_definition(taskDefinition="prodapp-%s:2" % broken)["taskDefinition"]["taskDefinitionArn"]
        new_id, old_id = deployment_id(), deployment_id()
        if scenario == "bad-deployment":
            deployments = [
                {"id": new_id, "status": "PRIMARY", "taskDefinition": new_revision, "desiredCount": 2, "runningCount": 0,
                 "pendingCount": 2, "failedTasks": 4, "createdAt": now - 600, "updatedAt": now - 60, "rolloutState": "IN_PROGRESS",
                 "rolloutStateReason": "ECS deployment %s in progress." % new_id},
                {"id": old_id, "status": "ACTIVE", "taskDefinition": current, "desiredCount": 0, "runningCount": 1,
                 "pendingCount": 0, "failedTasks": 0, "createdAt": now - 86400 * 6, "updatedAt": now - 600,
                 "rolloutState": "COMPLETED", "rolloutStateReason": "ECS deployment %s completed." % old_id}]
            a, b = task_id(), task_id()
            events = [("(service %s) has started 2 tasks: (task %s) (task %s)." % (broken, a, b), now - 590),
                      ("(service %s) has stopped 2 running tasks: (task %s) (task %s)." % (broken, a, b), now - 300),
                      ("(service %s) (deployment %s) deployment failed: tasks failed to start." % (broken, new_id), now - 60)]
            counts = {"desiredCount": 2, "runningCount": 1, "pendingCount": 2}
        else:
            desired = 4 if scenario == "capacity" else 2
            running = 1 if scenario == "capacity" else 2
            deployments = [{"id": old_id, "status": "PRIMARY", "taskDefinition": current, "desiredCount": desired,
                            "runningCount": running, "pendingCount": 0, "failedTasks": 0,
                            "createdAt": now - 86400 * 3, "updatedAt": now - 86400 * 3, "rolloutState": "COMPLETED",
                            "rolloutStateReason": "ECS deployment %s completed." % old_id}]
            events = [(message.replace("(task x)", "(task %s)" % task_id()).replace("(task y)", "(task %s)" % task_id())
                       .replace("prodapp-api", target_groups[broken]) % broken, now - 600 + 60 * i)
                      for i, message in enumerate(cause.get("events", []))]
            counts = {"desiredCount": desired, "runningCount": running, "pendingCount": 0}
        post(world["standin"] + "/_world/ecs/service", {
            "account": account, "cluster": out["cluster"], "service": broken, "deployments": deployments, "counts": counts,
            "events": [{"message": m, "createdAt": t} for m, t in events]})
        for k in range(cause.get("stopped", 0)):
            revision = new_revision if scenario == "bad-deployment" else current
            arn = ecs.run_task(cluster=out["cluster"], taskDefinition=revision, launchType="FARGATE",
                               group="service:%s" % broken, startedBy=deployments[0]["id"])["tasks"][0]["taskArn"]
            post(world["standin"] + "/_world/ecs/stop-task", {
                "account": account, "cluster": out["cluster"], "task": arn.split("/")[-1], "stopCode": cause["stopCode"],
                "stoppedReason": cause["stoppedReason"], "stoppedAt": now - 500 + 100 * k,
                "containers": [{"name": broken, "exitCode": cause["exitCode"], "reason": cause.get("containerReason")}]})
            stopped.append(arn)
        if scenario == "unhealthy-targets":
            post(world["standin"] + "/_world/elbv2/target-health", {
                "account": account, "targetGroupArn": target_groups[broken],
                "targets": [{"id": "10.20.1.%d" % k, "state": "unhealthy", "reason": "Target.ResponseCodeMismatch",
                             "description": "Health checks failed with these codes: [503]"} for k in (1, 2)]})
    out["stopped_tasks"] = stopped
    # The services that are fine look it: everything desired is running, and their one deployment
    # completed days ago (moto would show a deployment created just now and every task pending).
    for index, name in enumerate(SERVICES):
        if name == broken:
            continue
        current = ecs.describe_task_definition(taskDefinition="prodapp-%s:1" % name)["taskDefinition"]["taskDefinitionArn"]
        ident, days = deployment_id(), 4 + 3 * index
        post(world["standin"] + "/_world/ecs/service", {
            "account": account, "cluster": out["cluster"], "service": name, "counts": {"desiredCount": 2, "runningCount": 2, "pendingCount": 0},
            "deployments": [{"id": ident, "status": "PRIMARY", "taskDefinition": current, "desiredCount": 2,
                             "runningCount": 2, "pendingCount": 0, "failedTasks": 0, "createdAt": now - 86400 * days,
                             "updatedAt": now - 86400 * days + 420, "rolloutState": "COMPLETED",
                             "rolloutStateReason": "ECS deployment %s completed." % ident}],
            "events": [{"message": "(service %s) has reached a steady state." % name, "createdAt": now - 3600 * h - 300 * index}
                       for h in (5, 11)]})

    # Log events: background noise before, the cause's errors after the rise in the broken service.
    for name in SERVICES:
        events = [{"timestamp": int((now - 1700 + 10 * i) * 1000), "message": "INFO request %d served in %dms" % (i, 5 + i % 7)}
                  for i in range(60)]
        if name == broken:
            events += [{"timestamp": int((now - 590 + 5 * i) * 1000), "message": cause["log"] % (i % 3)} for i in range(40)]
        events.sort(key=lambda e: e["timestamp"])
        logs.create_log_stream(logGroupName=out["log_groups"][name], logStreamName="ecs/%s/task1" % name)
        logs.put_log_events(logGroupName=out["log_groups"][name], logStreamName="ecs/%s/task1" % name, logEvents=events)

    # Metrics over the last 30 minutes; the cause's series rise in the last ten.
    dims = [{"Name": "LoadBalancer", "Value": out["load_balancer"]}]
    data = []
    for minute in range(30, 0, -1):
        t = now - 60 * minute
        rising = broken is not None and minute <= 10
        shape = cause["metrics"] if rising else {}
        for metric, value in (("HTTPCode_ELB_5XX_Count", shape.get("elb5xx", 0.0)), ("HTTPCode_ELB_502_Count", shape.get("elb502", 0.0)),
                              ("HTTPCode_ELB_503_Count", shape.get("elb503", 0.0)), ("HTTPCode_ELB_504_Count", shape.get("elb504", 0.0)),
                              ("HTTPCode_Target_5XX_Count", shape.get("target5xx", 0.0)), ("RequestCount", 600.0)):
            data.append({"MetricName": metric, "Dimensions": dims, "Timestamp": t, "Value": value, "Unit": "Count"})
        data.append({"MetricName": "TargetResponseTime", "Dimensions": dims, "Timestamp": t,
                     "Value": shape.get("latency", 0.12), "Unit": "Seconds"})
        for name, arn in target_groups.items():
            tg = [{"Name": "LoadBalancer", "Value": out["load_balancer"]},
                  {"Name": "TargetGroup", "Value": "targetgroup/" + arn.split(":targetgroup/")[1]}]
            unhealthy = 2.0 if (rising and name == broken and scenario == "unhealthy-targets") else 0.0
            data.append({"MetricName": "UnHealthyHostCount", "Dimensions": tg, "Timestamp": t, "Value": unhealthy, "Unit": "Count"})
            data.append({"MetricName": "HealthyHostCount", "Dimensions": tg, "Timestamp": t, "Value": 2.0 - unhealthy, "Unit": "Count"})
    for start in range(0, len(data), 20):
        cw.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=data[start:start + 20])
    ecs_data = []
    for minute in range(30, 0, -1):
        t = now - 60 * minute
        for name in SERVICES:
            rising = name == broken and minute <= 10
            shape = cause["metrics"] if rising else {}
            sd = [{"Name": "ClusterName", "Value": out["cluster"]}, {"Name": "ServiceName", "Value": name}]
            ecs_data.append({"MetricName": "CPUUtilization", "Dimensions": sd, "Timestamp": t, "Value": shape.get("cpu", 20.0), "Unit": "Percent"})
            ecs_data.append({"MetricName": "MemoryUtilization", "Dimensions": sd, "Timestamp": t, "Value": shape.get("memory", 35.0), "Unit": "Percent"})
    for start in range(0, len(ecs_data), 20):
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=ecs_data[start:start + 20])

    # Traces: faults from the broken service, with the failing downstream when the cause has one.
    docs = []
    for i in range(8):
        fault = broken is not None and i % 2 == 0
        document = {
            "id": "%016x" % (i + 1), "name": broken or "api", "trace_id": "1-%08x-%024x" % (int(now), i + 1),
            "start_time": now - 300 + i, "end_time": now - 299 + i, "fault": fault,
            "http": {"request": {"method": "GET", "url": "http://prodapp/api/orders"}, "response": {"status": 502 if fault else 200}}}
        if fault and cause.get("downstream"):
            document["subsegments"] = [{"id": "%016x" % (100 + i), "name": cause["downstream"], "namespace": "remote",
                                        "start_time": now - 300 + i, "end_time": now - 299.5 + i, "fault": True,
                                        "cause": {"exceptions": [{"message": cause["downstreamError"]}]}}]
        docs.append(json.dumps(document))
    xray.put_trace_segments(TraceSegmentDocuments=docs)

    # Topics, queues, bucket, alarm.
    dlq = sqs.create_queue(QueueName="prodapp-intake-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    intake = sqs.create_queue(QueueName="prodapp-intake", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}), "VisibilityTimeout": "60"})["QueueUrl"]
    intake_arn = sqs.get_queue_attributes(QueueUrl=intake, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    alarm_topic = sns.create_topic(Name="prodapp-alarms")["TopicArn"]
    sns.subscribe(TopicArn=alarm_topic, Protocol="sqs", Endpoint=intake_arn)
    findings_topic = home_sns.create_topic(Name="prodapp-findings")["TopicArn"]
    findings = sqs.create_queue(QueueName="prodapp-findings-reader")["QueueUrl"]
    findings_arn = sqs.get_queue_attributes(QueueUrl=findings, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    home_sns.subscribe(TopicArn=findings_topic, Protocol="sqs", Endpoint=findings_arn)
    s3.create_bucket(Bucket="prodapp-incident-reports")
    cw.put_metric_alarm(
        AlarmName="prodapp-alb-5xx",
        AlarmDescription="5XX from the prodapp load balancer. Runbook: https://wiki.example.com/runbooks/prodapp-alb-5xx.",
        MetricName="HTTPCode_ELB_5XX_Count", Namespace="AWS/ApplicationELB", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=10, ComparisonOperator="GreaterThanThreshold", Dimensions=dims,
        AlarmActions=[alarm_topic], OKActions=[alarm_topic], TreatMissingData="notBreaching")
    if workload:
        # The runbook link as a tag, readable only in the workload account.
        arn = cw.describe_alarms(AlarmNames=["prodapp-alb-5xx"])["MetricAlarms"][0]["AlarmArn"]
        cw.tag_resource(ResourceARN=arn, Tags=[
            {"Key": "runbook_url", "Value": "https://runbooks.example.com/workload/prodapp-alb-5xx"}])
    out.update(intake_queue=intake, dead_letter_queue=dlq, alarm_topic=alarm_topic, findings_topic=findings_topic,
               findings_queue=findings, bucket="prodapp-incident-reports", alarm="prodapp-alb-5xx", now=now)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("world")
    parser.add_argument("--scenario", default="bad-deployment", choices=sorted(CAUSES))
    parser.add_argument("--now", type=float, default=None)
    parser.add_argument("--workload", action="store_true", help="build the workload in the second account")
    args = parser.parse_args()
    world = json.load(open(args.world))
    print(json.dumps(build(world, args.scenario, args.now or time.time(), workload=args.workload)))


if __name__ == "__main__":
    main()
