# Pulse: plain Go targets (the gf CLI is not needed), and the console's web build.
GO ?= go
BIN ?= bin/pulse
NPM ?= npm
# The console's npm packages never download a browser: the e2e tests drive the system's chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = 1
# What `pulse version`, the start log and /healthz say: the checkout (git describe), its commit and
# the build's UTC time. Without git, the binary falls back to what Go recorded (see internal/buildinfo).
VERSION ?= $(shell git describe --always --dirty 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)$(if $(findstring -dirty,$(VERSION)),-dirty)
BUILT ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS = -X github.com/pulse-monitoring/pulse/internal/cmd.version=$(VERSION) -X github.com/pulse-monitoring/pulse/internal/cmd.commit=$(COMMIT) -X github.com/pulse-monitoring/pulse/internal/cmd.built=$(BUILT)

.PHONY: run build test lint deps go-check web

## run: build the console if it is missing or stale (make web) and bin/pulse, then start bin/pulse with manifest/config/config.yaml (no Redis; the alarm store is SQLite under data/), so that bin/pulse's other commands work too
run: go-check first-build-note web
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .
	exec $(BIN)

# The first build takes minutes (npm packages, Go modules): say so instead of staying silent.
.PHONY: first-build-note
first-build-note:
	@if [ ! -f $(CONSOLE) ] || [ ! -x $(BIN) ]; then echo "building the console and bin/pulse, the first time takes a few minutes"; fi

## build: build the console if it is missing or stale (make web), then the binary into bin/pulse with the console inside (a plain `go build` works too, with whatever make web last built, or a page saying how to build the console)
build: go-check web
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# The console's build (resource/public/console, gitignored, embedded by the binary) is stale when
# anything it is built from is newer: the console's and the client's sources, the page, the
# package manifests and lockfiles, the Vite and TypeScript configuration.
CONSOLE := resource/public/console/index.html
CONSOLE_SOURCES := $(shell find web/console/src web/console/public web/client/src -type f 2>/dev/null) \
	$(wildcard web/console/index.html web/console/api.html web/console/package.json web/console/package-lock.json \
		web/console/vite.config.* web/console/tsconfig*.json \
		web/client/package.json web/client/package-lock.json web/client/tsconfig*.json)

## web: build the console (web/console) into resource/public/console when it is missing or stale; installs Node.js and npm with apt-get first if they are absent (hack/web-build.sh says what and why)
web: $(CONSOLE)

$(CONSOLE): $(CONSOLE_SOURCES)
	@hack/web-build.sh

## test: every Go test with the race detector, then the client's tests and the console's browser tests against bin/pulse, then every shell command of the README (make readme); installs what is missing first: see deps and web
test: deps web
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .
	@hack/npm-ci.sh internal/notify/testdata/node # the webhook receiver that verifies with standardwebhooks (Go tests start it)
	$(GO) test -race -count=1 ./...
	PULSE_BIN=$(abspath $(BIN)) hack/examples-test.sh
	@if [ -f web/client/package.json ]; then \
		hack/npm-ci.sh web/client && \
		echo "PULSE_BIN=$(abspath $(BIN)) $(NPM) --prefix web/client test" && \
		PULSE_BIN=$(abspath $(BIN)) $(NPM) --prefix web/client test; \
	else echo "web/client/package.json is missing: no client tests to run"; fi
	@if [ -f web/console/package.json ]; then \
		hack/npm-ci.sh web/console && \
		echo "PULSE_BIN=$(abspath $(BIN)) $(NPM) --prefix web/console run e2e" && \
		PULSE_BIN=$(abspath $(BIN)) $(NPM) --prefix web/console run e2e; \
	else echo "web/console/package.json is missing: no browser tests to run"; fi
	@$(MAKE) --no-print-directory readme

## readme: run every shell command of README.md, in order, against a fresh server on a free port with a temporary store (hack/readme-test.sh)
.PHONY: readme
readme: go-check web
	hack/readme-test.sh

## examples: run the ingest examples (examples/: Go, Node.js, Python) against a fresh server on a free port and check that what they published arrived (make test runs them too)
.PHONY: examples
examples: go-check
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .
	PULSE_BIN=$(abspath $(BIN)) hack/examples-test.sh

## lint: gofmt and go vet (of the repository's Go files: node_modules may hold some of its own)
lint:
	@files=$$(git ls-files -co --exclude-standard '*.go'); test -z "$$(gofmt -l $$files)" || (gofmt -l $$files && exit 1)
	$(GO) vet ./...

## fuzz: run every fuzz target for FUZZTIME each (default 30s); their seeds already run in make test
.PHONY: fuzz
fuzz: go-check
	hack/fuzz.sh

## bench: the standard load scenarios (server on core 0, `pulse bench` on core 1), a markdown table of medians of three runs; BENCH_QUICK=1 for a short run
.PHONY: bench
bench: go-check
	hack/bench.sh

## soak: the soak scenario of issue 23 against a fresh server (core 0, GOMAXPROCS=1; `pulse bench --soak` on core 1) for SOAK_DURATION (default 10m): a table every 10 s and a PASS/FAIL line (see docs/OPERATIONS.md, "Soak test")
.PHONY: soak
soak: go-check
	hack/soak.sh

## bench-cluster: cross-node deliveries/s, two nodes sharing the Redis at REDIS_ADDR (default 127.0.0.1:6379) and DATABASE_LINK (default the local MariaDB)
.PHONY: bench-cluster
bench-cluster: go-check
	hack/bench-cluster.sh

## deps: what make test needs beyond Go: a C compiler (the race detector uses cgo), redis-server (the Redis-outage tests start one of their own), Node.js with npm (the client's tests, the console's build) and chromium (the console's browser tests). hack/install-deps.sh names what it installs, and why, before it runs apt-get
deps: go-check
	@hack/install-deps.sh

## go-check: fail with a pointer to go.dev when Go is missing (installs nothing)
go-check:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/dl/"; exit 1; }
