# ouen — `make run` to try it, `make test` before you push. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
BASE_URL ?= $(or $(OUEN_BASE_URL),http://$(HOST):$(PORT))
DEV_ENV := OUEN_MAIL_BACKEND=file OUEN_CAPTCHA=disabled OUEN_BASE_URL=$(BASE_URL)

.PHONY: help run test lint typecheck unit bench messages migrate worker clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP) ## set up everything and start on http://127.0.0.1:8000 (file mail, no CAPTCHA)
	@mkdir -p var/mail
	$(DEV_ENV) $(BIN)/ouen migrate
	@$(DEV_ENV) $(BIN)/ouen create-user admin@example.invalid --role admin --name "First admin" \
		--organisation "City" --if-no-staff
	@$(DEV_ENV) $(BIN)/ouen demo-data --showcase-only
	@echo
	@echo "  ouen is starting on http://$(HOST):$(PORT)/"
	@echo "  Emails are written as .eml files to $(CURDIR)/var/mail/"
	@echo "  Staff back office: http://$(HOST):$(PORT)/admin/login"
	@echo "  (development keys live in var/keys.json; the database is var/ouen.db)"
	@echo
	$(DEV_ENV) $(BIN)/ouen serve --host $(HOST) --port $(PORT)

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .

typecheck: $(STAMP) ## mypy --strict
	$(BIN)/mypy .

unit: $(STAMP) ## the test suite (SQLite, and PostgreSQL when reachable; browser tests need chromium)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: lint typecheck unit ## ruff, mypy --strict and the whole suite

bench: $(STAMP) ## benchmarks (prints figures; needs wrk for the load tool)
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.cases
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.stories
	$(BIN)/python -m bench.purge

messages: $(STAMP) ## extract messages to locales/messages.pot, merge them into the .po files and check them
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k gettext -k ngettext:1,2 \
		-k pgettext:1c,2 -k npgettext:1c,2,3 -c TRANSLATORS: --strip-comments --sort-by-file --no-wrap \
		--project ouen -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap --previous \
		--ignore-pot-creation-date
	$(BIN)/pybabel compile -i locales/ja/LC_MESSAGES/messages.po -l ja -o /dev/null --statistics
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/core/test_catalog.py

migrate: $(STAMP) ## apply migrations to OUEN_DATABASE_URL
	$(BIN)/ouen migrate

worker: $(STAMP) ## run the outbox worker standalone
	$(BIN)/ouen worker

clean: ## remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
