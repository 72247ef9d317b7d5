#!/usr/bin/env python3
"""make bench-diagnosis: how often triaged's top finding names the right cause and service on the
labelled incident corpus (scripts/diagnosis/corpus/{dev,holdout}/*.json).

One local AWS world for the whole run; before each scenario every backend but IAM/STS is emptied
(`/_world/reset`), the scenario is built relative to "now", its alarm goes to ALARM, and
`triaged investigate --alarm NAME --dry-run --out DIR` runs on a generated configuration (the
model off: the deterministic findings are what is measured). Scores from report.json:

  category   findings[0].category == label.category
  service    findings[0].service == label.service (a missing field counts as null)
  both       category and service right
  summary    the label's service appears as a word in `summary` (printed apart, not part of "both")
  also       for two-cause scenarios: the second cause's category is among the findings

Dev prints everything, per scenario too; holdout prints only aggregates unless --show-holdout.
Exit 0 when every scenario was built and triaged ran (a benchmark, not a gate), 1 otherwise.

usage: diagnosis.py BINARY [--set dev|holdout|all] [--only NAME ...] [--show-holdout] [--json PATH]
"""
import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts/diagnosis"))
import corpus  # noqa: E402
from world_builder import WorldBuilder  # noqa: E402

SETS = ("dev", "holdout")


def start_world(scratch):
    log = open(os.path.join(scratch, "world.log"), "w")
    process = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/emulator/aws_world.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise SystemExit("bench-diagnosis: the local AWS world did not start; see %s/world.log" % scratch)
    return process, json.loads(line)


def write_config(path, world, built, state_dir):
    with open(path, "w") as f:
        f.write(f"""# written by make bench-diagnosis for scenario {built['name']}
aws:
  region: {built['region']}
  endpoint_url: {world['moto']}
  allow_http: true                  # the local emulator only
intake:
  alarms:
    names: [{built['alarm']}]
  poll_interval: 0s
collect:
  ecs:
    cluster: {built['cluster']}
analysis:
  bedrock:
    enabled: false                  # the deterministic findings are what is measured
report:
  s3:
    bucket: {built['bucket']}
  sns:
    topic_arn: {built['findings_topic']}
state:
  dir: {state_dir}
log:
  format: json
""")


