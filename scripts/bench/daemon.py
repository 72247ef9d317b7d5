"""Daemon footprint on the local AWS world: start-to-READY time, then idle RSS and CPU over a
minute with a 20 s SQS long poll and a 60 s DescribeAlarms interval. Prints a table; exits 1 when a
target is missed (RSS <= 30 MB, CPU <= 1% of one core, READY <= 1 s).

usage: python3 scripts/bench/daemon.py BINARY [--idle SECONDS]
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts/emulator"))
from local_world import LocalWorld  # noqa: E402
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_breakdown(pid):
    """Resident kB per mapping (the binary, each library, [heap], [stack], anonymous), largest first."""
    sizes, name = {}, "?"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                name = os.path.basename(fields[5]) if len(fields) > 5 else "[anonymous]"
            elif fields[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(fields[1])
    return sorted(sizes.items(), key=lambda item: -item[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--idle", type=float, default=60)
    args = parser.parse_args()

    daemon = world = None
    try:
        with tempfile.TemporaryDirectory() as scratch:
            world = LocalWorld(scratch, "healthy")
            description, scenario = world.description, world.scenario
            config = os.path.join(scratch, "config.yaml")
            with open(config, "w") as f:
                f.write(f"""aws:
  region: us-east-1
  endpoint_url: {description['moto']}
  allow_http: true
intake:
  alarms:
    names: [{scenario['alarm']}]
  poll_interval: 60s
  queue_url: {scenario['intake_queue']}
collect:
  ecs:
    cluster: {scenario['cluster']}
report:
  s3:
    bucket: {scenario['bucket']}
  sns:
    topic_arn: {scenario['findings_topic']}
state:
  dir: {scratch}/state
""")
            notify_path = os.path.join(scratch, "notify")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            listener.bind(notify_path)
            listener.settimeout(30)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch,
                   "AWS_ACCESS_KEY_ID": description["key_id"], "AWS_SECRET_ACCESS_KEY": description["secret"],
                   "AWS_EC2_METADATA_DISABLED": "true", "NOTIFY_SOCKET": notify_path, **({"MALLOC_ARENA_MAX": os.environ["MALLOC_ARENA_MAX"]} if "MALLOC_ARENA_MAX" in os.environ else {})}
            started = time.monotonic()
            daemon = subprocess.Popen([args.binary, "run", "--config", config], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ready = None
            while ready is None:
                message = listener.recv(4096).decode()
                if "READY=1" in message.split("\n"):
                    ready = time.monotonic() - started
            time.sleep(5)  # let start-up settle before measuring idle
            cpu_before, t_before = cpu_seconds(daemon.pid), time.monotonic()
            peak = 0.0
            while time.monotonic() - t_before < args.idle:
                peak = max(peak, rss_mb(daemon.pid))
                time.sleep(1)
            cpu = (cpu_seconds(daemon.pid) - cpu_before) / (time.monotonic() - t_before) * 100
            print("resident memory by mapping at the end of the idle minute:")
            for mapping, kilobytes in rss_breakdown(daemon.pid)[:8]:
                print(f"  {kilobytes / 1024:6.1f} MB  {mapping}")
            daemon.terminate()
            daemon.wait(timeout=30)
            rows = [("start to READY", f"{ready * 1000:.0f} ms", "<= 1000 ms", ready <= 1.0),
                    ("idle RSS (peak)", f"{peak:.1f} MB", "<= 30 MB", peak <= 30),
                    (f"idle CPU over {args.idle:.0f} s", f"{cpu:.2f} % of one core", "<= 1 %", cpu <= 1.0)]
            print(f"{'measure':<22} {'value':<22} {'target':<12} ok")
            for name, value, target, ok in rows:
                print(f"{name:<22} {value:<22} {target:<12} {'yes' if ok else 'NO'}")
            # For `make bench`'s summary (scripts/bench/all.sh): one line per target.
            for metric, value, target, ok in [("ready_ms", f"{ready * 1000:.0f}", "<=1000", ready <= 1.0),
                                              ("idle_rss_mb", f"{peak:.1f}", "<=30", peak <= 30),
                                              ("idle_cpu_percent", f"{cpu:.2f}", "<=1", cpu <= 1.0)]:
                print(f"BENCH-RESULT daemon {metric} {value} {target} {'met' if ok else 'missed'}")
            return 0 if all(row[3] for row in rows) else 1
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
        if world:
            world.stop()


if __name__ == "__main__":
    sys.exit(main())
