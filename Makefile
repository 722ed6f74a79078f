# Two commands: `make run` sets everything up and serves; `make test` runs the checks and tests.
# Everything they need is installed here, into .venv and var/ (both git-ignored).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
ifndef PYTHON
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
endif

# The throwaway Neo4j for tests: its own port and data directory, never the one `make run` uses.
TEST_NEO4J := env -u NEO4J_URI EVENTGRAPH_NEO4J_PORT=7688 EVENTGRAPH_NEO4J_HOME=$(CURDIR)/var/test/neo4j \
	EVENTGRAPH_NEO4J_HEAP=1g EVENTGRAPH_NEO4J_PAGECACHE=256m

.PHONY: run test setup lint typecheck stop

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11 on PATH)."; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: setup
	$(BIN)/eventgraph neo4j start
	$(BIN)/eventgraph schema apply
	$(BIN)/eventgraph import seeds/
	EVENTGRAPH_ANONYMOUS_READ=$${EVENTGRAPH_ANONYMOUS_READ:-true} $(BIN)/eventgraph serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test: setup
	@$(TEST_NEO4J) bash -c 'trap "$(BIN)/eventgraph neo4j stop" EXIT; \
		$(BIN)/eventgraph neo4j start && \
		$(BIN)/ruff check . && $(BIN)/ruff format --check . && \
		$(BIN)/mypy && \
		$(BIN)/pytest $(PYTEST_ARGS)'

stop: setup
	$(BIN)/eventgraph neo4j stop
