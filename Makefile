# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint services migrations-check pytest bench clean compose-check

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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install services
	DJANGO_SETTINGS_MODULE=coordination.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install services
	$(BIN)/pytest $(PYTEST_ARGS)

## make test: install, make sure PostgreSQL and Redis are up, lint, migration check, whole suite.
test: install services lint migrations-check pytest

## docker-compose.yml against the Compose specification (no Docker needed).
compose-check: install
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

clean:
	rm -rf $(VENV) var/staticfiles var/test-media
