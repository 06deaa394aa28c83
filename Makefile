# Two commands for a newcomer: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Two processes match the two cores we plan for; -p xdist keeps output readable.
PYTEST := $(BIN)/pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

.PHONY: install demo test test-sqlite test-pg check lint format types scope migrations-check bench clean messages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/fengqiao demo

test: test-sqlite test-pg

test-sqlite: $(STAMP)
	@echo "== tests on SQLite =="
	$(PYTEST)

test-pg: $(STAMP)
	@if [ -n "$$FENGQIAO_TEST_PG" ]; then \
		echo "== tests on PostgreSQL ($$FENGQIAO_TEST_PG) =="; \
		FENGQIAO_TEST_DB=pg $(PYTEST); \
	else \
		echo "== PostgreSQL tests skipped: set FENGQIAO_TEST_PG=postgresql://user@host:5432/db =="; \
	fi

check: lint types migrations-check scope

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

types: $(STAMP)
	$(BIN)/mypy src

scope: $(STAMP)
	$(BIN)/python scripts/lint_case_scope.py

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=fengqiao.test_settings $(BIN)/django-admin makemigrations --check --dry-run

messages: $(STAMP)
	cd src/fengqiao && DJANGO_SETTINGS_MODULE=fengqiao.test_settings ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --ignore '*/tests/*' && DJANGO_SETTINGS_MODULE=fengqiao.test_settings ../../$(BIN)/django-admin compilemessages

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var test-artifacts
