# Everything a developer or operator runs. Each target is idempotent and works from a
# fresh clone with nothing but Python >= 3.11 (and, for `make test`, PostgreSQL + Redis).

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_SETTINGS := journal_project.settings.test

# The first interpreter on PATH that is Python >= 3.11.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	echo $$p; break; fi; done)

.PHONY: run test lint format worker beat bench fuzz install-base install-dev install-prod clean help

help:
	@echo "make run     serve the app on http://$(HOST):$(PORT) (embedded default unless DATABASE_URL/REDIS_URL are set)"
	@echo "make test    the whole suite against real PostgreSQL and Redis"
	@echo "make lint    ruff check + format check + missing migrations"
	@echo "make worker  Celery worker      make beat  Celery beat"
	@echo "make bench   the performance benchmark (BENCH_QUICK=1 for a short run)"
	@echo "make fuzz    long schemathesis run over every API operation (FUZZ_MAX_EXAMPLES, FUZZ_SEED)"

# A venv that fails half-way is removed: Debian's and Ubuntu's python3 without the
# python3-venv package makes the directory and its python, then stops without pip; kept,
# every later `make` took it as made and failed on "No module named pip" until the
# directory was deleted by hand, even after python3-venv was installed.
$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.11 is required (none found on PATH)." >&2; exit 1; fi
	@echo "$(PYTHON) -m venv $(VENV)"
	@$(PYTHON) -m venv $(VENV) && $(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); \
		echo "Could not make a virtual environment with pip in $(VENV) using $(PYTHON)." \
			"On Debian or Ubuntu: apt install python3-venv, then run make again." >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

# One left by an earlier Makefile, or whose pip was removed: say what to do.
HAS_PIP = @$(PY) -m pip --version >/dev/null 2>&1 || { echo "$(VENV) has no pip (left by a failed attempt):" \
	"remove it (rm -rf $(VENV)) and run make again." >&2; exit 1; }

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.base: requirements/base.txt | $(PY)
	$(HAS_PIP)
	$(PY) -m pip install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.dev: requirements/dev.txt requirements/prod.txt requirements/base.txt | $(PY)
	$(HAS_PIP)
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@ $(VENV)/.base $(VENV)/.prod

$(VENV)/.prod: requirements/prod.txt requirements/base.txt | $(PY)
	$(HAS_PIP)
	$(PY) -m pip install --quiet -r requirements/prod.txt
	@touch $@ $(VENV)/.base

install-base: $(VENV)/.base
install-dev: $(VENV)/.dev
install-prod: $(VENV)/.prod

# HOST and PORT are checked before anything runs: `PORT=99999` migrated, then stopped the
# dev server with an OverflowError traceback.
run: $(VENV)/.base
	@case "$(PORT)" in ''|*[!0-9]*) bad=1;; *) [ "$(PORT)" -ge 1 ] && [ "$(PORT)" -le 65535 ] || bad=1;; esac; \
	if [ -n "$$bad" ]; then echo "PORT must be a port number from 1 to 65535 (not '$(PORT)')." >&2; exit 1; fi
	@case "$(HOST)" in ''|*[[:space:]]*) echo "HOST must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (not '$(HOST)')." >&2; exit 1;; esac
	@mkdir -p var staticfiles
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_knowledge
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	@DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py check_services
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# An in-memory database: the check compares models and migrations, and a fresh clone has no var/ yet.
	SQLITE_PATH=:memory: $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A node name of its own for each worker: two with the default (celery@host) on one
# machine clash on the broker (amqp ResourceLocked). make's process id tells them apart.
WORKER_NAME ?= worker-$(shell echo $$PPID)@%h

worker: $(VENV)/.base
	@if [ -z "$$CELERY_BROKER_URL" ]; then echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1); without it tasks run inline and no worker is needed." >&2; exit 1; fi
	$(VENV)/bin/celery -A journal_project worker --loglevel=INFO --hostname=$(WORKER_NAME)

beat: $(VENV)/.base
	@if [ -z "$$CELERY_BROKER_URL" ]; then echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1) to run periodic tasks." >&2; exit 1; fi
	$(VENV)/bin/celery -A journal_project beat --loglevel=INFO

# The suite fuzzes every operation with a few fixed examples; this is the long run:
# every phase for every operation, many examples, a fresh seed (printed, to replay).
FUZZ_MAX_EXAMPLES ?= 300
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz: $(VENV)/.dev
	@DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py check_services
	@echo "fuzz: FUZZ_SEED=$(FUZZ_SEED) FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES)"
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) FUZZ_FULL=1 FUZZ_SEED=$(FUZZ_SEED) FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) \
		$(PY) -m pytest tests/reliability/test_fuzz_api.py -q $(PYTEST_ARGS)

# The benchmark (docs/performance.md): the real stack (production profile under gunicorn,
# PostgreSQL, Redis) on its own database and Redis keys; wrk comes from Debian if missing.
$(VENV)/.bench: bench/requirements.txt requirements/prod.txt requirements/dev.txt requirements/base.txt | $(PY)
	$(HAS_PIP)
	$(PY) -m pip install --quiet -r requirements/dev.txt -r requirements/prod.txt -r bench/requirements.txt
	@touch $@ $(VENV)/.dev $(VENV)/.prod $(VENV)/.base

bench: $(VENV)/.bench
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
