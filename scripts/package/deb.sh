#!/usr/bin/env bash
# Builds dist/triaged_<version>_<arch>.deb with dpkg-deb: the release binary (Swift runtime linked
# statically, so only libcurl, OpenSSL and libc are needed at run time), the hardened systemd unit,
# the example configuration, and maintainer scripts that install /etc/triaged/config.yaml from the
# example when absent (never overwriting one) and reload systemd.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
version="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/AWSCore/Client/AWSClient.swift)"
arch="$(dpkg --print-architecture)"
binary="${TRIAGED_RELEASE_BINARY:-.build/release/triaged}"

if [ -z "${TRIAGED_RELEASE_BINARY:-}" ]; then
    echo "deb: building the release binary"
    swift build -c release --static-swift-stdlib --product triaged
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -D -m 0755 "$binary" "$stage/usr/bin/triaged"
strip --strip-unneeded "$stage/usr/bin/triaged"
install -D -m 0644 systemd/triaged.service "$stage/lib/systemd/system/triaged.service"
install -D -m 0644 config/triaged.example.yaml "$stage/etc/triaged/config.example.yaml"
install -D -m 0644 README.md "$stage/usr/share/doc/triaged/README.md"
for doc in docs/*.md docs/report.schema.json; do
    install -D -m 0644 "$doc" "$stage/usr/share/doc/triaged/$(basename "$doc")"
done

# Run-time dependencies: the packages owning the libraries the binary links directly (NEEDED).
needed="$(readelf -d "$stage/usr/bin/triaged" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
depends="$(for name in $needed; do
    lib="$(ldd "$stage/usr/bin/triaged" | awk -v n="$name" '$1 == n && $3 ~ /^\// {print $3}')"
    [ -n "$lib" ] || lib="$(ldd "$stage/usr/bin/triaged" | awk -v n="$name" 'index($1, n) {print $1}')"
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')"

mkdir -p "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: triaged
Version: ${version}
Architecture: ${arch}
Maintainer: triaged maintainers <triaged@users.noreply.github.com>
Depends: ${depends}
Section: admin
Priority: optional
Homepage: https://github.com/triaged/triaged
Description: first-line incident triage for CloudWatch alarms
 A daemon that turns a CloudWatch alarm (ALB 5XX in front of ECS services) into a
 root-cause report: it collects metrics, target health, ECS deployments and stopped
 tasks, condensed logs and X-Ray faults, derives findings with deterministic rules,
 asks Amazon Bedrock within a token budget, and delivers one report per incident to
 S3 and SNS.
CONTROL
echo "/etc/triaged/config.example.yaml" > "$stage/DEBIAN/conffiles"

cat > "$stage/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    if [ ! -e /etc/triaged/config.yaml ]; then
        install -m 0644 /etc/triaged/config.example.yaml /etc/triaged/config.yaml
        echo "triaged: edit /etc/triaged/config.yaml, run 'triaged check', then 'systemctl enable --now triaged'"
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
        # An upgrade restarts a running daemon (it drains first); a fresh install is not started.
        if systemctl is-active --quiet triaged; then systemctl restart triaged || true; fi
    fi
fi
exit 0
SCRIPT
cat > "$stage/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = "remove" ] && [ -d /run/systemd/system ]; then
    systemctl disable --now triaged >/dev/null 2>&1 || true
fi
exit 0
SCRIPT
cat > "$stage/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = "purge" ]; then
    rm -f /etc/triaged/config.yaml
    rmdir /etc/triaged 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
SCRIPT
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

mkdir -p dist
output="dist/triaged_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$output" >/dev/null
echo "deb: $output ($(du -h "$output" | cut -f1)); depends: ${depends}"
