# The front door: thin targets over `swift` and scripts/.
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: all deps build test lint format clean bench bench-logpatterns bench-collect report-preview

all: build

deps:
	@scripts/install-deps.sh

build:
	@scripts/install-deps.sh --system-only
	$(SWIFT) build

# Installs what is missing, builds everything (the executable too: integration tests run it),
# then runs the whole suite. The local AWS world must be available here, so its absence fails.
test: deps
	$(SWIFT) build --build-tests
	TRIAGED_REQUIRE_EMULATOR=1 $(SWIFT) test --skip-build

# Renders a sample report.html in headless chromium (installed if missing) at phone and desktop
# widths; look at the PNGs it leaves in .build/report-preview/.
report-preview:
	@scripts/install-deps.sh --chromium
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter ReportBrowserTests
	@echo "report previews: .build/report-preview/report-phone.png .build/report-preview/report-desktop.png"

# Benchmarks print figures; they are never part of `make test`.
bench: bench-logpatterns bench-collect

bench-logpatterns:
	scripts/bench/logpatterns.sh

bench-collect:
	scripts/bench/collect.sh

lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Sources Tests Package.swift

clean:
	rm -rf .build
