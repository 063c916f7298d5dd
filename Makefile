# Two commands set everything up on a fresh machine with Python >= 3.11:
#   make demo   - the monitor on the embedded simulated Hub
#   make test   - the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test wheel-smoke lint bench bench-quick screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,web]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hfwatch --demo

test: $(STAMP)
	$(BIN)/pytest -n 2 -q
	$(BIN)/ruff check hfwatch hfwatch_sim tests bench
	$(BIN)/ruff format --check hfwatch hfwatch_sim tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MAKE) wheel-smoke

# The package as users get it: a wheel in a fresh venv (deps from the dev venv, already resolved there).
wheel-smoke: $(STAMP)
	PYTHON=$(PYTHON) DEPS_SITE="$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
		sh scripts/wheel_smoke.sh

lint: $(STAMP)
	$(BIN)/ruff check hfwatch hfwatch_sim tests bench
	$(BIN)/ruff format --check hfwatch hfwatch_sim tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

screenshots: $(STAMP)
	$(BIN)/python -m hfwatch.tui.screenshots screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
