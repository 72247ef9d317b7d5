#!/usr/bin/env bash
# LogPatterns benchmark: grouping accuracy on Loghub-2k and throughput/RSS on a 1,000,000-line
# concatenation, for `triaged patterns --assignments` and the Drain3 baseline in the same run,
# using the shared harness ../shared/tools/logbench/eval_drain3.py. Prints a summary table.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SHARED=${TRIAGED_SHARED_DIR:-$ROOT/../shared}
HARNESS=$SHARED/tools/logbench/eval_drain3.py
DATA=$SHARED/data/loghub
OUT=${OUT:-$ROOT/bench-results/logpatterns}
RUNS=${RUNS:-3}
CONCAT=${CONCAT:-1000000}

if [ ! -f "$HARNESS" ] || [ ! -d "$DATA" ]; then
    echo "bench-logpatterns: $HARNESS or $DATA not found (shared/ must sit beside the checkout, or set TRIAGED_SHARED_DIR): nothing measured" >&2
    echo "BENCH-RESULT logpatterns data missing - missed"
    exit 1
fi

swift build -c release --product triaged >/dev/null
BIN=$(swift build -c release --show-bin-path)/triaged

VENV=$ROOT/.venv-logbench
if ! "$VENV/bin/python" -c "import drain3" 2>/dev/null; then
    echo "bench-logpatterns: creating $VENV with drain3==0.9.11 (the baseline)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check drain3==0.9.11
fi
PY=$VENV/bin/python
mkdir -p "$OUT"

echo "== triaged patterns (one configuration for every system, $RUNS runs, ${CONCAT}-line concatenation)"
"$PY" "$HARNESS" --data "$DATA" --gt orig --runs "$RUNS" --concat "$CONCAT" --name triaged \
    --cmd "$BIN patterns --assignments" --out "$OUT/triaged" | tee "$OUT/triaged.txt"

echo "== Drain3 0.9.11 baseline (its per-dataset benchmark settings, same harness, same machine)"
"$PY" "$HARNESS" --data "$DATA" --gt orig --runs 1 --concat "$CONCAT" --name drain3 \
    --out "$OUT/drain3" | tee "$OUT/drain3.txt"

echo "== peak RSS of triaged itself on the concatenation"
"$PY" "$ROOT/scripts/bench/logpatterns_rss.py" "$HARNESS" "$DATA" "$CONCAT" "$BIN" > "$OUT/rss.json"

"$PY" "$ROOT/scripts/bench/logpatterns_summary.py" "$OUT" "$DATA/README.md" | tee "$OUT/summary.md"
