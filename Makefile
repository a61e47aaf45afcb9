# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint services server-deps bench-deps migrations-check pytest bench clean compose-check browser-deps audit fuzz celery-faults messages spectral-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	@$(BIN)/uv pip install --python $(BIN)/python -q -e '.[dev]'
	@touch $@

install: $(STAMP)

## make run: install, migrate, demo data, web + Celery worker + beat (SQLite and an embedded broker
## unless DATABASE_URL / REDIS_URL are set).
run: install
	@DEBUG=$${DEBUG:-1} $(BIN)/python -m coordination.devtools run

services:
	@$(BIN)/python -m coordination.devtools ensure-services

lint: install spectral-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# bandit: every finding fixed or justified with "# nosec <id>" (docs/security.md); its
	@# stderr only repeats the nosec lines of multi-line statements
	$(BIN)/bandit -r coordination projects handover kpi -x tests,migrations -q 2>/dev/null
	@# Spectral (spectral:oas + OWASP API ruleset, .spectral.yaml) on the schema of /api/v1/:
	@# any error fails; what is switched off or re-scoped is explained in docs/security.md
	@mkdir -p var
	DEBUG=1 $(BIN)/python manage.py spectacular --file var/openapi.yaml --validate
	$(SPECTRAL) lint var/openapi.yaml --ruleset .spectral.yaml --fail-severity error

## spectral-deps: Spectral and the OWASP ruleset from the npm registry, pinned by
## .ci/spectral/package-lock.json, into .ci/spectral/node_modules (needs node and npm).
SPECTRAL := .ci/spectral/node_modules/.bin/spectral
spectral-deps: $(SPECTRAL)

$(SPECTRAL): .ci/spectral/package.json .ci/spectral/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; } || { \
	    echo "spectral-deps: ERROR npm missing; install it: apt-get install -y nodejs npm" >&2; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm \
	  || { echo "spectral-deps: ERROR apt-get install nodejs npm failed" >&2; exit 1; }; }
	npm ci --prefix .ci/spectral --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

## make audit: known vulnerabilities of the installed dependencies (needs the network:
## PyPI's vulnerability service; --strict: a package it cannot check fails); not in make test.
audit: install
	$(BIN)/pip-audit --progress-spinner off --skip-editable --strict

## make fuzz / make celery-faults: the longer security runs (docs/security.md).
fuzz: install services
	$(BIN)/python bench/fuzz_api.py --examples $${EXAMPLES:-30}

celery-faults: install services
	$(BIN)/python bench/celery_faults.py

migrations-check: install services
	DJANGO_SETTINGS_MODULE=coordination.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

## browser-deps: Debian's chromium for the browser tests (Playwright's own download does not work
## here); CJK fonts too so screenshots are readable (optional: a failure there is only a warning).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "browser-deps: chromium missing, installing it with apt-get (Debian package 'chromium')"; \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; } || { \
	    echo "browser-deps: ERROR cannot install chromium: need root and apt-get." \
	         "Install it yourself: apt-get install -y chromium fonts-noto-cjk" >&2; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk \
	    || { echo "browser-deps: ERROR apt-get install chromium failed (see above)" >&2; exit 1; }; }
	@command -v chromium >/dev/null 2>&1 || { echo "browser-deps: ERROR chromium still not on PATH" >&2; exit 1; }
	@if command -v fc-list >/dev/null 2>&1 && [ -z "$$(fc-list :lang=zh 2>/dev/null)" ] && [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1; } \
	  || echo "browser-deps: warning: fonts-noto-cjk not installed; screenshots show boxes for Chinese"; fi

## server-deps: Debian's pgbouncer for the several-hosts test (tests/scaling: PgBouncer in
## transaction mode in front of PostgreSQL, started by the test on a free port).
server-deps:
	@command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || { \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; } || { \
	    echo "server-deps: ERROR pgbouncer missing; install it: apt-get install -y pgbouncer" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null; } \
	  || { echo "server-deps: ERROR apt-get install pgbouncer failed" >&2; exit 1; }; }

## two processes, one per core (pytest-xdist); a test file stays in one process, so its
## module fixtures are built once. PYTEST_ARGS="-n 0 …" runs in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile
pytest: install services browser-deps server-deps
	$(BIN)/pytest $(PYTEST_ARGS)

## make test: install, make sure PostgreSQL and Redis are up, lint, migration check, whole suite.
test: install services lint migrations-check pytest

## docker-compose.yml against the Compose specification (no Docker needed).
## make bench: seed a PostgreSQL benchmark database with SCALE projects (default 10000) and run
## every bench/ script; RATIO lines summarised at the end. See docs/performance.md.
SCALE ?= 10000
OCCURRENCES ?= 1000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hub_bench_$(SCALE)
## bench-deps: Debian's wrk, the load generator of bench/list_http.py (loopback only).
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; } || { \
	    echo "bench-deps: ERROR wrk missing; install it: apt-get install -y wrk" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; } \
	  || { echo "bench-deps: ERROR apt-get install wrk failed" >&2; exit 1; }; }

bench: install services bench-deps
	DATABASE_URL=$(BENCH_DATABASE_URL) SCALE=$(SCALE) OCCURRENCES=$(OCCURRENCES) \
		$(BIN)/python bench/run_all.py

compose-check: install
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

## make messages: extract UI strings into locale/en/LC_MESSAGES/django.po (fill in the English,
## then run it again to compile); tests/coordination/test_translations.py fails on a gap.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-location --ignore=.venv --ignore=var \
		--ignore=node_modules --ignore=tests --ignore=bench --ignore=docs --ignore=static/vendor
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var/staticfiles var/test-media*
