"""make demo: the daemon's main job end to end on the local AWS world, no AWS account needed.

Starts the local AWS world (moto + extensions, loopback only), builds a scenario (an ALB in front of
three ECS services; in the default one a bad deployment crashes the api service's tasks; background
traffic, logs and metrics; the ALB 5XX alarm wired to SNS -> SQS), starts `triaged run` against it,
fires the alarm, waits for the report, prints the Markdown report and where the files are (also
copied to ./demo-output/), then stops everything it started.

usage: python3 scripts/demo/demo.py BINARY [--scenario NAME]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts/emulator"))
from local_world import LocalWorld  # noqa: E402
SCENARIOS = ["bad-deployment", "oom", "crash-loop", "unhealthy-targets", "dependency-failure", "capacity", "healthy"]


def step(text):
    print(f"demo: {text}", flush=True)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"demo: gave up waiting for {what} after {timeout:.0f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--scenario", default="bad-deployment", choices=SCENARIOS)
    args = parser.parse_args()
    started = time.monotonic()
    output_dir = os.environ.get("TRIAGED_DEMO_OUTPUT") or os.path.join(ROOT, "demo-output")
    scratch = tempfile.mkdtemp(prefix="triaged-demo-")
    world = daemon = None
    try:
        step("starting the local AWS world (moto with signature checks, on 127.0.0.1) and building scenario "
             f"'{args.scenario}': ALB + 3 ECS services, logs, metrics, traces, alarm -> SNS -> SQS")
        try:
            world = LocalWorld(scratch, args.scenario)
        except RuntimeError as error:
            raise SystemExit(f"demo: {error}")
        description, scenario = world.description, world.scenario
        step(f"world up: AWS APIs at {description['moto']}")

        config = os.path.join(scratch, "config.yaml")
        reports = os.path.join(scratch, "reports")
        with open(config, "w") as f:
            f.write(f"""# written by make demo
aws:
  region: {scenario['region']}
  endpoint_url: {description['moto']}
  allow_http: true                  # the local emulator only
intake:
  alarms:
    names: [{scenario['alarm']}]
  poll_interval: 60s
  queue_url: {scenario['intake_queue']}
collect:
  ecs:
    cluster: {scenario['cluster']}
analysis:
  bedrock:
    enabled: false                  # the demo uses the deterministic findings
report:
  s3:
    bucket: {scenario['bucket']}
  sns:
    topic_arn: {scenario['findings_topic']}
  local_dir: {reports}
state:
  dir: {scratch}/state
log:
  format: json
""")
        notify_path = os.path.join(scratch, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(notify_path)
        listener.settimeout(0.5)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch, "NOTIFY_SOCKET": notify_path,
               **world.environment}
        step("starting triaged run")
        log_path = os.path.join(scratch, "triaged.log")
        daemon = subprocess.Popen([args.binary, "run", "--config", config], env=env,
                                  stdout=open(log_path, "w"), stderr=subprocess.STDOUT)

        def ready():
            if daemon.poll() is not None:
                raise SystemExit(f"demo: triaged exited with {daemon.returncode}; see {log_path}")
            try:
                return "READY=1" in listener.recv(4096).decode().split("\n")
            except socket.timeout:
                return False

        wait_for(ready, 60, "triaged to report READY")
        step("triaged is ready (READY=1 after its first poll)")

        step(f"firing the alarm {scenario['alarm']} (CloudWatch -> SNS -> SQS)")
        world.client("cloudwatch").set_alarm_state(AlarmName=scenario["alarm"], StateValue="ALARM",
                                   StateReason="Threshold Crossed: 5XX count above threshold")

        def events():
            with open(log_path) as f:
                for raw in f:
                    try:
                        yield json.loads(raw)
                    except ValueError:
                        continue

        seen = set()

        def delivered():
            for event in events():
                message = event.get("msg")
                if message in ("incident opened", "evidence collected", "incident investigated",
                               "notification published") and message not in seen:
                    seen.add(message)
                    step(f"  {message}")
                if message == "report delivered":
                    return event
                if message == "incident failed; it will be retried":
                    raise SystemExit(f"demo: the incident failed: {event.get('error')}")
            return None

        event = wait_for(delivered, 120, "the report")
        incident = event["incident.id"]
        step(f"report delivered: {event.get('s3.object')}")

        os.makedirs(output_dir, exist_ok=True)
        target = os.path.join(output_dir, args.scenario)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(os.path.join(reports, incident), target)
        shutil.copy(config, os.path.join(target, "config.yaml"))

        daemon.send_signal(signal.SIGTERM)
        status = daemon.wait(timeout=90)
        step(f"triaged stopped (exit {status})")

        print()
        with open(os.path.join(target, "report.md")) as f:
            print(f.read())
        print()
        prefix = event.get("s3.object", "").rsplit("/", 1)[0]
        step(f"in S3 (emulated): {prefix}/report.{{json,md,html}}")
        step(f"copied to {os.path.relpath(target, os.getcwd())}/report.{{json,md,html}} "
             f"(open report.html in a browser)")
        step(f"done in {time.monotonic() - started:.0f} s; other scenarios: make demo SCENARIO=<{'|'.join(SCENARIOS)}>")
        return 0 if status == 0 else 1
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
        if world:
            world.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
