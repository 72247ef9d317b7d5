#!/usr/bin/env bash
# make fuzz: builds triaged-fuzz with libFuzzer and AddressSanitizer, then fuzzes each target for
# FUZZ_SECONDS (default 600) starting from its checked-in seed corpus. A crash is saved in
# fuzz/regressions/<target>/ (replayed by the test suite from then on) and fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-600}"
targets=("${@:-alarm}")
if [ $# -eq 0 ]; then targets=(alarm xml json config logs report); fi

scripts/install-deps.sh --system-only
swift build -c release --build-path .build-fuzz --product triaged-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
binary=".build-fuzz/release/triaged-fuzz"

status=0
for target in "${targets[@]}"; do
    work=".build-fuzz/corpus/$target"
    mkdir -p "$work" "fuzz/regressions/$target"
    echo "fuzz: $target for ${seconds}s"
    if TRIAGED_FUZZ_TARGET="$target" "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="fuzz/regressions/$target/" "$work" "fuzz/corpus/$target" \
        > ".build-fuzz/$target.log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' ".build-fuzz/$target.log")"
        echo "fuzz: $target clean: ${runs:-?} executions in ${seconds}s"
    else
        status=1
        echo "fuzz: $target FOUND A CRASH; see .build-fuzz/$target.log and fuzz/regressions/$target/"
        tail -30 ".build-fuzz/$target.log"
    fi
done
exit "$status"
