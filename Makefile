# The README's two commands: `make serve` (set up, index seeds/, serve the page)
# and `make test` (set up, then every check and test). `.ci/run` calls `make test`.
# `make serve` installs only what serving needs; `make test` adds the test tools.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# arsearch and what it needs to run; then the test tools (pyproject's `test` extra).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
INDEX ?= index
# Processes `make serve` answers with (empty: serve.workers, or one per core).
WORKERS ?=

.PHONY: setup serve test test-slow lint typecheck unit browser-deps xapian-deps bench fuzz soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

setup: $(TEST_STAMP)

serve: $(STAMP)
	$(BIN)/arsearch index seeds/ --index $(INDEX)
	$(BIN)/arsearch config load seeds/arsearch.toml --index $(INDEX)
	$(BIN)/arsearch serve --index $(INDEX) --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# Debian's chromium for the browser tests, installed when missing and apt is here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and apt-get is not available: browser tests will fail"; fi; }

# Debian's xapian-tools (the shard servers of the xapian engine, for the cluster tests),
# installed when missing and apt is here.
xapian-deps:
	@command -v xapian-tcpsrv >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's xapian-tools for the shard servers"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xapian-tools >/dev/null; \
	  else echo "xapian-tools is missing and apt-get is not available: cluster tests will fail"; fi; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# pytest leaves out the tests marked slow (see pyproject.toml) and lists its 15 slowest.
unit: $(TEST_STAMP)
	$(BIN)/python -m pytest

test: $(TEST_STAMP) browser-deps xapian-deps lint typecheck unit

# The slow tests: each repeats a property of the default run, on the slower engine.
test-slow: $(TEST_STAMP)
	$(BIN)/python -m pytest -m slow

# Every benchmark, each writing its section of bench/RESULTS.md (reads ../shared/data).
bench: $(TEST_STAMP)
	$(BIN)/python bench/analysis.py --write
	$(BIN)/python bench/indexing.py --write
	$(BIN)/python bench/queries.py --write
	$(BIN)/python bench/suggestions.py --write
	$(BIN)/python bench/web.py --write
	$(BIN)/python bench/relevance.py --write
	$(BIN)/python bench/slowqueries.py --write

# The long runs of issue 10 (minutes each), recorded in bench/RESULTS.md: the fuzz suite
# with thousands of cases a test, and the concurrency tests at 500 commits and 5 rebuilds.
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	ARSEARCH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/test_fuzz.py \
	  --hypothesis-show-statistics

soak: $(STAMP)
	ARSEARCH_SOAK=1 $(BIN)/python -m pytest -q -rP tests/test_concurrency.py --durations=0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
