#!/usr/bin/env bash
# make bench-incident: one incident on the emulator (collect, analyse, report, deliver) and the
# prompt size against the unbounded prompt of the earlier Lambda design.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh >/dev/null
swift build --build-tests >/dev/null
for _ in 1 2 3; do
    TRIAGED_BENCH=1 swift test --skip-build --filter "IncidentBenchmarkTests" 2>&1 | grep -E "^(incident|prompt) bench" || {
        echo "bench-incident: the run failed" >&2
        exit 1
    }
done
