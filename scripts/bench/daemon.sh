#!/usr/bin/env bash
# make bench-daemon: the daemon's footprint (start to READY, idle RSS and CPU) on the local AWS
# world, measured on the release binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product triaged
echo "bench-daemon: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
python3 scripts/bench/daemon.py .build/release/triaged "$@"
