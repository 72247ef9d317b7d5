#!/usr/bin/env bash
# Evidence collection benchmark: one incident's collection against the local AWS world (the
# "capacity" scenario: ALB, three ECS services, logs, metrics, traces), API calls and wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh >/dev/null
swift build --build-tests >/dev/null
for _ in 1 2 3; do
    swift test --skip-build --filter "EvidenceCollectionTests/capacity" 2>&1 | grep -E "^evidence collection" || {
        echo "bench-collect: the collection run failed" >&2
        exit 1
    }
done
