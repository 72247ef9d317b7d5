#!/usr/bin/env bash
# Checks `make install` and the .deb without touching the host: a DESTDIR install (twice, the second
# must keep an edited config.yaml), then the package unpacked into a scratch root, its binary run
# and its unit checked with systemd-analyze.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

make --no-print-directory install DESTDIR="$scratch/install" PREFIX=/usr >/dev/null
test -x "$scratch/install/usr/bin/triaged"
test -f "$scratch/install/etc/systemd/system/triaged.service"
echo "# edited by the operator" >> "$scratch/install/etc/triaged/config.yaml"
make --no-print-directory install DESTDIR="$scratch/install" PREFIX=/usr >/dev/null
grep -q "edited by the operator" "$scratch/install/etc/triaged/config.yaml"
echo "check: make install places binary, unit and config, and keeps an existing config"

version="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/AWSCore/Client/AWSClient.swift)"
deb="dist/triaged_${version}_$(dpkg --print-architecture).deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\):/  \1:/p'
dpkg-deb -x "$deb" "$scratch/deb"
"$scratch/deb/usr/bin/triaged" version
for path in lib/systemd/system/triaged.service etc/triaged/config.example.yaml; do
    test -f "$scratch/deb/$path"
done
# The unit verifies with the packaged binary in place of /usr/bin/triaged.
sed "s#/usr/bin/triaged#$scratch/deb/usr/bin/triaged#g" "$scratch/deb/lib/systemd/system/triaged.service" \
    > "$scratch/triaged.service"
systemd-analyze verify "$scratch/triaged.service"
systemd-analyze security --offline=true "$scratch/deb/lib/systemd/system/triaged.service" | tail -1
# The packaged binary needs nothing from the Swift toolchain at run time.
if ldd "$scratch/deb/usr/bin/triaged" | grep -q swift; then
    echo "check: the packaged binary links the Swift toolchain's libraries" >&2
    exit 1
fi
echo "check: $deb unpacks, runs and its unit verifies"
