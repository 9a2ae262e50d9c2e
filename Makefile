# ParkGuard: `make run` serves the demo park; `make test` runs every check and test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK_HASH := $(shell sha1sum requirements.lock | cut -c1-12)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
HOST ?= 127.0.0.1:8000
# Test processes: one per core (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

.PHONY: install run test lint browser bench lock clean-db

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null || { \
	  echo "需要 Python 3.11+ 及其 venv 模块（Debian/Ubuntu: apt-get install python3-venv）"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo_load --if-empty
	@echo "ParkGuard: http://$(HOST)/  (Ctrl-C 停止)"
	@$(BIN)/python manage.py run_huey --quiet & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST) --noreload

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy parkguard tests bench
	$(BIN)/lint-imports
	PARKGUARD_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

browser:
	@scripts/ensure-browser.sh

test: install browser lint
	PARKGUARD_ENV=test PARKGUARD_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: install
	@status=0; for m in bench/[a-z]*.py; do $(BIN)/python -m bench.$$(basename $$m .py) $(BENCH_ARGS) || status=1; done; exit $$status

lock:
	$(BIN)/python -m pip install -q -r requirements.in -r requirements-dev.in
	(echo "# Pinned versions of every package, runtime and test; regenerate with 'make lock'."; \
	  $(BIN)/python -m pip freeze --exclude-editable | sort -f) > requirements.lock
