# The two commands of the README: `make run` and `make test`. Installs come from the lock files
# (every package pinned, with its files' hashes); `make lock` regenerates them from requirements*.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test install install-dev lock translations compile-translations lint lint-content bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# After editing requirements.txt or requirements-dev.txt (README, "Developing"): every package
# pinned with the SHA-256 of each of its files, so an install gets exactly what was tested.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: install-dev
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt

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

# Two processes (pytest-xdist): each has its own SQLite file or PostgreSQL database and its own
# servers' ports; PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= 2
test: install-dev compile-translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Code: ruff's rules and mypy's (pyproject.toml; strict on app/content and app/services).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lint-content: install
	$(BIN)/flask content lint --strict
	$(BIN)/flask content test

bench: install-dev
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache app/translations/*/LC_MESSAGES/*.mo
