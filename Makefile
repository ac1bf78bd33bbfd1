# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The port `make run` serves on (WEB_PORT=8001 make run); honcho's web process and SITE_URL
# (links in emails) follow it.
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: run test lint messages compilemessages bench screenshots clean help

help:
	@echo "make run   set up and run portal, admin, API, worker and beat on 127.0.0.1:$(WEB_PORT)"
	@echo "make test  ruff, import layering (lint-imports), migration check and pytest"
	@echo "make bench benchmarks against PostgreSQL and Redis (ONLY=<name> for one)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

var:
	@mkdir -p var/mail var/broker/queue var/broker/processed var/private

compilemessages: $(STAMP)
	@$(BIN)/python -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po') + glob.glob('*_app/locale/*/LC_MESSAGES/*.po')]"

run: $(STAMP) var compilemessages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Portal          http://127.0.0.1:$(WEB_PORT)/        (English: http://127.0.0.1:$(WEB_PORT)/en/)"
	@echo "  Admin           http://127.0.0.1:$(WEB_PORT)/admin/  (officer or agent / ccucaas-demo-2026)"
	@echo "                  second factor: a recovery code demo01..demo10, or an authenticator"
	@echo "                  app with the key GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	@echo "  API docs        http://127.0.0.1:$(WEB_PORT)/api/docs/"
	@echo "  Health          http://127.0.0.1:$(WEB_PORT)/healthz"
	@echo "  Demo users      alice, bob (password ccucaas-demo-2026); emails land in var/mail/"
	@echo "  Ctrl-C stops web, worker and beat."
	@echo
	$(BIN)/honcho -f Procfile.dev start

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) var compilemessages lint
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Developers with GNU gettext: refresh the catalogues after adding strings.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l ja -l en --ignore=.venv --ignore=var --ignore=tests --ignore='*_app' --no-obsolete
	for app in *_app; do (cd $$app && mkdir -p locale && ../$(BIN)/django-admin makemessages -l ja -l en --no-obsolete); done

bench: $(STAMP) var
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),) $(if $(SMOKE),--smoke,)

# Issue 19: regenerate docs/screenshots/*.png (Playwright, /usr/bin/chromium, demo data).
screenshots: $(STAMP) compilemessages
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) var staticfiles
