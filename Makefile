# AKT-LS Grants. The two commands: `make run` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Dummy production settings used only to run Django's deployment checks.
DEPLOY_CHECK_ENV := DEBUG=false SECRET_KEY=deploy-check-only-2b7f9c4e1a8d6f3e0c5b9a7d2e4f6a8c1b3d5e7f9a0c2e4 \
	ALLOWED_HOSTS=grants.example.org

.PHONY: help setup run test check lint format messages compilemessages worker clean bench-reports

help:
	@echo "make run    set up everything and serve the demo site on http://$(HOST):$(PORT)"
	@echo "make test   set up everything, run the checks and the whole test suite"
	@echo "make messages  extract strings, regenerate Serbian Cyrillic from Serbian Latin, compile"

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

compilemessages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "gettext (msgfmt) is missing: install it, e.g. apt-get install gettext"; exit 1; }
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(VENV)/.installed compilemessages

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "AKT-LS Grants runs at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	@echo "Log in with one of the demo accounts listed above."
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# Speed of the indicators, the dashboard and the quarterly report on the database in DATABASE_URL (not part of make test).
bench-reports: setup
	$(PY) manage.py migrate --noinput
	$(PY) tests/bench/bench_reports.py

worker: setup
	$(VENV)/bin/celery -A akt_ls worker --loglevel=INFO

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: setup lint
	$(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

test: setup check
	$(PY) -m pytest

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l sq -l sr_Latn -l en --ignore=.venv --ignore=node_modules --ignore=static --ignore=tests --no-obsolete
	$(PY) scripts/transliterate_sr.py locale/sr_Latn/LC_MESSAGES/django.po locale/sr/LC_MESSAGES/django.po
	$(PY) scripts/transliterate_sr.py locale/third_party/sr_Latn/LC_MESSAGES/django.po locale/third_party/sr/LC_MESSAGES/django.po
	$(MAKE) compilemessages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
