# pyallora: one target per habit. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COMETBFT_VERSION := v0.38.25
COMETBFT := .bin/cometbft
ABCI_CLI := .bin/abci-cli


.PHONY: help venv fmt lint test test-fast bench demo cometbft abci-cli maybe-cometbft proto clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | expand -t 16

venv: $(STAMP)  ## create .venv and install pyallora with all extras (idempotent)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,node,agents]'
	@touch $(STAMP)

cometbft: $(COMETBFT)  ## build CometBFT $(COMETBFT_VERSION) into .bin/ with go install (idempotent)

$(COMETBFT):
	@mkdir -p .bin
	@if [ -x $(COMETBFT) ] && $(COMETBFT) version 2>/dev/null | grep -qx '$(COMETBFT_VERSION:v%=%)'; then \
	  echo "cometbft $(COMETBFT_VERSION) already in .bin/"; \
	else \
	  echo "building cometbft $(COMETBFT_VERSION) with go install (a few minutes the first time)"; \
	  GOBIN=$(CURDIR)/.bin CGO_ENABLED=0 go install -ldflags='-s -w' github.com/cometbft/cometbft/cmd/cometbft@$(COMETBFT_VERSION); \
	fi
	@$(COMETBFT) version

abci-cli: $(ABCI_CLI)  ## build CometBFT's abci-cli (its Go socket server; bench node --ceiling)

$(ABCI_CLI):
	@mkdir -p .bin
	@echo "building abci-cli of cometbft $(COMETBFT_VERSION) with go install"
	@GOBIN=$(CURDIR)/.bin CGO_ENABLED=0 go install -ldflags='-s -w' github.com/cometbft/cometbft/abci/cmd/abci-cli@$(COMETBFT_VERSION)

maybe-cometbft:
	@if command -v go >/dev/null 2>&1; then $(MAKE) --no-print-directory cometbft abci-cli; \
	else echo "WARNING: go is not installed: tests that need CometBFT will be SKIPPED"; fi

fmt: venv  ## format the code
	$(BIN)/ruff format src tests tools
	$(BIN)/ruff check --fix src tests tools

lint: venv  ## ruff, mypy (--strict on the consensus layers), import layers, determinism lint, protos
	$(BIN)/ruff format --check src tests tools
	$(BIN)/ruff check src tests tools
	$(BIN)/mypy src/pyallora
	$(BIN)/lint-imports
	$(BIN)/python tools/lint_determinism.py
	$(BIN)/python tools/gen_proto.py --check

test: venv maybe-cometbft lint  ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -p no:cacheprovider

test-fast: venv  ## the tests without lint and without slow ones
	$(BIN)/python -m pytest -p no:cacheprovider -m "not slow"

bench: venv maybe-cometbft  ## performance figures against the targets
	$(BIN)/allora bench numbers
	$(BIN)/allora bench synthesis
	$(BIN)/allora bench tx
	$(BIN)/allora bench epoch --topics 1
	$(BIN)/allora bench epoch --topics 100
	@if [ -x $(COMETBFT) ]; then $(BIN)/allora bench node --ceiling; \
	else echo "SKIPPED allora bench node: no CometBFT binary (run make cometbft; needs go)"; fi

demo: venv maybe-cometbft  ## the main job: a live local network on real data (see README)
	$(BIN)/allora demo

proto: venv  ## regenerate the Python classes of the emissions and mint .proto files
	$(BIN)/python tools/gen_proto.py

clean:  ## remove the virtual environment, build output and caches
	rm -rf $(VENV) .bin build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
