#!/usr/bin/env python3
"""Summarises a bench-logpatterns run: GA on the development and check systems (as named in the
Loghub README), throughput and peak RSS against Drain3, with the targets of the LogPatterns work."""
import json
import os
import re
import sys

out, readme = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
match = re.search(r"Tune on the development systems: ([^.]+)\.", text)
dev = [s.strip() for s in match.group(1).split(",")] if match else []


def load(name):
    with open(os.path.join(out, name, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


def ga(summary):
    return {r["dataset"]: r["orig"]["GA"] for r in summary["results"] if "GA" in r.get("orig", {})}


ours, base = load("triaged"), load("drain3")
rss = json.load(open(os.path.join(out, "rss.json"), encoding="utf-8"))
g_ours, g_base = ga(ours), ga(base)
check = [d for d in g_ours if d not in dev]


def mean(values):
    return sum(values) / len(values) if values else float("nan")


rows = [
    ("GA, development systems (%d)" % len(dev), mean([g_ours[d] for d in dev]), mean([g_base[d] for d in dev]), ">= 0.90"),
    ("GA, check systems (%d)" % len(check), mean([g_ours[d] for d in check]), mean([g_base[d] for d in check]), ">= 0.86"),
    ("GA, all 16", mean(list(g_ours.values())), mean(list(g_base.values())), "(Drain 0.866 published)"),
]
c_ours, c_base = ours["concat"], base["concat"]
print("| measure | triaged | Drain3 0.9.11 | target |")
print("|---|---|---|---|")
for name, a, b, target in rows:
    print("| %s | %.3f | %.3f | %s |" % (name, a, b, target))
print("| lines/s, %d-line concatenation (harness, incl. piping) | %.0f | %.0f | >= 10x Drain3 (%.0fx) |" % (
    c_ours["lines"], c_ours["lines_per_s"], c_base["lines_per_s"], c_ours["lines_per_s"] / c_base["lines_per_s"]))
print("| lines/s, same input from a file | %.0f | | |" % rss["lines_per_s"])
print("| peak RSS of the parser process | %.1f MiB | %.1f MiB (harness process) | <= 64 MB |" % (
    rss["peak_rss_kib"] / 1024, c_base["rss_peak_kib"] / 1024))
print()
print("| system | set | triaged GA | Drain3 GA |")
print("|---|---|---|---|")
for d in g_ours:
    print("| %s | %s | %.3f | %.3f |" % (d, "dev" if d in dev else "check", g_ours[d], g_base.get(d, float("nan"))))


def result(metric, value, target, met):
    print("BENCH-RESULT logpatterns %s %s %s %s" % (metric, value, target, "met" if met else "missed"))


ga_dev, ga_check = rows[0][1], rows[1][1]
speedup = c_ours["lines_per_s"] / c_base["lines_per_s"] if c_base.get("lines_per_s") else 0.0
print()
result("ga_dev", "%.3f" % ga_dev, ">=0.90", ga_dev >= 0.90)
result("ga_check", "%.3f" % ga_check, ">=0.86", ga_check >= 0.86)
result("throughput_vs_drain3", "%.1f" % speedup, ">=10", speedup >= 10)
peak_mb = rss["peak_rss_kib"] * 1024 / 1e6
result("peak_rss_mb", "%.1f" % peak_mb, "<=64", peak_mb <= 64)
