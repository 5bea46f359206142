# Kantuta POS server. `make run` and `make test` are all a newcomer needs.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/kantuta

# Lint tools, pinned, installed from the Go module proxy into bin/tools/<version>.
STATICCHECK_VERSION := v0.8.2
XTOOLS_VERSION := v0.38.0
STATICCHECK := bin/tools/staticcheck-$(STATICCHECK_VERSION)/staticcheck
DEADCODE := bin/tools/x-tools-$(XTOOLS_VERSION)/deadcode

.PHONY: run build test bench vet fmt lint e2e browser-e2e api-doc clean

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

lint: $(STATICCHECK) $(DEADCODE) ## gofmt, go vet, staticcheck and deadcode: all must be clean
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...
	@dead=$$($(DEADCODE) -test ./...); \
	  if [ -n "$$dead" ]; then echo "deadcode: unreachable functions:"; echo "$$dead"; exit 1; fi
	@echo "lint: clean"

$(STATICCHECK):
	GOBIN=$(CURDIR)/$(@D) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(DEADCODE):
	GOBIN=$(CURDIR)/$(@D) go install golang.org/x/tools/cmd/deadcode@$(XTOOLS_VERSION)

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
