# The README's commands. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

# Embedded defaults for a laptop: development secrets, SQLite, Queue mounted.
DEV_ENV := RAPTOR_ENV=$${RAPTOR_ENV:-development} \
	QUEUE_ENV=$${QUEUE_ENV:-development} \
	FLAG_QUEUE_V1=$${FLAG_QUEUE_V1-1}

.PHONY: install serve test lint format routes migrate bench lock clean

install: $(STAMP)

$(STAMP): requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# gunicorn with --reload serves exactly what production serves, and restarts
# its workers when a source file changes; `flask run` cannot serve the
# DispatcherMiddleware composition.
serve: install migrate
	$(DEV_ENV) $(BIN)/gunicorn wsgi:app --reload --bind 127.0.0.1:$(PORT)

migrate: install
	$(DEV_ENV) $(BIN)/flask --app queue_identity queue migrate

routes: install
	@$(DEV_ENV) $(BIN)/python -m wsgi routes

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

# Re-pin every dependency. requirements.txt is what Heroku installs; its last
# line installs this project itself, written relative so it works anywhere.
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.txt pyproject.toml
	printf '.\n' >> requirements.txt
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache instance queue/instance
