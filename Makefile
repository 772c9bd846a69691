# Two commands: `make demo` and `make test`. Each makes .venv itself on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck docs pytest clean constraints test-latest

DEMO_STAMP := $(VENV)/.demo-installed
# Exact versions of every dependency, so that a new release of one cannot break the two
# commands; pyproject.toml keeps its ranges. `make constraints` makes the file again.
CONSTRAINTS := constraints.txt
PIN := -c $(CONSTRAINTS)
PIP_VERSION := 26.3

# make demo installs only what the demo needs; make test installs everything.
$(DEMO_STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(BIN)/python -m pip install --quiet $(PIN) -e '.[demo]'
	touch $(DEMO_STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(BIN)/python -m pip install --quiet $(PIN) -e '.[all,dev]'
	touch $(STAMP)

# The constraints made again from pyproject.toml's ranges: the newest versions they admit,
# for every platform, on Python 3.11. Commit the file once `make test` passes on it.
constraints:
	$(PYTHON) -m venv .venv-uv
	.venv-uv/bin/python -m pip install --quiet uv
	.venv-uv/bin/uv pip compile pyproject.toml --extra all --extra dev --extra demo \
		--extra testing --universal --python-version 3.11 --upgrade --no-annotate \
		--custom-compile-command 'make constraints' -o $(CONSTRAINTS)

# The whole suite against the newest versions the ranges admit, in a venv of its own:
# what the next `make constraints` would bring.
test-latest:
	rm -rf .venv-latest
	$(MAKE) test VENV=.venv-latest PIN=--upgrade PIP_VERSION=$(PIP_VERSION)

# The reference web app on an embedded SQLite database with demo data, on localhost:5000:
# `make demo PORT=5057 HOST=...`. A host other machines reach needs ALLOW_REMOTE=1, since
# /dev/berichten shows every SMS code and reset link.
PORT ?= 5000
HOST ?= 127.0.0.1
ALLOW_REMOTE ?=
demo: $(DEMO_STAMP)
	cd examples && ../$(BIN)/python -m flask_portal --folder ../.demo --host '$(HOST)' \
		--port '$(PORT)'$(if $(filter 1 yes true,$(ALLOW_REMOTE)), --allow-remote)

test: lint typecheck docs pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The site into the ignored site/, any warning an error (no --quiet: it hides warnings from
# --strict), and the docs' worked adapter example under mypy --strict.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	$(BIN)/mypy docs/snippets

# One worker per core, each test file in one worker (its fixtures and order as written).
pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile

clean:
	rm -rf $(VENV) .venv-latest .venv-uv .mypy_cache .pytest_cache .ruff_cache .hypothesis site
