# Pulse: plain Go targets (the gf CLI is not needed).
GO ?= go
BIN ?= bin/pulse

.PHONY: run build test lint deps go-check

## run: start the server with manifest/config/config.yaml (embedded defaults, no Redis, no database); needs only Go
run: go-check
	$(GO) run .

## build: build the binary into bin/pulse; needs only Go
build: go-check
	$(GO) build -o $(BIN) .

## test: run every test with the race detector (installs what is missing first: see deps)
test: deps
	$(GO) test -race -count=1 ./...

## lint: gofmt and go vet
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) vet ./...

## fuzz: run every fuzz target for FUZZTIME each (default 30s); their seeds already run in make test
.PHONY: fuzz
fuzz: go-check
	hack/fuzz.sh

## bench: the standard load scenarios (server on core 0, `pulse bench` on core 1), a markdown table of medians of three runs; BENCH_QUICK=1 for a short run
.PHONY: bench
bench: go-check
	hack/bench.sh

## bench-cluster: cross-node deliveries/s, two nodes sharing the Redis at REDIS_ADDR (default 127.0.0.1:6379) and DATABASE_LINK (default the local MariaDB)
.PHONY: bench-cluster
bench-cluster: go-check
	hack/bench-cluster.sh

## deps: what make test needs beyond Go: a C compiler (the race detector uses cgo) and redis-server (the Redis-outage tests start one of their own). hack/install-deps.sh names what it installs, and why, before it runs apt-get
deps: go-check
	@hack/install-deps.sh

## go-check: fail with a pointer to go.dev when Go is missing (installs nothing)
go-check:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/dl/"; exit 1; }
