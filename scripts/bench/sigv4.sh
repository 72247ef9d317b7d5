#!/usr/bin/env bash
# make bench-sigv4: triaged's SigV4 signer against botocore's on the same requests, same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh >/dev/null
swift build -c release --product triaged-bench >/dev/null
python3 scripts/bench/sigv4.py "$(swift build -c release --show-bin-path)/triaged-bench" "$@"
