# Kantuta POS server. `make run` and `make test` are all a newcomer needs.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/kantuta

.PHONY: run build test test-short bench vet fmt lint e2e browser-e2e api-doc clean

run: build ## build and serve on :3000 with SQLite in ./data
	./$(BIN) serve

build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kantuta

test: ## the whole suite, on SQLite and (when reachable) PostgreSQL
	@./scripts/test.sh

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

bench: ## load benchmarks against the built binary (see docs/performance.md)
	@./scripts/bench.sh

e2e: build ## end-to-end checks against the built binary
	@./scripts/e2e.sh

browser-e2e: ## the React frontend in chromium against the built binary (see docs/frontend.md)
	@./scripts/browser-e2e.sh
api-doc: build ## run every curl of docs/api.md against a fresh binary and compare the answers
	@go run ./scripts/api-doc -bin $(BIN)

clean:
	rm -rf bin
