#!/usr/bin/env bash
# make bench: every benchmark, one after the other, each to the end even when an earlier one
# missed or failed; then one table of every target, met or missed. Exits 1 if any was missed, or
# if a benchmark failed without a result.
#
# Each benchmark script prints one line per target it measures:
#   BENCH-RESULT <name> <metric> <value> <target> met|missed
# (no spaces inside a field). A benchmark that exits without such a line counts as missed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BENCHES=${BENCHES:-"sigv4 logpatterns collect incident daemon diagnosis"}
LOG_DIR=${LOG_DIR:-bench-results/all}
mkdir -p "$LOG_DIR"
results=()
for bench in $BENCHES; do
    echo "==== make bench-$bench"
    log="$LOG_DIR/$bench.log"
    make --no-print-directory "bench-$bench" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    lines=$(grep -E '^BENCH-RESULT ' "$log" || true)
    if [ -z "$lines" ]; then
        lines="BENCH-RESULT $bench run exit-$status - missed"
    elif [ "$status" -ne 0 ] && ! grep -qE ' missed$' <<<"$lines"; then
        # Every target met but the run itself failed (e.g. a scenario could not be run).
        lines+=$'\n'"BENCH-RESULT $bench run exit-$status 0 missed"
    fi
    while IFS= read -r line; do results+=("$line"); done <<<"$lines"
done

echo
echo "==== make bench: summary (logs in $LOG_DIR/)"
printf '%-12s %-26s %-14s %-10s %s\n' bench metric value target result
missed=0
for line in "${results[@]}"; do
    read -r _ name metric value target verdict <<<"$line"
    printf '%-12s %-26s %-14s %-10s %s\n' "$name" "$metric" "$value" "$target" "$verdict"
    [ "$verdict" = met ] || missed=$((missed + 1))
done
if [ "$missed" -gt 0 ]; then
    echo "make bench: $missed target(s) missed"
    exit 1
fi
echo "make bench: every target met"
