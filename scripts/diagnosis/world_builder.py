"""Builds one incident scenario (a JSON spec, see scripts/diagnosis/README.md) into a running local
AWS world (scripts/emulator/aws_world.py) with boto3: moto's own APIs wherever moto has them, the
world's `/_world/...` endpoints where it does not (ECS deployments, events, counts and stopped-task
details, ELBv2 target health, the reset between scenarios).

Everything is placed relative to `now`, the moment the alarm fires: metrics every minute from 35
minutes before to now, log events, traces, deployments and events at offsets in seconds (negative
= before the alarm). Random choices (noise, task ids, IPs) come from a generator seeded with the
scenario's name, so one spec always builds the same world.

    builder = WorldBuilder(world_description)       # the JSON line aws_world.py prints
    built = builder.build(spec, now=time.time())    # after builder.reset() for the next one
    builder.fire_alarm(built)
"""
import json
import random
import re
import urllib.request

import boto3
from botocore.config import Config

import runtimes

ACCOUNT = "123456789012"
REGION = "us-east-1"
MINUTES_BEFORE = 35
USER = "triaged"
DENY_POLICY = "corpus-partial-data-deny"
SPEC_KEYS = {"name", "label", "region", "cluster", "load_balancers", "services", "alarm", "metrics", "traces",
             "partial", "notes"}
SERVICE_KEYS = {"name", "runtime", "port", "image", "load_balancer", "path", "desired", "running",
                "pending", "family", "revision", "cpu", "memory", "deployments", "events", "service_connect",
                "target_health", "stopped_tasks", "metrics", "logs", "launch_type", "container", "health_check"}


class SpecError(ValueError):
    """A scenario spec that cannot be built; the message names the scenario and the field."""


def post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


class Shape:
    """A metric over time: a number (constant) or {"base", "noise" (relative, ±), "steps": [[at, value]],
    "ramp": [from, to, value] (linear from base; a slow burn), "pulses": [[from, to, value]]}."""

    def __init__(self, spec, where):
        if isinstance(spec, (int, float)):
            spec = {"base": spec}
        if not isinstance(spec, dict) or not set(spec) <= {"base", "noise", "steps", "ramp", "pulses"}:
            raise SpecError("%s: a shape is a number or {base, noise, steps, ramp, pulses}, not %r" % (where, spec))
        self.base = float(spec.get("base", 0.0))
        self.noise = float(spec.get("noise", 0.0))
        self.steps = sorted((float(a), float(v)) for a, v in spec.get("steps", []))
        self.ramp = spec.get("ramp")
        self.pulses = spec.get("pulses", [])

    def value(self, offset, rng):
        v = self.base
        if self.ramp:
            start, end, target = self.ramp
            if offset >= start:
                v = self.base + (target - self.base) * min(1.0, (offset - start) / max(1.0, end - start))
        for at, value in self.steps:
            if offset >= at:
                v = value
        for start, end, value in self.pulses:
            if start <= offset < end:
                v = value
        if self.noise:
            v *= 1.0 + self.noise * rng.uniform(-1.0, 1.0)
        return max(0.0, v)


