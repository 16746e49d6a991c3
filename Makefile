# Two commands on a fresh machine: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint format clean browser

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The origin is the first thing `make run` prints, before the first run's set-up.
run:
	@echo "cnk-events: https://localhost:$${CNK_HTTPS_PORT:-8443} (setting up, then starting)"
	@$(MAKE) --no-print-directory setup
	@$(BIN)/cnk dev

test: setup browser
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's chromium through Playwright (never a downloaded build);
# certutil (libnss3-tools) makes that chromium trust the local origin's CA.
browser:
	@{ command -v chromium && command -v certutil; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libnss3-tools) \
	      || echo "could not install chromium: the browser tests will be skipped"; \
	  else \
	    echo "browser tests need Debian's chromium and libnss3-tools (sudo apt-get install chromium libnss3-tools); skipping them"; \
	  fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
