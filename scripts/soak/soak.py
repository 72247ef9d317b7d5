"""make soak: triaged run under faults and load on the local AWS world.

  faults     N incidents through `triaged run` behind a proxy that fails ~20% of AWS calls (503s,
             throttling of each protocol family, connection resets, multi-second stalls): every
             incident delivered exactly once (S3 objects and SNS messages counted), the intake
             queue drained, no unhandled error.
  crash      N incidents while the daemon is killed with SIGKILL at random moments and restarted:
             still exactly one report and one notification per incident.
  storm      M alarm messages for T distinct transitions on a few load balancers, all at once
             (duplicates, correlated alarms), Bedrock stand-in answering in 200 ms: every transition
             in exactly one incident, no incident spanning two load balancers, one report and one
             notification per incident, the worker bound held, peak RSS under 100 MB; time reported.
  instances  three daemons with claims in S3 on one queue, N incidents: each investigated once.

usage: python3 scripts/soak/soak.py BINARY [--short] [TEST ...]
Prints the figures; exits 1 when any check fails.
"""
import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts/emulator"))
from fault_proxy import FaultProxy  # noqa: E402
from local_world import LocalWorld as World  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def alarm_message(name, load_balancer, when_ms):
    """The SQS body CloudWatch -> SNS -> SQS delivers for an alarm going into ALARM."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when_ms / 1000)) + ".%03d+0000" % (when_ms % 1000)
    notification = {
        "AlarmName": name, "AlarmDescription": None, "AWSAccountId": ACCOUNT, "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed (soak)", "StateChangeTime": stamp, "Region": "US East (N. Virginia)",
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}", "OldStateValue": "OK",
        "Trigger": {"MetricName": "HTTPCode_ELB_5XX_Count", "Namespace": "AWS/ApplicationELB",
                    "StatisticType": "Statistic", "Statistic": "SUM", "Unit": None, "Period": 60,
                    "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 10.0,
                    "Dimensions": [{"value": load_balancer, "name": "LoadBalancer"}]},
    }
    return json.dumps({"Type": "Notification", "MessageId": f"soak-{name}-{when_ms}",
                       "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:prodapp-alarms", "Subject": f"ALARM: {name}",
                       "Message": json.dumps(notification), "Timestamp": stamp.replace("+0000", "Z")})


def send_all(world, bodies):
    sqs = world.client("sqs")
    url = world.scenario["intake_queue"]
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        check(not result.get("Failed"), f"SendMessageBatch failed: {result.get('Failed')}")


def write_config(path, world, state, endpoint=None, workers=4, bedrock=False, claims="local",
                 correlation="0s", load_balancer=True):
    scenario = world.scenario
    lines = [
        "aws:", f"  region: {REGION}", f"  endpoint_url: {endpoint or world.description['moto']}",
        "  endpoints:", f"    bedrock-runtime: {world.description['bedrock']}", "  allow_http: true",
        "intake:", "  poll_interval: 0s", f"  queue_url: {scenario['intake_queue']}",
        f"  correlation_window: {correlation}", "  visibility_timeout: 15s",
        "collect:", "  window_before: 30m",
        *( [f"  load_balancer: {scenario['load_balancer']}"] if load_balancer else [] ),
        "  ecs:", f"    cluster: {scenario['cluster']}",
        "analysis:", "  bedrock:", f"    enabled: {'true' if bedrock else 'false'}",
        "    model_id: amazon.nova-lite-v1:0", "    timeout: 30s",
        "report:", "  s3:", f"    bucket: {scenario['bucket']}", "  sns:", f"    topic_arn: {scenario['findings_topic']}",
        "state:", f"  dir: {state}", f"  claims: {claims}",
        f"workers: {workers}", "drain_timeout: 20s",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Daemon:
    def __init__(self, binary, config, world, log_path):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.path.dirname(log_path),
               **world.environment}
        self.log_path = log_path
        self.process = subprocess.Popen([binary, "run", "--config", config], env=env,
                                        stdout=open(log_path, "a"), stderr=subprocess.STDOUT)
        self.peak_rss = 0.0
        self.sampling = True
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self):
        while self.sampling and self.process.poll() is None:
            try:
                with open(f"/proc/{self.process.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_rss = max(self.peak_rss, int(line.split()[1]) / 1024)
            except OSError:
                return
            time.sleep(0.1)

    def terminate(self, timeout=60):
        self.sampling = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self):
        self.sampling = False
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def log_events(path):
    events = []
    with open(path) as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if "msg" in event:
                events.append(event)
    return events


def reports(world):
    s3 = world.client("s3")
    keys = []
    # No Prefix parameter: moto rejects the signature of a percent-encoded "/" in the query.
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=world.scenario["bucket"]):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].startswith("incidents/")]
    return collections.Counter(key.split("/")[-2] for key in keys if key.endswith("/report.json"))


def notifications(world):
    sqs = world.client("sqs")
    counts = collections.Counter()
    while True:
        batch = sqs.receive_message(QueueUrl=world.scenario["findings_queue"], MaxNumberOfMessages=10,
                                    WaitTimeSeconds=1, MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return counts
        for message in batch:
            envelope = json.loads(message["Body"])
            incident = next((line.split()[1] for line in envelope["Message"].split("\n")
                             if line.startswith("Incident ")), "?")
            counts[incident] += 1
            sqs.delete_message(QueueUrl=world.scenario["findings_queue"], ReceiptHandle=message["ReceiptHandle"])


def queue_depth(world):
    attributes = world.client("sqs").get_queue_attributes(
        QueueUrl=world.scenario["intake_queue"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise Failure(f"gave up waiting for {what} after {timeout:.0f} s")


def exactly_once(world, expected):
    got_reports = reports(world)
    got_notes = notifications(world)
    check(len(got_reports) == expected, f"{len(got_reports)} reports for {expected} incidents")
    check(all(count == 1 for count in got_reports.values()), "an incident has two report.json")
    check(len(got_notes) == expected and all(count == 1 for count in got_notes.values()),
          f"notifications per incident: {dict(collections.Counter(got_notes.values()))} for {expected} incidents")
    check(set(got_notes) == set(got_reports), "notifications and reports name different incidents")
    return len(got_reports), sum(got_notes.values())


# ---------------------------------------------------------------------------------------------

def test_faults(binary, scratch, size):
    world = World(scratch)
    proxy = FaultProxy(world.description["moto"], rate=0.2, stall=2.5, seed=7).start()
    daemon = None
    try:
        now = int(time.time() * 1000)
        send_all(world, [alarm_message(f"fault-{i}", world.scenario["load_balancer"], now - i * 1000)
                         for i in range(size)])
        config = os.path.join(scratch, "faults.yaml")
        write_config(config, world, os.path.join(scratch, "faults-state"), endpoint=proxy.endpoint)
        log = os.path.join(scratch, "faults.log")
        started = time.monotonic()
        daemon = Daemon(binary, config, world, log)
        wait_for(lambda: sum(1 for e in log_events(log) if e["msg"] == "report delivered") >= size,
                 120 + size * 10, f"{size} reports through the faults")
        elapsed = time.monotonic() - started
        wait_for(lambda: queue_depth(world) == 0, 60, "the intake queue to drain")
        status = daemon.terminate()
        check(status == 0, f"triaged exited {status}")
        delivered, notified = exactly_once(world, size)
        events = log_events(log)
        crashes = [e for e in events if e["level"] in ("critical",)]
        check(not crashes, f"critical log lines: {crashes[:3]}")
        faults = proxy.snapshot()
        injected = sum(faults[f] for f in ("unavailable", "throttle", "reset", "stall"))
        check(injected > 0, "the proxy injected no fault")
        retried = sum(1 for e in events if e["msg"] == "incident failed; it will be retried")
        return {"incidents": size, "reports": delivered, "notifications": notified,
                "aws calls": faults["calls"], "faults injected": injected,
                "503/throttle/reset/stall": "/".join(str(faults[f]) for f in ("unavailable", "throttle", "reset", "stall")),
                "incidents retried": retried, "seconds": round(elapsed, 1)}
    finally:
        if daemon:
            daemon.kill()
        proxy.stop()
        world.stop()


def test_crash(binary, scratch, size):
    world = World(scratch)
    daemon = None
    try:
        now = int(time.time() * 1000)
        send_all(world, [alarm_message(f"crash-{i}", world.scenario["load_balancer"], now - i * 1000)
                         for i in range(size)])
        config = os.path.join(scratch, "crash.yaml")
        write_config(config, world, os.path.join(scratch, "crash-state"), workers=2)
        log = os.path.join(scratch, "crash.log")
        rng = random.Random(11)
        kills = 0
        started = time.monotonic()
        deadline = started + 120 + size * 10
        while time.monotonic() < deadline:
            daemon = Daemon(binary, config, world, log)
            if len(reports(world)) >= size and queue_depth(world) == 0:
                # Give the last run time to finish any resumed work, then stop it cleanly.
                time.sleep(2)
                check(daemon.terminate() == 0, "triaged did not exit cleanly")
                break
            time.sleep(rng.uniform(0.2, 2.5))
            daemon.kill()
            kills += 1
        else:
            raise Failure(f"not all {size} incidents delivered within the time allowed ({len(reports(world))} done)")
        # Messages a kill left invisible come back after their visibility timeout: a final run must
        # recognise every one of them as delivered, not notify again.
        delivered, notified = exactly_once(world, size)
        return {"incidents": size, "kill -9": kills, "reports": delivered, "notifications": notified,
                "seconds": round(time.monotonic() - started, 1)}
    finally:
        if daemon:
            daemon.kill()
        world.stop()


def test_storm(binary, scratch, messages, transitions):
    world = World(scratch, scenario="healthy")
    daemon = None
    try:
        world.bedrock({"latency_seconds": 0.2})
        balancers = [f"app/storm-{k}/{1000 + k:x}" for k in range(max(1, transitions // 4))]
        now = int(time.time() * 1000)
        distinct = []
        for t in range(transitions):
            lb = balancers[t % len(balancers)]
            distinct.append((f"storm-{t}", lb, now - 60_000 + (t // len(balancers)) * 1000))
        rng = random.Random(5)
        bodies = [alarm_message(*d) for d in distinct]
        bodies += [alarm_message(*rng.choice(distinct)) for _ in range(messages - transitions)]
        rng.shuffle(bodies)
        send_all(world, bodies)
        workers = 4
        config = os.path.join(scratch, "storm.yaml")
        write_config(config, world, os.path.join(scratch, "storm-state"), workers=workers, bedrock=True,
                     correlation="5m", load_balancer=False)
        log = os.path.join(scratch, "storm.log")
        started = time.monotonic()
        daemon = Daemon(binary, config, world, log)

        def done():
            if queue_depth(world) != 0:
                return False
            state = os.path.join(scratch, "storm-state", "incidents.json")
            if not os.path.exists(state):
                return False
            with open(state) as f:
                tracker = json.load(f)
            return tracker["incidents"] and all(i["phase"] == "delivered" for i in tracker["incidents"].values())

        wait_for(done, 600, "the storm to be delivered")
        elapsed = time.monotonic() - started
        peak = daemon.peak_rss
        check(daemon.terminate() == 0, "triaged did not exit cleanly")
        with open(os.path.join(scratch, "storm-state", "incidents.json")) as f:
            tracker = json.load(f)
        incidents = tracker["incidents"]
        check(len(tracker["transitions"]) == transitions,
              f"{len(tracker['transitions'])} transitions recorded for {transitions} sent")
        for incident in incidents.values():
            lbs = {lb for name, lb, _ in distinct if any(a["name"] == name for a in incident["alarms"])}
            check(len(lbs) == 1, f"incident {incident['id']} spans load balancers {lbs}")
        opened = sum(1 for e in log_events(log) if e["msg"] == "incident opened")
        check(opened == len(incidents), f"{opened} incidents opened, {len(incidents)} in the state")
        delivered, notified = exactly_once(world, len(incidents))
        # The worker bound, seen from outside: model calls in flight at once (each takes 200 ms).
        calls = sorted(r["time"] for r in world.bedrock_requests())
        overlap = max((sum(1 for s in calls if t <= s < t + 0.2) for t in calls), default=0)
        check(overlap <= workers, f"{overlap} model calls at once with {workers} workers")
        check(peak < 100, f"peak RSS {peak:.1f} MB")
        return {"messages": messages, "transitions": transitions, "load balancers": len(balancers),
                "incidents": len(incidents), "reports": delivered, "notifications": notified,
                "model calls": len(calls), "max model calls at once": overlap, "workers": workers,
                "peak RSS MB": round(peak, 1), "seconds to all reports": round(elapsed, 1)}
    finally:
        if daemon:
            daemon.kill()
        world.stop()


def test_instances(binary, scratch, size):
    world = World(scratch)
    daemons = []
    try:
        now = int(time.time() * 1000)
        send_all(world, [alarm_message(f"multi-{i}", world.scenario["load_balancer"], now - i * 1000)
                         for i in range(size)])
        logs = []
        for name in ("a", "b", "c"):
            config = os.path.join(scratch, f"instance-{name}.yaml")
            write_config(config, world, os.path.join(scratch, f"state-{name}"), workers=2, claims="s3")
            logs.append(os.path.join(scratch, f"instance-{name}.log"))
            daemons.append(Daemon(binary, config, world, logs[-1]))
        started = time.monotonic()
        wait_for(lambda: len(reports(world)) >= size and queue_depth(world) == 0, 120 + size * 5,
                 f"{size} reports from three instances")
        elapsed = time.monotonic() - started
        time.sleep(2)
        for daemon in daemons:
            check(daemon.terminate() == 0, "an instance did not exit cleanly")
        investigated = collections.Counter()
        per_instance = []
        for log in logs:
            ids = [e["incident.id"] for e in log_events(log) if e["msg"] == "incident investigated"]
            per_instance.append(len(ids))
            investigated.update(ids)
        check(len(investigated) == size, f"{len(investigated)} incidents investigated for {size}")
        twice = [i for i, c in investigated.items() if c > 1]
        check(not twice, f"investigated more than once: {twice[:5]}")
        delivered, notified = exactly_once(world, size)
        return {"incidents": size, "investigations per instance": "/".join(map(str, per_instance)),
                "reports": delivered, "notifications": notified, "seconds": round(elapsed, 1)}
    finally:
        for daemon in daemons:
            daemon.kill()
        world.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--short", action="store_true", help="the small version that runs in make test")
    parser.add_argument("tests", nargs="*", default=["faults", "crash", "storm", "instances"])
    args = parser.parse_intermixed_args()
    sizes = ({"faults": 8, "crash": 5, "storm": (60, 24), "instances": 12} if args.short
             else {"faults": 50, "crash": 30, "storm": (500, 200), "instances": 100})
    failed = False
    for name in args.tests:
        scratch = tempfile.mkdtemp(prefix=f"triaged-soak-{name}-")
        started = time.monotonic()
        try:
            if name == "faults":
                figures = test_faults(args.binary, scratch, sizes["faults"])
            elif name == "crash":
                figures = test_crash(args.binary, scratch, sizes["crash"])
            elif name == "storm":
                figures = test_storm(args.binary, scratch, *sizes["storm"])
            elif name == "instances":
                figures = test_instances(args.binary, scratch, sizes["instances"])
            else:
                raise Failure(f"unknown test {name}")
            print(f"soak {name}: PASS in {time.monotonic() - started:.0f} s")
            for key, value in figures.items():
                print(f"  {key:<28} {value}")
            subprocess.run(["rm", "-rf", scratch])
        except Exception as failure:  # a harness error fails the test as clearly as a failed check
            failed = True
            print(f"soak {name}: FAIL: {type(failure).__name__}: {failure} (logs kept in {scratch})")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
