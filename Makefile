# The two commands a new machine needs: `make run` and `make test`.
# Both create the virtualenv on first use; nothing has to be installed or running.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Re-install when the dependencies change.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint format migrate chromium clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,embedded]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/optimizer serve

migrate: $(STAMP)
	$(BIN)/optimizer migrate

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The browser tests' Chromium, Debian's package (they are skipped, saying so, without it).
chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || { \
			$$sudo apt-get update -qq && \
			$$sudo apt-get install -y -qq --no-install-recommends chromium; }; }
	@chromium --version

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
