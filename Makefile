# Pulse: plain Go targets (the gf CLI is not needed).
GO ?= go
BIN ?= bin/pulse

.PHONY: run build test lint deps

## run: start the server with manifest/config/config.yaml (embedded defaults, no Redis, no database)
run: deps
	$(GO) run .

## build: build the binary into bin/pulse
build: deps
	$(GO) build -o $(BIN) .

## test: run every test with the race detector
test: deps
	$(GO) test -race -count=1 ./...

## lint: gofmt and go vet
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) vet ./...

## fuzz: run every fuzz target for FUZZTIME each (default 30s); their seeds already run in make test
.PHONY: fuzz
fuzz: deps
	hack/fuzz.sh

## bench: the standard load scenarios (server on core 0, `pulse bench` on core 1), a markdown table of medians of three runs; BENCH_QUICK=1 for a short run
.PHONY: bench
bench: deps
	hack/bench.sh

## bench-cluster: cross-node deliveries/s, two nodes sharing the Redis at REDIS_ADDR (default 127.0.0.1:6379) and DATABASE_LINK (default the local MariaDB)
.PHONY: bench-cluster
bench-cluster: deps
	hack/bench-cluster.sh

## deps: what a fresh machine needs (the race detector needs a C compiler; the cluster tests a redis-server of their own)
deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/dl/"; exit 1; }
	@command -v gcc >/dev/null && command -v redis-server >/dev/null || hack/install-deps.sh
