#!/usr/bin/env python3
"""Checks that the world builder makes what a spec says, read back through the AWS APIs triaged
uses (run by the CorpusWorldBuilderTests integration test; tests the builder, not the engine).

usage: check_builder.py WORLD_JSON     (the description line of a running aws_world.py)

Builds three dev scenarios one after another in that world, with a reset between them, and
prints one "ok <what>" line per check; exits 1 at the first check that fails, naming it.
"""
import datetime
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus  # noqa: E402
from world_builder import WorldBuilder  # noqa: E402

import botocore.exceptions  # noqa: E402


def check(condition, what, detail=""):
    if not condition:
        print("FAILED %s %s" % (what, detail), flush=True)
        sys.exit(1)
    print("ok %s" % what, flush=True)


def spec_named(name):
    return next(s for s in corpus.load("dev") if s["name"] == name)


def service_spec(spec, name):
    return next(s for s in spec["services"] if s["name"] == name)


def metric_values(cw, built, metric, dims, stat, minutes=34):
    now = datetime.datetime.fromtimestamp(built["now"], datetime.timezone.utc)
    result = cw.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric,
                                                                 "Dimensions": dims}, "Period": 60, "Stat": stat}}],
        StartTime=now - datetime.timedelta(minutes=minutes), EndTime=now + datetime.timedelta(seconds=1),
        ScanBy="TimestampAscending")["MetricDataResults"][0]
    # Keyed by whole minutes relative to the alarm (moto aligns periods to StartTime).
    return dict(zip([round((t.timestamp() - built["now"]) / 60) for t in result["Timestamps"]], result["Values"]))


