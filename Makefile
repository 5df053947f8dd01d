# armorlake — run `make help` for the targets.
GO ?= go
BIN := bin/armorlake
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

build: ## build bin/armorlake
	$(GO) build -o $(BIN) ./cmd/armorlake

run: build ## run the whole seed topology in one process (armorlake dev)
	./$(BIN) dev

test: ## install what the tests need when missing, then run every test
	./scripts/test.sh

comma := ,

bench: build ## armorlake beside PostgreSQL 15 and DuckDB on the same events, results into docs/benchmarks.md (EVENTS, default 10000000; OPERATORS, default 1,3)
	$(GO) -C test/bench/compare run . --armorlake $(CURDIR)/$(BIN) --events $(or $(EVENTS),10000000) \
		--operators $(if $(OPERATORS),$(OPERATORS),1$(comma)3) --doc $(CURDIR)/docs/benchmarks.md \
		--plot $(CURDIR)/docs/bench-queries.png --profiles $(CURDIR)/bin/profiles \
		--command "make bench$(if $(EVENTS), EVENTS=$(EVENTS))$(if $(OPERATORS), OPERATORS=$(OPERATORS))"

bench-ingest: build ## measure sustained ingest from a simulator process (EVENTS, default 5000000)
	$(GO) run ./test/bench/ingest --events $(or $(EVENTS),5000000) --cpuprofile bin/ingest.prof

bench-storage: ## bytes per event and scan speed of the store vs JSON and PostgreSQL (EVENTS, default 10000000)
	$(GO) run ./test/bench/storage --events $(or $(EVENTS),10000000)

bench-federation: ## latency and memory of one query node over many operators (OPERATORS, default 1000)
	$(GO) run ./test/bench/federation --operators $(or $(OPERATORS),1000)

bench-pgwire: ## pgbench round trips of a trivial query: a query node beside PostgreSQL (SECONDS, default 10)
	$(GO) run ./test/bench/pgwire --seconds $(or $(SECONDS),10)

generate: ## regenerate the protobuf code in rpcpb/ and the KubeArmor wire code in kawire/
	@command -v protoc >/dev/null || (apt-get update -qq && apt-get install -y -qq protobuf-compiler)
	GOBIN=$(CURDIR)/bin $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(CURDIR)/bin $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	PATH=$(CURDIR)/bin:$$PATH protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative rpcpb/operator.proto
	$(GO) generate ./kawire

lint: ## gofmt and go vet (the benchmark module too)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) -C test/bench/compare vet ./...

fuzz: ## run each fuzz test for FUZZTIME (default 1m)
	./scripts/fuzz.sh $(or $(FUZZTIME),1m)

.PHONY: help build run test bench bench-ingest bench-storage bench-federation bench-pgwire generate lint fuzz
