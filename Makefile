# `make run`: set everything up and run the portal, its worker and the sandbox (embedded default).
# `make test`: set everything up and run every check and test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PORTAL_URL ?= http://$(HOST):$(PORT)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/portal
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test setup check pytest pytest-scaleout browser-deps bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

# A local .env with fresh random keys; never committed.
.env: | $(VENV)/.installed
	$(PY) -c "import secrets; from cryptography.fernet import Fernet; \
	print(f'SECRET_KEY={secrets.token_urlsafe(50)}'); \
	print(f'FIELD_ENCRYPTION_KEY={Fernet.generate_key().decode()}'); \
	print('DEBUG=true'); print('SANDBOX_ENABLED=true')" > .env
	@echo "Wrote .env with fresh keys."

setup: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py bootstrap_admin
	$(PY) manage.py sandbox_seed --portal-url "$(PORTAL_URL)"

run: setup
	@echo ""
	@echo "  Portal:  $(PORTAL_URL)/   (admin: $(PORTAL_URL)/admin/)"
	@echo "  Login:   $${PORTAL_ADMIN_USER:-admin} / $${PORTAL_ADMIN_PASSWORD:-portal-admin}"
	@echo "  Sandbox: $(PORTAL_URL)/sandbox/"
	@echo ""
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py qcluster & worker=$$!; \
	$(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers 1 --threads 8 \
		--timeout 120 --log-level warning --access-logfile - \
		--access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

check: $(VENV)/.installed .env
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

pytest: $(VENV)/.installed .env
	$(VENV)/bin/pytest

# The scale-out path: the same suite on PostgreSQL with the Redis broker.
pytest-scaleout: $(VENV)/.installed .env
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest

# Browser tests drive Debian's Chromium through Playwright (Playwright cannot download its own here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup browser-deps check pytest pytest-scaleout

# Benchmarks print numbers (they are not timed tests): sync throughput, API calls per order and
# webhook latency against the sandbox; list and search speed with a million records.
bench: setup
	$(PY) -m bench
	$(PY) -m bench.lists

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* test_db.sqlite3*
