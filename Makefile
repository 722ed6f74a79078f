# Two commands: `make run` sets everything up and serves (on PORT=…, else EVENTGRAPH_PORT, else
# 8000); `make test` runs the checks and tests.
# `make bench` measures (docs/benchmarks.md; BENCH_SCALES=10k,100k,1m for the opt-in 1M scale).
# Everything they need is installed here, into .venv and var/ (both git-ignored).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
ifndef PYTHON
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
endif

# The suite's GraphQL and Cypher parts run a second time through the routing protocol a cluster
# or Aura speaks (neo4j://, which the local Neo4j answers too), after the whole suite.
ROUTED_TESTS := tests/test_graphql.py tests/test_graphql_mutations.py tests/test_graphql_agreement.py \
	tests/test_cypher_answers.py tests/test_cypher_refusals.py tests/test_replicas.py

# The throwaway Neo4j for tests: its own port and data directory, never the one `make run` uses.
TEST_NEO4J_PORT ?= 7688
TEST_NEO4J := env -u NEO4J_URI EVENTGRAPH_NEO4J_PORT=$(TEST_NEO4J_PORT) EVENTGRAPH_NEO4J_HOME=$(CURDIR)/var/test/neo4j \
	EVENTGRAPH_NEO4J_HEAP=1g EVENTGRAPH_NEO4J_PAGECACHE=256m

# Neo4j Browser, served by the API at /browser to this machine only. 5.24.0 is the last Browser
# Neo4j published to Maven Central; it is fetched once into var/ (git-ignored), never committed.
BROWSER_VERSION := 5.24.0
BROWSER_STAMP := var/browser/.version-$(BROWSER_VERSION)

# graphql-http's GraphQL-over-HTTP audit, run by the tests: Node 20+ and npm, packages pinned by
# its package-lock.json, installed into its own node_modules (git-ignored); npm ci only when the
# lock file changed (npm ci empties node_modules, stamp included).
AUDIT := tests/graphql_http_audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-$(shell cksum < $(AUDIT)/package-lock.json | cut -d' ' -f1)
# The GraphQL clients frontends use (Apollo Client, urql, graphql-ws), run by tests/test_clients.py;
# installed the same way.
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed-$(shell cksum < $(CLIENTS)/package-lock.json | cut -d' ' -f1)

# GraphiQL (/graphql) and Swagger UI (/docs) are served from this machine: their npm packages,
# pinned by api/ui/package-lock.json, go into api/ui/node_modules (git-ignored). Without npm the
# set-up goes on and those pages say how to install them.
UI := api/ui
UI_STAMP := $(UI)/node_modules/.installed-$(shell cksum < $(UI)/package-lock.json | cut -d' ' -f1)
NPM := $(shell command -v npm)

# The analyst's web app (web/, served at /): its npm packages pinned by web/package-lock.json
# (npm ci only when the lock file changed), built into web/dist only when the content of one of
# its inputs changed (the stamp names their checksum; the build empties dist, stamp included).
WEB := web
WEB_INPUTS := $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/index.html $(WEB)/vite.config.ts \
	$(WEB)/tsconfig.json $(sort $(shell find $(WEB)/src -type f 2>/dev/null))
WEB_MODULES := $(WEB)/node_modules/.installed-$(shell cksum < $(WEB)/package-lock.json | cut -d' ' -f1)
WEB_STAMP := $(WEB)/dist/.built-$(shell cat $(WEB_INPUTS) | cksum | cut -d' ' -f1)

# Debian's Chromium, for the browser tests (tests/test_graphiql_browser.py, driven by Playwright).
CHROMIUM := /usr/bin/chromium

# mypy reads graph/ and api/ under their installed names (eventgraph.graph, eventgraph.api) through
# links in var/ (pyproject.toml's package-dir mapping is a setuptools feature mypy does not read).
TYPES := var/typecheck/eventgraph
MYPY := mkdir -p $(TYPES) && ln -sfn $(CURDIR)/graph $(TYPES)/graph && ln -sfn $(CURDIR)/api $(TYPES)/api && \
	MYPYPATH=$(CURDIR)/var/typecheck $(BIN)/mypy

.PHONY: run test setup test-setup no-ui lint typecheck stop browser bench

