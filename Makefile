# The front door: thin targets over `swift` and scripts/.
SWIFT ?= swift
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= /etc/systemd/system

.PHONY: all demo deps build test lint format clean bench bench-logpatterns bench-collect bench-daemon report-preview \
	release install deb package-check lint-deploy soak fuzz bench-sigv4 bench-incident bench-diagnosis

all: build

# The whole pipeline on the local AWS world: prints a report. SCENARIO= picks another scenario.
SCENARIO ?= bad-deployment
demo: deps
	$(SWIFT) build --product triaged
	python3 scripts/demo/demo.py "$$($(SWIFT) build --show-bin-path)/triaged" --scenario $(SCENARIO)

deps:
	@scripts/install-deps.sh

build:
	@scripts/install-deps.sh --system-only
	$(SWIFT) build

# Installs what is missing (chromium and systemd-analyze too), builds everything (the executable
# too: integration tests run it), then runs the whole suite. Nothing may skip here: a missing
# emulator, chromium, terraform, systemd-analyze or SigV4 golden data is a failure naming it.
test:
	@scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	TRIAGED_REQUIRE_EMULATOR=1 TRIAGED_REQUIRE_ALL=1 $(SWIFT) test --skip-build

# Renders a sample report.html in headless chromium (installed if missing) at phone and desktop
# widths; look at the PNGs it leaves in .build/report-preview/.
report-preview:
	@scripts/install-deps.sh --chromium
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter ReportBrowserTests
	@echo "report previews: .build/report-preview/report-phone.png .build/report-preview/report-desktop.png"

# Faults, crashes, a storm and three instances, full size (the short version runs in make test).
soak: deps
	$(SWIFT) build --product triaged
	python3 scripts/soak/soak.py "$$($(SWIFT) build --show-bin-path)/triaged"

# libFuzzer on each target for FUZZ_SECONDS (600) from the checked-in corpus; crashes land in
# fuzz/regressions/ and are replayed by the test suite.
fuzz:
	scripts/fuzz/fuzz.sh

# Benchmarks print figures; they are never part of `make test`. `make bench` runs every one to the
# end (a miss does not stop the rest), then prints each target met or missed and exits 1 on a miss.
bench:
	scripts/bench/all.sh

bench-logpatterns:
	scripts/bench/logpatterns.sh

bench-collect:
	scripts/bench/collect.sh

# SigV4 signatures per second, triaged against botocore on the same requests.
bench-sigv4:
	scripts/bench/sigv4.sh

# One incident end to end on the emulator, and its prompt against the unbounded one.
bench-incident:
	scripts/bench/incident.sh

# Diagnosis accuracy on the labelled incident corpus (dev in full, holdout as aggregates only);
# BENCH_ARGS="--only NAME" runs single dev scenarios, "--show-holdout" shows holdout ones.
bench-diagnosis:
	scripts/bench/diagnosis.sh $(BENCH_ARGS)

# Idle footprint of `triaged run` (RSS, CPU over a minute) and start-to-READY, release binary.
bench-daemon:
	scripts/bench/daemon.sh

lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Package.swift

# The Terraform module and every shell script, offline (terraform fmt, python-hcl2, checkov, shellcheck).
lint-deploy:
	scripts/lint/deploy.sh

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Sources Tests Package.swift

# The release binary: the Swift runtime linked in, so hosts need only libcurl, OpenSSL and libc.
release:
	@scripts/install-deps.sh --system-only
	$(SWIFT) build -c release --static-swift-stdlib --product triaged

# Binary, hardened unit and example configuration; an existing /etc/triaged/config.yaml is never
# overwritten. DESTDIR stages the files elsewhere (packaging, tests).
install: release
	install -D -m 0755 .build/release/triaged $(DESTDIR)$(BINDIR)/triaged
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)/etc/triaged
	sed 's#/usr/bin/triaged#$(BINDIR)/triaged#g' systemd/triaged.service > $(DESTDIR)$(UNITDIR)/triaged.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/triaged.service
	install -m 0644 config/triaged.example.yaml $(DESTDIR)/etc/triaged/config.example.yaml
	@if [ -e $(DESTDIR)/etc/triaged/config.yaml ]; then \
		echo "install: keeping the existing $(DESTDIR)/etc/triaged/config.yaml"; \
	else \
		install -m 0644 config/triaged.example.yaml $(DESTDIR)/etc/triaged/config.yaml; \
		echo "install: edit $(DESTDIR)/etc/triaged/config.yaml, run 'triaged check', then 'systemctl enable --now triaged'"; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# dist/triaged_<version>_<arch>.deb (dpkg-deb).
deb: release
	TRIAGED_RELEASE_BINARY=.build/release/triaged scripts/package/deb.sh

# Installs with DESTDIR twice (the second keeps an edited config), builds the .deb, unpacks it and
# checks the binary runs and the unit verifies.
package-check: deb
	scripts/package/check.sh

clean:
	rm -rf .build dist
