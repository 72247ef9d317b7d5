#!/usr/bin/env bash
# Installs what building and testing triaged needs on a fresh Debian machine, and nothing that is
# already there: libcurl with OpenSSL (headers), OpenSSL headers, and moto[server]==5.2.1 for the
# local AWS emulator (it brings jsonschema, which the report schema test uses). `--test` adds what
# `make test` runs beyond that: Debian's chromium (the headless browser test) and systemd's
# systemd-analyze (the unit checks); terraform is not in Debian's archive, so it is only checked
# for and named when missing (the Terraform tests then fail under `make test`). `--chromium` is
# chromium alone, for `make report-preview`. Run as root (or with sudo) for the apt step.
set -euo pipefail

MOTO_VERSION="5.2.1"

need_apt=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need_apt+=(libcurl4-openssl-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
if [ "${1:-}" = "--chromium" ] || [ "${1:-}" = "--test" ]; then
    command -v chromium >/dev/null 2>&1 || need_apt+=(chromium fonts-dejavu-core)
fi
if [ "${1:-}" = "--test" ]; then
    command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
    command -v terraform >/dev/null 2>&1 ||
        echo "install-deps: terraform not found (not in Debian's archive; install it from HashiCorp): the Terraform tests will fail" >&2
fi
if [ "${1:-}" = "--deploy" ]; then
    command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
fi
if ((${#need_apt[@]})); then
    echo "install-deps: installing ${need_apt[*]} with apt-get"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "${1:-}" = "--system-only" ]; then exit 0; fi

# The deployment checks' Python tools live in their own virtualenv, pinned.
if [ "${1:-}" = "--deploy" ]; then
    root="$(cd "$(dirname "$0")/.." && pwd)"
    if ! "$root/.venv-deploy/bin/python" -c "import hcl2, checkov" >/dev/null 2>&1; then
        echo "install-deps: installing python-hcl2 and checkov into .venv-deploy"
        python3 -m venv "$root/.venv-deploy"
        "$root/.venv-deploy/bin/pip" install --quiet --disable-pip-version-check "python-hcl2==8.1.4" "checkov==3.3.30"
    fi
    exit 0
fi

if ! python3 - "$MOTO_VERSION" <<'PY' >/dev/null 2>&1
import sys
import moto, flask, flask_cors, boto3, jsonschema  # all brought by moto[server]
assert moto.__version__ == sys.argv[1]
PY
then
    echo "install-deps: installing moto[server]==${MOTO_VERSION} with pip"
    python3 -m pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
fi
