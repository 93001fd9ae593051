# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test install install-dev translations compile-translations lint lint-content bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The interface's catalogs (app/translations): extract the messages of the code and templates,
# merge them into each language's .po (new ones arrive empty), compile the .mo files (not in git).
translations: install
	$(BIN)/flask translate update
	$(BIN)/flask translate compile

compile-translations: install
	$(BIN)/flask translate compile

run: install compile-translations
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync
	$(BIN)/flask demo
	@echo "Petits Pas is at http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install-dev compile-translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Code: ruff's rules (pyproject.toml) and mypy (strict on app/content).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

lint-content: install
	$(BIN)/flask content lint --strict
	$(BIN)/flask content test

bench: install-dev
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache app/translations/*/LC_MESSAGES/*.mo
