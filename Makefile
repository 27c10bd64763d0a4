# make serve: create .venv, install, run trackgate on the embedded default (127.0.0.1:8080).
# make test:  create .venv, install the test extras, run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
# Test processes for `make test` (pytest-xdist, one test file per process at a time, so a
# module's servers start once); 0 runs the suite in this process.
# The PostgreSQL pass shares one database between tests, so it runs in one process.
TEST_WORKERS ?= 2

.PHONY: serve test test-pg lint typecheck check clean

$(BIN)/trackgate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/trackgate
	$(BIN)/pip install -q -e '.[test]'
	touch $@

serve: $(BIN)/trackgate
	$(BIN)/trackgate serve --port $(PORT) $(ARGS)

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The whole suite on a throwaway PostgreSQL database (dropped afterwards).
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
test-pg: $(VENV)/.test-installed
	@db=trackgate_test_$$$$_$$(date +%s); \
	$(BIN)/python -m tests.pgdb create "$(PG_ADMIN_URL)" $$db && \
	TRACKGATE_TEST_DATABASE_URL="$$($(BIN)/python -m tests.pgdb url "$(PG_ADMIN_URL)" $$db)" \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	$(BIN)/python -m tests.pgdb drop "$(PG_ADMIN_URL)" $$db; exit $$status

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