setup: $(STAMP) $(if $(NPM),$(UI_STAMP) $(WEB_STAMP),no-ui)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11 on PATH)."; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,bench,tracing]'
	@rm -f $(VENV)/.installed-* && touch $@

no-ui:
	@echo "npm not found: GraphiQL, /docs and the web app at / say how to install them (Node.js 20+ with npm, then make setup)."

$(UI_STAMP): $(UI)/package.json $(UI)/package-lock.json
	@test -n "$(NPM)" || { echo "Node.js 20+ with npm is needed for GraphiQL and /docs (and their tests)."; exit 2; }
	npm ci --prefix $(UI) --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_MODULES): $(WEB)/package.json $(WEB)/package-lock.json
	@test -n "$(NPM)" || { echo "Node.js 20+ with npm is needed for the web app (and its tests)."; exit 2; }
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	@touch $@

# The inputs' content, not their times, decides: the stamp's name changes with it.
$(WEB_STAMP): $(WEB_MODULES)
	npm run --prefix $(WEB) --silent build
	@touch $@

test-setup: setup $(WEB_STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP) $(UI_STAMP) $(CHROMIUM)

$(AUDIT_STAMP): $(AUDIT)/package.json $(AUDIT)/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the tests (the GraphQL-over-HTTP audit)."; exit 2; }
	npm ci --prefix $(AUDIT) --no-audit --no-fund --loglevel=error
	@touch $@

$(CLIENTS_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the tests (the GraphQL clients)."; exit 2; }
	npm ci --prefix $(CLIENTS) --no-audit --no-fund --loglevel=error
	@touch $@

# Installed only when missing, as root: we run as root here and in CI; elsewhere through sudo.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then as_root=; elif command -v sudo >/dev/null; then as_root=sudo; else \
		echo "Chromium is needed for the browser tests: install Debian's chromium package as root."; exit 2; fi; \
	command -v apt-get >/dev/null || { echo "Chromium is needed for the browser tests ($(CHROMIUM)): no apt-get here to install it."; exit 2; }; \
	$$as_root apt-get update -q && \
	$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
	@test -x $@ || { echo "apt-get installed no $@"; exit 2; }

run: setup
	@$(MAKE) --no-print-directory browser || echo "Neo4j Browser not fetched (no Maven Central?): /browser stays off."
	$(BIN)/eventgraph neo4j start
	$(BIN)/eventgraph schema apply
	$(BIN)/eventgraph import seeds/
	EVENTGRAPH_ANONYMOUS_READ=$${EVENTGRAPH_ANONYMOUS_READ:-true} $(BIN)/eventgraph serve $(if $(PORT),--port $(PORT))

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(MYPY)

test: test-setup
	@$(TEST_NEO4J) bash -c 'trap "$(BIN)/eventgraph neo4j stop" EXIT; \
		$(BIN)/eventgraph neo4j start && \
		$(BIN)/ruff check . && $(BIN)/ruff format --check . && \
		$(MYPY) && \
		$(BIN)/pytest $(PYTEST_ARGS) && \
		if [ -z "$(PYTEST_ARGS)" ]; then \
			echo "The GraphQL and Cypher tests again, through the routing protocol (neo4j://):"; \
			EVENTGRAPH_NEO4J_SCHEME=neo4j $(BIN)/pytest -q $(ROUTED_TESTS); fi'

stop: setup
	$(BIN)/eventgraph neo4j stop

# The benchmarks (bench/, issue 6): their own Neo4j (port 7699, var/bench/neo4j, with the APOC
# plugin the @neo4j/graphql reference needs), datasets cached in var/bench/data; the report goes
# to docs/benchmarks.md. Scales: BENCH_SCALES (default 10k,100k); other options: BENCH_ARGS.
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

browser: $(BROWSER_STAMP)

$(BROWSER_STAMP):
	rm -rf var/browser && mkdir -p var/browser
	cd var/browser && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
		-Dartifact=org.neo4j.client:neo4j-browser:$(BROWSER_VERSION) \
		-DoutputDirectory=. -Dmdep.unpack.includes='browser/**'
	rm -rf 'var/browser/$${project.basedir}'  # the plugin's markers, when run without a pom
	@test -f var/browser/browser/index.html && touch $@