def run_triaged(binary, world, built, scratch):
    config = os.path.join(scratch, "config.yaml")
    out = os.path.join(scratch, "out")
    shutil.rmtree(out, ignore_errors=True)
    write_config(config, world, built, os.path.join(scratch, "state"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch,
           "AWS_ACCESS_KEY_ID": world["key_id"], "AWS_SECRET_ACCESS_KEY": world["secret"],
           "AWS_EC2_METADATA_DISABLED": "true"}
    started = time.monotonic()
    result = subprocess.run([binary, "investigate", "--alarm", built["alarm"], "--config", config, "--dry-run",
                             "--out", out], env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    reports = glob.glob(os.path.join(out, "**", "report.json"), recursive=True)
    if result.returncode != 0 or not reports:
        raise RuntimeError("triaged investigate exited %d: %s" % (result.returncode, result.stderr.strip()[-600:]))
    with open(reports[0]) as f:
        return json.load(f), elapsed


def score(label, report):
    findings = report.get("findings") or []
    top = findings[0] if findings else {}
    got_category = top.get("category") if findings else None
    got_service = top.get("service") if findings else None
    want_service = label.get("service")
    summary = report.get("summary") or ""
    if isinstance(summary, dict):
        summary = json.dumps(summary)
    in_summary = bool(want_service) and re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(want_service), summary) is not None
    row = {"category": label["category"], "service": want_service, "got_category": got_category,
           "got_service": got_service, "category_ok": got_category == label["category"],
           "service_ok": got_service == want_service, "summary_names_service": in_summary,
           "findings": [{"category": f.get("category"), "service": f.get("service"), "title": f.get("title")}
                        for f in findings[:5]]}
    row["both_ok"] = row["category_ok"] and row["service_ok"]
    if label.get("also"):
        also = label["also"]
        row["also"] = also
        row["also_found"] = any(f.get("category") == also["category"] for f in findings)
    return row


def aggregate(rows):
    n = len(rows)
    result = {"scenarios": n}
    if not n:
        return result
    result["category_accuracy"] = sum(r["category_ok"] for r in rows) / n
    result["service_accuracy"] = sum(r["service_ok"] for r in rows) / n
    result["both_accuracy"] = sum(r["both_ok"] for r in rows) / n
    result["summary_names_service"] = sum(r["summary_names_service"] for r in rows if r["service"]) / max(
        1, sum(1 for r in rows if r["service"]))
    also = [r for r in rows if "also" in r]
    if also:
        result["also_found"] = "%d/%d" % (sum(r["also_found"] for r in also), len(also))
    per = {}
    for category in corpus.CATEGORIES:
        tp = sum(1 for r in rows if r["category"] == category and r["got_category"] == category)
        predicted = sum(1 for r in rows if r["got_category"] == category)
        actual = sum(1 for r in rows if r["category"] == category)
        per[category] = {"precision": tp / predicted if predicted else None, "recall": tp / actual if actual else None,
                         "labelled": actual, "predicted": predicted}
    result["per_category"] = per
    matrix = collections.OrderedDict()
    for category in corpus.CATEGORIES:
        matrix[category] = collections.Counter(str(r["got_category"]) for r in rows if r["category"] == category)
    result["confusion"] = {k: dict(v) for k, v in matrix.items()}
    return result


def pct(value):
    return "   -  " if value is None else "%5.1f%%" % (100 * value)


ABBREVIATIONS = {"bad_deployment": "deploy", "out_of_memory": "oom", "container_crash": "crash",
                 "unhealthy_targets": "unhealthy", "dependency_failure": "depend", "capacity_exhaustion": "capacity",
                 "throttling": "throttle", "application_error": "app_err", "unknown": "unknown"}


def print_aggregate(title, agg):
    print("== %s: %d scenarios" % (title, agg["scenarios"]))
    if not agg["scenarios"]:
        return
    print("   top-1 category accuracy  %s" % pct(agg["category_accuracy"]))
    print("   service accuracy         %s" % pct(agg["service_accuracy"]))
    print("   category and service     %s" % pct(agg["both_accuracy"]))
    print("   summary names service    %s   (scenarios whose label names a service)" % pct(agg["summary_names_service"]))
    if "also_found" in agg:
        print("   second cause found       %s" % agg["also_found"])
    print("   %-20s %9s %9s %9s %9s" % ("category", "precision", "recall", "labelled", "predicted"))
    for category, figures in agg["per_category"].items():
        print("   %-20s %9s %9s %9d %9d" % (category, pct(figures["precision"]), pct(figures["recall"]),
                                             figures["labelled"], figures["predicted"]))
    columns = list(corpus.CATEGORIES)
    extra = sorted({c for row in agg["confusion"].values() for c in row} - set(columns))
    columns += extra
    print("   confusion (rows = label, columns = top finding):")
    print("   %-10s " % "" + " ".join("%9s" % ABBREVIATIONS.get(c, c[:9]) for c in columns))
    for category in corpus.CATEGORIES:
        row = agg["confusion"][category]
        print("   %-10s " % ABBREVIATIONS[category] + " ".join("%9s" % (row.get(c, 0) or ".") for c in columns))


def main():
    parser = argparse.ArgumentParser(description="diagnosis accuracy on the labelled incident corpus")
    parser.add_argument("binary")
    parser.add_argument("--set", default="all", choices=["dev", "holdout", "all"])
    parser.add_argument("--only", nargs="*", help="scenario names (dev) to run alone")
    parser.add_argument("--show-holdout", action="store_true", help="print holdout scenarios one by one too")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench-results", "diagnosis.json"))
    parser.add_argument("--keep", help="copy every report.json into this directory")
    args = parser.parse_args()
    started = time.monotonic()
    sets = SETS if args.set == "all" else (args.set,)
    scenarios = {s: corpus.load(s) for s in sets}
    if args.only:
        scenarios = {s: [x for x in items if x["name"] in args.only] for s, items in scenarios.items()}
    scratch = tempfile.mkdtemp(prefix="triaged-bench-diagnosis-")
    process, world = start_world(scratch)
    results = {"binary": args.binary, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "sets": {}}
    failures = 0
    try:
        builder = WorldBuilder(world)
        for name in sets:
            rows = []
            for spec in scenarios[name]:
                label = spec["label"]
                t0 = time.monotonic()
                try:
                    builder.reset()
                    built = builder.build(spec, now=time.time())
                    builder.fire_alarm(built)
                    build_seconds = time.monotonic() - t0
                    report, triage_seconds = run_triaged(args.binary, world, built, scratch)
                except Exception as error:  # noqa: BLE001 - every failure is reported and counted
                    failures += 1
                    print("bench-diagnosis: %s/%s could not be run: %s" % (name, spec["name"], error), file=sys.stderr)
                    continue
                row = score(label, report)
                row.update(name=spec["name"], build_seconds=round(build_seconds, 2),
                           triage_seconds=round(triage_seconds, 2))
                rows.append(row)
                if args.keep:
                    os.makedirs(os.path.join(args.keep, name), exist_ok=True)
                    with open(os.path.join(args.keep, name, spec["name"] + ".json"), "w") as f:
                        json.dump(report, f, indent=1)
                if name == "dev" or args.show_holdout:
                    mark = "ok" if row["both_ok"] else "✗"
                    print("%-4s %-40s label %s/%s  got %s/%s  %s%s" % (
                        name, spec["name"], label["category"], label.get("service"), row["got_category"],
                        row["got_service"], mark, "" if not row["summary_names_service"] else "  (summary names it)"),
                        flush=True)
            agg = aggregate(rows)
            results["sets"][name] = {"aggregate": agg, "scenarios": rows if name == "dev" or args.show_holdout else None}
            if name == "holdout" and not args.show_holdout:
                results["sets"][name]["scenario_results"] = "hidden (run with --show-holdout)"
            print()
            print_aggregate(name, agg)
            print()
            if not args.only and agg.get("both_accuracy") is not None:
                both = 100 * agg["both_accuracy"]
                print("BENCH-RESULT diagnosis %s_category_and_service %.1f%% >=95%% %s" % (
                    name, both, "met" if both >= 95 else "missed"))
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    results["wall_seconds"] = round(time.monotonic() - started, 1)
    results["failures"] = failures
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1, default=str)
    print("bench-diagnosis: %d scenarios in %.0f s (%d could not be run); results in %s" % (
        sum(len(v) for v in scenarios.values()), results["wall_seconds"], failures, os.path.relpath(args.json, os.getcwd())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
