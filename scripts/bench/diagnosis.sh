#!/usr/bin/env bash
# make bench-diagnosis: the labelled incident corpus (scripts/diagnosis/corpus/) through the debug
# triaged binary; prints per-category precision/recall, accuracies and confusion matrices for dev
# and (aggregates only) holdout. Extra arguments go to diagnosis.py (--only NAME, --show-holdout, --set).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh >/dev/null
swift build --product triaged >/dev/null
exec python3 scripts/bench/diagnosis.py "$(swift build --show-bin-path)/triaged" "$@"