class WorldBuilder:
    def __init__(self, world):
        self.world = world
        # moto does not inflate gzip-compressed PutMetricData bodies; botocore would compress large ones.
        kw = dict(endpoint_url=world["moto"], region_name=REGION, aws_access_key_id=world["key_id"],
                  aws_secret_access_key=world["secret"], config=Config(disable_request_compression=True))
        self.clients = {name: boto3.client(name, **kw) for name in
                        ("ec2", "elbv2", "ecs", "logs", "cloudwatch", "xray", "sns", "s3", "iam")}

    def reset(self):
        """A clean world for the next scenario: every backend but IAM/STS emptied, and the
        partial-data deny policy of an earlier scenario taken off the world's user."""
        iam = self.clients["iam"]
        if DENY_POLICY in iam.list_user_policies(UserName=USER)["PolicyNames"]:
            iam.delete_user_policy(UserName=USER, PolicyName=DENY_POLICY)
        return post(self.world["standin"] + "/_world/reset", {})

    # ------------------------------------------------------------------ the whole scenario

    def build(self, spec, now):
        name = spec.get("name", "scenario")
        unknown = set(spec) - SPEC_KEYS
        if unknown:
            raise SpecError("%s: unknown keys %s" % (name, sorted(unknown)))
        for key in ("label", "cluster", "load_balancers", "services", "alarm"):
            if key not in spec:
                raise SpecError("%s: missing %r" % (name, key))
        self.rng = random.Random(name)
        self.now = now
        self.spec = spec
        self.cluster = spec["cluster"]
        out = {"name": name, "region": REGION, "cluster": self.cluster, "now": now, "services": {},
               "load_balancers": {}, "target_groups": {}, "log_groups": {}, "stopped_tasks": {}}
        self.out = out
        self._network()
        self._load_balancers(spec["load_balancers"])
        self.clients["ecs"].create_cluster(clusterName=self.cluster)
        for service in spec["services"]:
            unknown = set(service) - SERVICE_KEYS
            if unknown:
                raise SpecError("%s: service %s: unknown keys %s" % (name, service.get("name"), sorted(unknown)))
            self._service(service)
        self._metrics()
        self._traces(spec.get("traces", []))
        self._alarm(spec["alarm"])
        self.clients["s3"].create_bucket(Bucket="%s-incident-reports" % self.cluster)
        out["bucket"] = "%s-incident-reports" % self.cluster
        out["findings_topic"] = self.clients["sns"].create_topic(Name="%s-findings" % self.cluster)["TopicArn"]
        partial = spec.get("partial", {})
        if partial.get("xray") == "denied":
            # As in an account whose role may not read X-Ray: moto enforces the deny for the world's
            # user. `xray:*`, because moto names X-Ray actions after the REST path
            # (xray:TraceSummaries), so a deny of xray:GetTraceSummaries would not match there.
            self.clients["iam"].put_user_policy(UserName=USER, PolicyName=DENY_POLICY, PolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "xray:*", "Resource": "*"}]}))
        return out

    def fire_alarm(self, built, reason="Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold."):
        self.clients["cloudwatch"].set_alarm_state(AlarmName=built["alarm"], StateValue="ALARM", StateReason=reason)

    # ------------------------------------------------------------------ network and load balancers

    def _network(self):
        ec2 = self.clients["ec2"]
        self.vpc = ec2.create_vpc(CidrBlock="10.%d.0.0/16" % self.rng.randint(10, 200))["Vpc"]
        # DNS hostnames on, as in any VPC running Fargate tasks (each task's ENI gets a private DNS name).
        ec2.modify_vpc_attribute(VpcId=self.vpc["VpcId"], EnableDnsHostnames={"Value": True})
        base = self.vpc["CidrBlock"].rsplit(".", 2)[0]
        self.subnet_prefix = base
        self.subnets = [ec2.create_subnet(VpcId=self.vpc["VpcId"], CidrBlock="%s.%d.0/24" % (base, i),
                                          AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
                        for i, z in ((1, "a"), (2, "b"), (3, "c"))]
        self.sg = ec2.create_security_group(GroupName="%s-alb" % self.cluster, Description="load balancers",
                                            VpcId=self.vpc["VpcId"])["GroupId"]
        self.next_ip = 10

    def _ip(self):
        self.next_ip += 1
        return "%s.%d.%d" % (self.subnet_prefix, 1 + self.next_ip % 3, self.next_ip)

    def _load_balancers(self, lbs):
        elb = self.clients["elbv2"]
        self.lbs = {}
        for lb in lbs:
            created = elb.create_load_balancer(Name=lb["name"], Subnets=self.subnets, SecurityGroups=[self.sg],
                                               Scheme=lb.get("scheme", "internet-facing"), Type="application")
            arn = created["LoadBalancers"][0]["LoadBalancerArn"]
            dimension = arn.split(":loadbalancer/")[1]
            self.lbs[lb["name"]] = {"arn": arn, "dimension": dimension, "listener": None, "priority": 0,
                                    "groups": []}
            self.out["load_balancers"][lb["name"]] = {"arn": arn, "dimension": dimension,
                                                      "scheme": lb.get("scheme", "internet-facing")}

    def _target_group(self, service, name):
        elb = self.clients["elbv2"]
        lb = self.lbs.get(service["load_balancer"])
        if lb is None:
            raise SpecError("%s: service %s names load balancer %r, which the spec lacks"
                            % (self.spec["name"], name, service["load_balancer"]))
        port = service.get("port", 8080)
        tg_name = "%s-%s" % (self.cluster, name)
        tg_name = tg_name[:32].rstrip("-")
        check = service.get("health_check", {})
        tg = elb.create_target_group(Name=tg_name, Protocol="HTTP", Port=port, VpcId=self.vpc["VpcId"],
                                     TargetType="ip", HealthCheckPath=check.get("path", "/health"),
                                     HealthCheckIntervalSeconds=check.get("interval", 15),
                                     HealthyThresholdCount=2,
                                     UnhealthyThresholdCount=check.get("unhealthy_threshold", 3))["TargetGroups"][0]
        arn = tg["TargetGroupArn"]
        if lb["listener"] is None:
            lb["listener"] = elb.create_listener(
                LoadBalancerArn=lb["arn"], Protocol="HTTP", Port=80,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}])["Listeners"][0]["ListenerArn"]
        else:
            lb["priority"] += 1
            elb.create_rule(ListenerArn=lb["listener"], Priority=lb["priority"],
                            Conditions=[{"Field": "path-pattern", "Values": [service.get("path", "/%s/*" % name)]}],
                            Actions=[{"Type": "forward", "TargetGroupArn": arn}])
        lb["groups"].append(name)
        return tg_name, arn

    # ------------------------------------------------------------------ ECS service

    def _service(self, service):
        ecs, logs = self.clients["ecs"], self.clients["logs"]
        name = service["name"]
        runtime = service.get("runtime", "go")
        if runtime not in runtimes.RUNTIMES:
            raise SpecError("%s: service %s: runtime %r is not one of %s"
                            % (self.spec["name"], name, runtime, sorted(runtimes.RUNTIMES)))
        family = service.get("family", "%s-%s" % (self.cluster, name))
        container = service.get("container", name)
        revision = int(service.get("revision", self.rng.randint(3, 60)))
        port = service.get("port", 8080)
        group = "/ecs/%s" % family
        image_repo = "%s.dkr.ecr.%s.amazonaws.com/%s" % (ACCOUNT, REGION, name)
        partial = self.spec.get("partial", {})
        if name not in partial.get("missing_log_groups", []):
            logs.create_log_group(logGroupName=group)
            logs.put_retention_policy(logGroupName=group, retentionInDays=30)
        self.out["log_groups"][name] = group

        deployments = service.get("deployments") or [{"status": "PRIMARY", "revision": revision,
                                                       "created": -86400 * self.rng.randint(2, 20), "rollout": "COMPLETED"}]
        revisions = sorted({revision} | {int(d.get("revision", revision)) for d in deployments})
        arns = {}
        for rev in range(1, max(revisions) + 1):
            # Registering every revision up to the newest gives the families real revision numbers.
            image = self._image(service, rev, revision, image_repo)
            definition = ecs.register_task_definition(
                family=family, cpu=str(service.get("cpu", 512)), memory=str(service.get("memory", 1024)),
                networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                containerDefinitions=[{
                    "name": container, "image": image, "essential": True, "memory": int(service.get("memory", 1024)),
                    "portMappings": [{"containerPort": port, "protocol": "tcp", "name": "http"}],
                    "environment": [{"name": "PORT", "value": str(port)}],
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}},
                }])["taskDefinition"]
            arns[rev] = definition["taskDefinitionArn"]

        load_balancers = []
        tg_arn = None
        if service.get("load_balancer"):
            tg_name, tg_arn = self._target_group(service, name)
            load_balancers = [{"targetGroupArn": tg_arn, "containerName": container, "containerPort": port}]
            self.out["target_groups"][name] = {"arn": tg_arn, "name": tg_name, "load_balancer": service["load_balancer"],
                                               "dimension": "targetgroup/" + tg_arn.split(":targetgroup/")[1]}
        primary = next((d for d in deployments if d.get("status", "PRIMARY") == "PRIMARY"), deployments[0])
        desired = int(service.get("desired", 2))
        running = int(service.get("running", desired))
        pending = int(service.get("pending", max(0, desired - running) if primary.get("rollout") != "COMPLETED" else 0))
        ecs.create_service(cluster=self.cluster, serviceName=name, taskDefinition=arns[int(primary.get("revision", revision))],
                           desiredCount=desired, loadBalancers=load_balancers,
                           launchType=service.get("launch_type", "FARGATE"))

        # Running tasks (what the targets are), then the stopped ones with ECS's details.
        task_ids = []
        ips = []
        for _ in range(running):
            # Tasks of the PRIMARY deployment if it has any running, else of the current revision.
            rev = int(primary.get("revision", revision)) if primary.get("running", running) else revision
            task = ecs.run_task(cluster=self.cluster, taskDefinition=arns[rev], launchType="FARGATE",
                                group="service:%s" % name, startedBy=self._deployment_id(primary, name),
                                networkConfiguration=self._awsvpc())["tasks"][0]
            task_ids.append(task["taskArn"].split("/")[-1])
            details = {d["name"]: d["value"] for a in task.get("attachments", []) for d in a.get("details", [])}
            ips.append(details.get("privateIPv4Address") or self._ip())
        self.out["services"][name] = {"runtime": runtime, "family": family, "revision": revision,
                                      "task_definitions": {str(k): v for k, v in arns.items()}, "tasks": task_ids,
                                      "target_group": tg_arn, "ips": ips}
        deployment_docs = [self._deployment(d, name, arns, revision, service, desired, running, pending)
                           for d in deployments]
        events = self._events(service, name, task_ids, deployment_docs)
        post(self.world["standin"] + "/_world/ecs/service", {
            "cluster": self.cluster, "service": name, "deployments": deployment_docs, "events": events,
            "counts": {"desiredCount": desired, "runningCount": running, "pendingCount": pending}})
        if tg_arn:
            self._targets(service, tg_arn, ips, port)
        self._stopped_tasks(service, name, arns, revision, primary, container)
        self._logs(service, name, group, runtime, task_ids, container)

    def _awsvpc(self):
        return {"awsvpcConfiguration": {"subnets": self.subnets[:2], "securityGroups": [self.sg],
                                        "assignPublicIp": "DISABLED"}}

    def _image(self, service, rev, revision, repo):
        images = service.get("image")
        if isinstance(images, dict):
            return images.get(str(rev), "%s:%s" % (repo, runtimes.version(service["name"], rev)))
        if images and rev == revision:
            return images
        return "%s:%s" % (repo, runtimes.version(service["name"], rev))

    def _deployment_id(self, deployment, name):
        if "id" not in deployment:
            seed = random.Random("%s/%s/%s" % (self.spec["name"], name, deployment.get("created")))
            deployment["id"] = "ecs-svc/%019d" % seed.randint(10 ** 18, 10 ** 19 - 1)
        return deployment["id"]

    def _deployment(self, d, name, arns, revision, service, desired, running, pending):
        rev = int(d.get("revision", revision))
        status = d.get("status", "PRIMARY")
        rollout = d.get("rollout", "COMPLETED")
        created = self.now + d.get("created", -86400 * 3)
        doc = {
            "id": self._deployment_id(d, name), "status": status, "taskDefinition": arns[rev],
            "desiredCount": int(d.get("desired", desired if status == "PRIMARY" else 0)),
            "pendingCount": int(d.get("pending", pending if status == "PRIMARY" else 0)),
            "runningCount": int(d.get("running", running if status == "PRIMARY" else 0)),
            "failedTasks": int(d.get("failed", 0)),
            "createdAt": created, "updatedAt": self.now + d.get("updated", d.get("created", -86400 * 3)),
            "launchType": service.get("launch_type", "FARGATE"), "platformVersion": "1.4.0", "platformFamily": "Linux",
            "rolloutState": rollout,
            "rolloutStateReason": d.get("reason", {
                "COMPLETED": "ECS deployment %s completed." % d["id"],
                "IN_PROGRESS": "ECS deployment %s in progress." % d["id"],
                "FAILED": "ECS deployment circuit breaker: tasks failed to start."}[rollout]),
        }
        connect = service.get("service_connect")
        if connect:
            namespace = connect["namespace"]
            doc["serviceConnectConfiguration"] = {
                "enabled": True, "namespace": namespace,
                "services": [{"portName": s.get("portName", "http"), "discoveryName": s["discoveryName"],
                              "clientAliases": [{"port": a["port"], "dnsName": a["dnsName"]} for a in s.get("clientAliases", [])]}
                             for s in connect.get("services", [])]}
            doc["serviceConnectResources"] = [
                {"discoveryName": s["discoveryName"],
                 "discoveryArn": "arn:aws:servicediscovery:%s:%s:service/srv-%s" % (
                     REGION, ACCOUNT, "".join(random.Random(s["discoveryName"]).choice("abcdefghijklmnopqrstuvwxyz234567")
                                               for _ in range(16)))}
                for s in connect.get("services", [])]
        return doc

    def _fill(self, text, name, task_ids, deployment_docs):
        tg = self.out["target_groups"].get(name, {})
        tg_arn = tg.get("arn", "")
        values = {"service": name, "cluster": self.cluster, "tg": tg_arn,
                  "task": task_ids[0] if task_ids else "%032x" % self.rng.getrandbits(128),
                  "task2": task_ids[1] if len(task_ids) > 1 else "%032x" % self.rng.getrandbits(128),
                  "newtask": "%032x" % self.rng.getrandbits(128),
                  "deployment": deployment_docs[0]["id"] if deployment_docs else "",
                  "old_deployment": deployment_docs[-1]["id"] if deployment_docs else "",
                  "ip": self.out["services"][name]["ips"][0] if self.out["services"][name]["ips"] else "10.0.1.9"}
        # Every {newtask} is a task of its own.
        text = re.sub(r"\{newtask\}", lambda _: "%032x" % self.rng.getrandbits(128), text)
        try:
            return text.format(**values)
        except (KeyError, IndexError) as error:
            raise SpecError("%s: service %s: unknown placeholder %s in %r" % (self.spec["name"], name, error, text))

    def _events(self, service, name, task_ids, deployment_docs):
        events = service.get("events")
        if events is None:
            # What a quiet service's log looks like: ECS repeats "steady state" about every six hours.
            events = [{"at": -3600 * h - self.rng.randint(0, 900), "message": "(service {service}) has reached a steady state."}
                      for h in (1, 7, 13)]
        docs = []
        for event in sorted(events, key=lambda e: -e["at"]):
            docs.append({"id": "%08x-%04x-4%03x-a%03x-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(16),
                                                                 self.rng.getrandbits(12), self.rng.getrandbits(12),
                                                                 self.rng.getrandbits(48)),
                         "createdAt": self.now + event["at"],
                         "message": self._fill(event["message"], name, task_ids, deployment_docs)})
        return docs  # newest first, as ECS returns them

    def _targets(self, service, tg_arn, ips, port):
        """The running tasks' IPs are the targets; `target_health` sets their states in order, and
        entries with `"extra": true` are targets of tasks gone or just starting (draining, initial)."""
        elb = self.clients["elbv2"]
        health = service.get("target_health", [])
        own = [h for h in health if not h.get("extra")]
        extra = [h for h in health if h.get("extra")]
        new = [self._ip() for _ in extra]
        if ips or new:
            elb.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ip, "Port": port} for ip in ips + new])
        pairs = list(zip(ips, own)) + list(zip(new, extra))
        targets = [{"id": ip, "state": h["state"], "reason": h.get("reason"), "description": h.get("description")}
                   for ip, h in pairs]
        if targets:
            post(self.world["standin"] + "/_world/elbv2/target-health", {"targetGroupArn": tg_arn, "targets": targets})

    def _stopped_tasks(self, service, name, arns, revision, primary, container):
        ecs = self.clients["ecs"]
        stopped = []
        for entry in service.get("stopped_tasks", []):
            for k in range(int(entry.get("count", 1))):
                at = entry["at"] + k * entry.get("every", 60)
                rev = int(entry.get("revision", primary.get("revision", revision)))
                task = ecs.run_task(cluster=self.cluster, taskDefinition=arns[rev], launchType="FARGATE",
                                    group="service:%s" % name, startedBy=self._deployment_id(primary, name),
                                    networkConfiguration=self._awsvpc())["tasks"][0]
                task_id = task["taskArn"].split("/")[-1]
                reason = entry.get("stoppedReason", "Essential container in task exited")
                reason = reason.replace("{tg}", self.out["target_groups"].get(name, {}).get("arn", ""))
                post(self.world["standin"] + "/_world/ecs/stop-task", {
                    "cluster": self.cluster, "task": task_id, "stopCode": entry.get("stopCode", "EssentialContainerExited"),
                    "stoppedReason": reason, "stoppedAt": self.now + at,
                    "containers": [{"name": container, "exitCode": entry.get("exitCode"), "reason": entry.get("reason")}]})
                stopped.append(task_id)
        self.out["stopped_tasks"][name] = stopped

    # ------------------------------------------------------------------ logs

    def _logs(self, service, name, group, runtime, task_ids, container):
        if name in self.spec.get("partial", {}).get("missing_log_groups", []):
            return
        logs = self.clients["logs"]
        spec = service.get("logs", {})
        streams = ["ecs/%s/%s" % (container, t) for t in task_ids] or ["ecs/%s/%032x" % (container, self.rng.getrandbits(128))]
        per_stream = {s: [] for s in streams}
        start = -MINUTES_BEFORE * 60
        context = {"service": name, "port": service.get("port", 8080), "runtime": runtime}
        if spec.get("background", True) and service.get("running", service.get("desired", 2)) > 0:
            every = spec.get("rate", 20)
            for index, stream in enumerate(streams):
                t = start + self.rng.uniform(0, every)
                while t < 0:
                    per_stream[stream].append((t, runtimes.background(runtime, context, self.rng, self.now + t)))
                    t += every * self.rng.uniform(0.6, 1.4)
        for noise in spec.get("noise", []):
            self._repeat(per_stream, streams, noise, context, runtime, default_from=start)
        for burst in spec.get("bursts", []):
            self._repeat(per_stream, streams, burst, context, runtime, default_from=-600)
        for stream, events in per_stream.items():
            if not events:
                continue
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            events.sort(key=lambda e: e[0])
            batch = [{"timestamp": int((self.now + t) * 1000), "message": m} for t, m in events]
            for i in range(0, len(batch), 5000):
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch[i:i + 5000])

    def _repeat(self, per_stream, streams, entry, context, runtime, default_from):
        """A block of lines repeated every `every` seconds in [from, to); one CloudWatch event per
        non-empty line, as the awslogs driver writes a multi-line stack trace (1 ms apart)."""
        lines = entry["lines"] if "lines" in entry else [entry["line"]]
        start, end = entry.get("from", default_from), entry.get("to", 0)
        every = entry.get("every", 30)
        chosen = [streams[i % len(streams)] for i in entry["streams"]] if "streams" in entry else streams
        t = start + self.rng.uniform(0, min(every, 5))
        n = 0
        while t < end and n < entry.get("max", 10 ** 6):
            stream = chosen[n % len(chosen)]
            for k, line in enumerate(lines):
                if line.strip():  # the awslogs driver sends no event for an empty line
                    per_stream[stream].append((t + k / 1000.0, runtimes.render(line, context, self.rng, self.now + t, n)))
            n += 1
            t += every * (self.rng.uniform(0.7, 1.3) if entry.get("jitter", True) else 1.0)

    # ------------------------------------------------------------------ metrics

    def _metrics(self):
        cw = self.clients["cloudwatch"]
        data = {"AWS/ApplicationELB": [], "AWS/ECS": [], "ECS/ContainerInsights": []}
        offsets = [-60 * m for m in range(MINUTES_BEFORE, -1, -1)]
        lb_specs = self.spec.get("metrics", {})
        for lb_name, lb in self.lbs.items():
            extra = lb_specs.get(lb_name, {})
            unknown = set(extra) - {"HTTPCode_ELB_500_Count", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count",
                                    "HTTPCode_ELB_504_Count", "HTTPCode_ELB_5XX_Count", "TargetConnectionErrorCount",
                                    "HTTPCode_ELB_4XX_Count", "RejectedConnectionCount"}
            if unknown:
                raise SpecError("%s: metrics of %s: unknown %s" % (self.spec["name"], lb_name, sorted(unknown)))
            lb_dims = [{"Name": "LoadBalancer", "Value": lb["dimension"]}]
            groups = [(name, self._tg_shapes(name)) for name in lb["groups"]]
            elb_shapes = {k: Shape(v, "%s %s" % (lb_name, k)) for k, v in extra.items()}
            for offset in offsets:
                ts = self.now + offset
                total_requests = total_5xx = weighted = 0.0
                for name, shapes in groups:
                    tg_dims = lb_dims + [{"Name": "TargetGroup", "Value": self.out["target_groups"][name]["dimension"]}]
                    requests = round(shapes["requests"].value(offset, self.rng))
                    target_5xx = min(requests, round(shapes["target_5xx"].value(offset, self.rng)))
                    latency = shapes["latency"].value(offset, self.rng)
                    healthy = round(shapes["healthy"].value(offset, self.rng))
                    unhealthy = round(shapes["unhealthy"].value(offset, self.rng))
                    total_requests += requests
                    total_5xx += target_5xx
                    weighted += latency * requests
                    for metric, value, unit in (("RequestCount", requests, "Count"),
                                                ("HTTPCode_Target_5XX_Count", target_5xx, "Count"),
                                                ("HTTPCode_Target_2XX_Count", max(0, requests - target_5xx), "Count"),
                                                ("HealthyHostCount", healthy, "Count"),
                                                ("UnHealthyHostCount", unhealthy, "Count")):
                        data["AWS/ApplicationELB"].append({"MetricName": metric, "Dimensions": tg_dims, "Timestamp": ts,
                                                           "Value": float(value), "Unit": unit})
                    data["AWS/ApplicationELB"].append(self._latency(tg_dims, ts, latency))
                elb = {k: round(s.value(offset, self.rng)) for k, s in elb_shapes.items()}
                if "HTTPCode_ELB_5XX_Count" not in elb:
                    elb["HTTPCode_ELB_5XX_Count"] = sum(elb.get(k, 0) for k in (
                        "HTTPCode_ELB_500_Count", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count", "HTTPCode_ELB_504_Count"))
                for k in ("HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count", "HTTPCode_ELB_504_Count"):
                    elb.setdefault(k, 0)
                elb_total = elb["HTTPCode_ELB_5XX_Count"]
                for metric, value in list(elb.items()) + [("RequestCount", total_requests + elb_total),
                                                          ("HTTPCode_Target_5XX_Count", total_5xx)]:
                    data["AWS/ApplicationELB"].append({"MetricName": metric, "Dimensions": lb_dims, "Timestamp": ts,
                                                       "Value": float(value), "Unit": "Count"})
                if total_requests:
                    data["AWS/ApplicationELB"].append(self._latency(lb_dims, ts, weighted / total_requests))
        for service in self.spec["services"]:
            name = service["name"]
            metrics = service.get("metrics", {})
            running = service.get("running", service.get("desired", 2))
            cpu = Shape(metrics.get("cpu", {"base": self.rng.uniform(12, 40), "noise": 0.15}), name + " cpu")
            memory = Shape(metrics.get("memory", {"base": self.rng.uniform(30, 60), "noise": 0.03}), name + " memory")
            tasks = Shape(metrics.get("running_tasks", running), name + " running_tasks")
            dims = [{"Name": "ClusterName", "Value": self.cluster}, {"Name": "ServiceName", "Value": name}]
            for offset in offsets:
                ts = self.now + offset
                data["AWS/ECS"].append({"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": ts,
                                        "Value": min(100.0, cpu.value(offset, self.rng)), "Unit": "Percent"})
                data["AWS/ECS"].append({"MetricName": "MemoryUtilization", "Dimensions": dims, "Timestamp": ts,
                                        "Value": min(100.0, memory.value(offset, self.rng)), "Unit": "Percent"})
                data["ECS/ContainerInsights"].append({"MetricName": "RunningTaskCount", "Dimensions": dims,
                                                      "Timestamp": ts, "Value": float(round(tasks.value(offset, self.rng))),
                                                      "Unit": "Count"})
        for namespace, items in data.items():
            for i in range(0, len(items), 500):
                cw.put_metric_data(Namespace=namespace, MetricData=items[i:i + 500])

    def _tg_shapes(self, name):
        service = next(s for s in self.spec["services"] if s["name"] == name)
        metrics = service.get("metrics", {})
        running = service.get("running", service.get("desired", 2))
        unknown = set(metrics) - {"requests", "target_5xx", "latency", "healthy", "unhealthy", "cpu", "memory",
                                  "running_tasks"}
        if unknown:
            raise SpecError("%s: service %s metrics: unknown %s" % (self.spec["name"], name, sorted(unknown)))
        unhealthy_now = sum(1 for h in service.get("target_health", []) if h["state"] == "unhealthy")
        defaults = {"requests": {"base": self.rng.choice([120, 240, 400, 650, 900]), "noise": 0.08},
                    "target_5xx": 0, "latency": {"base": self.rng.uniform(0.02, 0.15), "noise": 0.1},
                    "healthy": max(0, running - unhealthy_now), "unhealthy": 0}
        return {k: Shape(metrics.get(k, defaults[k]), "%s %s" % (name, k)) for k in defaults}

    @staticmethod
    def _latency(dims, ts, value):
        # Several samples a minute, a tail among them: p50 and p99 of a minute differ as they do.
        return {"MetricName": "TargetResponseTime", "Dimensions": dims, "Timestamp": ts, "Unit": "Seconds",
                "Values": [value * 0.6, value * 0.8, value, value * 1.1, value * 1.3, value * 3.0],
                "Counts": [20.0, 30.0, 30.0, 10.0, 8.0, 2.0]}

    # ------------------------------------------------------------------ traces

    def _traces(self, groups):
        partial = self.spec.get("partial", {})
        if partial.get("xray") == "off":
            return  # tracing was never on: no daemon sidecar, no segments
        docs = []
        for group in groups:
            for k in range(int(group.get("count", 5))):
                start = self.now + group.get("from", -300) + (group.get("to", 0) - group.get("from", -300)) * k / max(1, group.get("count", 5))
                duration = group.get("duration", 0.05)
                trace_id = "1-%08x-%024x" % (int(start), self.rng.getrandbits(96))
                status = group.get("status", 200)
                doc = {"id": "%016x" % self.rng.getrandbits(64), "name": group["service"], "trace_id": trace_id,
                       "start_time": start, "end_time": start + duration, "origin": "AWS::ECS::Container",
                       "http": {"request": {"method": group.get("method", "GET"),
                                            "url": "http://%s%s" % (group.get("host", "api.example.com"), group.get("url", "/"))},
                                "response": {"status": status}}}
                for flag in ("fault", "error", "throttle"):
                    if group.get(flag, flag == "fault" and status >= 500) is True:
                        doc[flag] = True
                if group.get("exception"):
                    doc["cause"] = {"exceptions": [{"id": "%016x" % self.rng.getrandbits(64), "message": group["exception"],
                                                    "type": group.get("exception_type", "Error")}]}
                subs = []
                for sub in group.get("subsegments", []):
                    s = {"id": "%016x" % self.rng.getrandbits(64), "name": sub["name"], "namespace": sub.get("namespace", "remote"),
                         "start_time": start + 0.001, "end_time": start + duration - 0.001}
                    if sub.get("status"):
                        s["http"] = {"request": {"method": sub.get("method", "GET"), "url": sub.get("url", "http://%s/" % sub["name"])},
                                     "response": {"status": sub["status"]}}
                    if sub.get("operation"):
                        s["aws"] = {"operation": sub["operation"], "region": REGION,
                                    "table_name": sub.get("table"), "stream_name": sub.get("stream"),
                                    "retries": sub.get("retries", 0)}
                        s["aws"] = {k: v for k, v in s["aws"].items() if v is not None}
                    for flag in ("fault", "error", "throttle"):
                        if sub.get(flag):
                            s[flag] = True
                    if sub.get("exception"):
                        s["cause"] = {"exceptions": [{"id": "%016x" % self.rng.getrandbits(64), "message": sub["exception"],
                                                      "type": sub.get("exception_type", "Error"), "remote": True}]}
                    subs.append(s)
                if subs:
                    doc["subsegments"] = subs
                docs.append(json.dumps(doc))
        for i in range(0, len(docs), 50):
            self.clients["xray"].put_trace_segments(TraceSegmentDocuments=docs[i:i + 50])

    # ------------------------------------------------------------------ the alarm

    def _alarm(self, alarm):
        cw = self.clients["cloudwatch"]
        lb = self.lbs.get(alarm.get("load_balancer") or next(iter(self.lbs)))
        dims = [{"Name": "LoadBalancer", "Value": lb["dimension"]}]
        if alarm.get("target_group"):
            dims.append({"Name": "TargetGroup", "Value": self.out["target_groups"][alarm["target_group"]]["dimension"]})
        topic = self.clients["sns"].create_topic(Name="%s-alarms" % self.cluster)["TopicArn"]
        cw.put_metric_alarm(
            AlarmName=alarm["name"], AlarmDescription=alarm.get("description", "5XX responses above threshold"),
            MetricName=alarm.get("metric", "HTTPCode_ELB_5XX_Count"), Namespace="AWS/ApplicationELB",
            Statistic="Sum", Period=alarm.get("period", 60), EvaluationPeriods=alarm.get("evaluation_periods", 1),
            Threshold=float(alarm.get("threshold", 10)), ComparisonOperator="GreaterThanThreshold", Dimensions=dims,
            AlarmActions=[topic], OKActions=[topic], TreatMissingData="notBreaching")
        self.out["alarm"] = alarm["name"]
        self.out["alarm_topic"] = topic