def service_connect(builder, world):
    spec = spec_named("gateway-quotes-sc-deploy-python")
    built = builder.build(spec, now=world["now"])
    ecs, logs = builder.clients["ecs"], builder.clients["logs"]
    quotes = ecs.describe_services(cluster=built["cluster"], services=["quotes"])["services"][0]
    want = service_spec(spec, "quotes")
    check(quotes["desiredCount"] == want["desired"] and quotes["runningCount"] == want["running"],
          "DescribeServices counts are the spec's", str((quotes["desiredCount"], quotes["runningCount"])))
    primary = quotes["deployments"][0]
    check(re.fullmatch(r"ecs-svc/\d{19}", primary["id"]) is not None, "deployment ids look like ECS's", primary["id"])
    check(primary["status"] == "PRIMARY" and primary["rolloutState"] == "IN_PROGRESS" and primary["failedTasks"] == 5
          and primary["taskDefinition"].endswith(":31"), "the PRIMARY deployment is revision 31, IN_PROGRESS, 5 failed")
    alias = primary["serviceConnectConfiguration"]["services"][0]["clientAliases"][0]
    check(primary["serviceConnectConfiguration"]["enabled"] is True and alias == {"port": 8000, "dnsName": "quotes.internal"},
          "serviceConnectConfiguration carries the client alias quotes.internal:8000", str(alias))
    resource = primary["serviceConnectResources"][0]
    check(resource["discoveryName"] == "quotes" and resource["discoveryArn"].startswith("arn:aws:servicediscovery:"),
          "serviceConnectResources name the Cloud Map service")
    stopped = ecs.list_tasks(cluster=built["cluster"], serviceName="quotes", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=built["cluster"], tasks=stopped)["tasks"] if stopped else []
    check(len(tasks) == 5 and all(t["stopCode"] == "EssentialContainerExited" and t["containers"][0]["exitCode"] == 1
                                  for t in tasks), "five stopped tasks with exit code 1", str(len(tasks)))
    events = logs.filter_log_events(logGroupName=built["log_groups"]["quotes"])["events"]
    block = [line for line in want["logs"]["bursts"][0]["lines"] if line.strip()]
    firsts = [e for e in events if "Traceback (most recent call last):" == e["message"]]
    lasts = [e for e in events if e["message"].startswith("ModuleNotFoundError: No module named 'quotes.rating'")]
    check(firsts and len(firsts) == len(lasts) and len(events) == len(firsts) * len(block)
          and all("\n" not in e["message"] for e in events),
          "the multi-line traceback arrived as one event per line", "%d events, %d tracebacks" % (len(events), len(firsts)))
    gunicorn = [e["message"] for e in events if "[INFO] Starting gunicorn" in e["message"]]
    check(gunicorn and re.match(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[1\]", gunicorn[0]) is not None,
          "placeholders became the runtime's timestamps", gunicorn[0] if gunicorn else "")


def target_groups(builder, world):
    spec = spec_named("orders-bad-deploy-java")
    built = builder.build(spec, now=world["now"])
    cw, elb = builder.clients["cloudwatch"], builder.clients["elbv2"]
    lb = built["load_balancers"]["shop-public"]["dimension"]
    tg = built["target_groups"]["orders"]
    dims = [{"Name": "LoadBalancer", "Value": lb}, {"Name": "TargetGroup", "Value": tg["dimension"]}]
    healthy = metric_values(cw, built, "HealthyHostCount", dims, "Minimum")
    check(healthy.get(-20) == 3.0 and healthy.get(-1) == 1.0,
          "per-target-group HealthyHostCount follows its shape (3, then 1 after the step)", str(healthy))
    lb_dims = [{"Name": "LoadBalancer", "Value": lb}]
    elb5xx = metric_values(cw, built, "HTTPCode_ELB_5XX_Count", lb_dims, "Sum")
    e502 = metric_values(cw, built, "HTTPCode_ELB_502_Count", lb_dims, "Sum")
    e503 = metric_values(cw, built, "HTTPCode_ELB_503_Count", lb_dims, "Sum")
    check(elb5xx and all(v == e502[t] + e503[t] for t, v in elb5xx.items()) and elb5xx[-2] > 0 and elb5xx[-20] == 0,
          "HTTPCode_ELB_5XX_Count is the sum of the ELB codes and steps up at the incident")
    tg_requests = {name: metric_values(cw, built, "RequestCount",
                                       lb_dims + [{"Name": "TargetGroup", "Value": g["dimension"]}], "Sum")
                   for name, g in built["target_groups"].items()}
    lb_requests = metric_values(cw, built, "RequestCount", lb_dims, "Sum")
    check(all(lb_requests[t] == sum(r[t] for r in tg_requests.values()) + elb5xx[t] for t in lb_requests),
          "the load balancer's RequestCount adds up its target groups' (and its own 5XX)")
    states = {d["TargetHealth"]["State"]: d["TargetHealth"].get("Reason")
              for d in elb.describe_target_health(TargetGroupArn=tg["arn"])["TargetHealthDescriptions"]}
    check(states == {"healthy": None, "unhealthy": "Target.FailedHealthChecks", "initial": "Elb.InitialHealthChecking"},
          "DescribeTargetHealth answers the spec's states and reason codes", str(states))
    service = builder.clients["ecs"].describe_services(cluster=built["cluster"], services=["orders"])["services"][0]
    messages = [e["message"] for e in service["events"]]
    check("deployment failed: tasks failed to start." in messages[1] and messages[0].startswith("(service orders) rolling back"),
          "service events come newest first in ECS's wording", messages[0])
    checkout = builder.clients["ecs"].describe_services(cluster=built["cluster"], services=["checkout"])["services"][0]
    age = built["now"] - checkout["deployments"][0]["createdAt"].timestamp()
    check(3800 < age < 4000 and checkout["deployments"][0]["rolloutState"] == "COMPLETED",
          "the red-herring deployment completed about an hour before", str(age))


def partial_data(builder, world):
    spec = spec_named("sessions-redis-xray-denied-python")
    built = builder.build(spec, now=world["now"])
    xray = builder.clients["xray"]
    now = datetime.datetime.fromtimestamp(built["now"], datetime.timezone.utc)
    try:
        xray.get_trace_summaries(StartTime=now - datetime.timedelta(minutes=30), EndTime=now)
        denied = None
    except botocore.exceptions.ClientError as error:
        # moto answers X-Ray's denial in XML, which botocore cannot parse for a JSON API: read status and text.
        denied = (error.response["ResponseMetadata"]["HTTPStatusCode"], "is not authorized to perform" in str(error))
    check(denied == (403, True), "X-Ray reads are denied to the world's user by an IAM policy", str(denied))
    builder.fire_alarm(built)
    alarm = builder.clients["cloudwatch"].describe_alarms(AlarmNames=[built["alarm"]])["MetricAlarms"][0]
    check(alarm["StateValue"] == "ALARM" and abs(alarm["StateUpdatedTimestamp"].timestamp() - built["now"]) < 120,
          "the alarm fires at the scenario's now")
    reset = builder.reset()
    check("ecs" in reset["reset"] and not builder.clients["ecs"].list_clusters()["clusterArns"],
          "reset leaves no cluster behind")
    summaries = xray.get_trace_summaries(StartTime=now - datetime.timedelta(minutes=30), EndTime=now)
    check(summaries["TraceSummaries"] == [], "reset lifts the deny and leaves no traces behind")


def main():
    world = json.load(open(sys.argv[1]))
    world["now"] = datetime.datetime.now(datetime.timezone.utc).timestamp()
    builder = WorldBuilder(world)
    builder.reset()
    service_connect(builder, world)
    builder.reset()
    target_groups(builder, world)
    builder.reset()
    partial_data(builder, world)
    print("builder checks passed")


if __name__ == "__main__":
    main()
