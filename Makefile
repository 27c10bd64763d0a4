# make serve: create .venv, install, run trackgate on the embedded default (127.0.0.1:8080).
# make test:  create .venv, install the test extras, run the whole suite.
#
# Installs come from uv.lock (every package, version and hash that CI tested), through uv, which
# is itself installed by pip from tools/uv-requirements.txt (one version, hashes checked) into
# .tools/. `make lock` refreshes the lock; `make outdated` lists newer releases than it holds.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# uv uses this interpreter for .venv and never downloads one of its own.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
PORT ?= 8080
# Test processes for `make test` (pytest-xdist, one test file per process at a time, so a
# module's servers start once); 0 runs the suite in this process.
# The PostgreSQL pass runs as many processes, each on a database of its own (tests/pgdb.py).
TEST_WORKERS ?= 2
# Tests run in a random order (pytest-randomly); the seed is printed first, and
# `make test TEST_SEED=N` runs that order again.
ifndef TEST_SEED
TEST_SEED := $(shell $(PYTHON) -c 'import random; print(random.randrange(10**9))')
endif
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --randomly-seed=$(TEST_SEED)

.PHONY: serve test test-pg lint typecheck check clean lock outdated mutate docs

$(UV): tools/uv-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --require-hashes -r tools/uv-requirements.txt
	touch $@

# The runtime from the lock. --inexact leaves the test extras alone if `make test` put them there.
$(BIN)/trackgate: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --inexact --quiet
	touch $@

$(VENV)/.test-installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --extra test --quiet
	touch $(BIN)/trackgate $@

serve: $(BIN)/trackgate
	$(BIN)/trackgate serve --port $(PORT) $(ARGS)

test: $(VENV)/.test-installed
	@echo "test order seed: $(TEST_SEED) (make test TEST_SEED=$(TEST_SEED) repeats it)"
	$(PYTEST) $(PYTEST_ARGS)

# The whole suite on a throwaway PostgreSQL database (dropped afterwards).
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
test-pg: $(VENV)/.test-installed
	@echo "test order seed: $(TEST_SEED) (make test-pg TEST_SEED=$(TEST_SEED) repeats it)"
	@db=trackgate_test_$$$$_$$(date +%s); \
	$(BIN)/python -m tests.pgdb create "$(PG_ADMIN_URL)" $$db && \
	TRACKGATE_TEST_DATABASE_URL="$$($(BIN)/python -m tests.pgdb url "$(PG_ADMIN_URL)" $$db)" \
	  $(PYTEST) $(PYTEST_ARGS); status=$$?; \
	$(BIN)/python -m tests.pgdb drop "$(PG_ADMIN_URL)" $$db; exit $$status

# Mutation testing (mutmut) of the modules pyproject.toml's [tool.mutmut] names, against the
# tests that cover them; prints the kill ratio per module and writes docs/mutation-report.md.
# Hours on two cores, so not part of CI: run it after changing those modules or their tests.
# It resumes where an interrupted run stopped; `rm -rf mutants` starts afresh.
mutate: $(VENV)/.test-installed
	$(UV) sync --frozen --extra test --extra mutate --quiet
	TRACKGATE_TEST_IN_PROCESS_ONLY=1 $(BIN)/mutmut run --max-children $(TEST_WORKERS)
	$(BIN)/python tools/mutation_report.py --write docs/mutation-report.md

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

check: lint typecheck test

# The documentation site (docs/, mkdocs.yml) into site/, from the lock's docs extra. --strict
# fails on a broken link or a warning; nothing is fetched (no web fonts, no CDN).
docs: $(UV)
	$(UV) sync --frozen --extra test --extra docs --quiet
	touch $(BIN)/trackgate $(VENV)/.test-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

# Resolve the newest versions the ranges in pyproject.toml allow and write them to uv.lock.
lock: $(UV)
	$(UV) lock --upgrade

# What newer releases exist than the lock holds (nothing is changed).
outdated: $(VENV)/.test-installed
	$(UV) pip list --outdated --python $(BIN)/python

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache site
