# The README's commands. Each creates the venv first if it is missing or older than pyproject.toml.
#   make demo   venv, embedded PostgreSQL 16, migrate, seed, and a summary of what it did
#   make test   every test: package, migrations, notebooks (nbval, strict)
#   make lab    JupyterLab on the notebooks, with the database running
#   make notebooks  re-execute every notebook and store its outputs
#   make bench  the insert-path and tenant-query benchmark at a million products (a few minutes)
#   make schema refresh alembic/schema.sql (the schema at head, for reviewers)
#   make clean  remove the venv and the embedded server's data (.smartstore/)

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first Python >= 3.12 on PATH (3.12 is where datetime.utcnow() starts to warn).
FIND_PYTHON := for c in python3.12 python3.13 python3.14 python3 python; do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { echo $$c; exit 0; }; \
	done; exit 1

.PHONY: demo test lab notebooks bench schema lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@python=$$($(FIND_PYTHON)) || { \
	  echo "error: SmartStore needs Python 3.12 or newer, and none is on PATH."; \
	  echo "       Install one (pyenv install 3.12, or your package manager), then run make again."; \
	  exit 1; }; \
	echo "== creating $(VENV) with $$python ($$($$python --version))"; \
	$$python -m venv $(VENV)
	@echo "== installing smartstore and its tools into $(VENV) (about a minute the first time)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m smartstore.demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# Jupyter refuses to run as root without --allow-root (containers and CI machines often are root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

notebooks: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/[0-9]*.ipynb
	$(PY) -m ruff format notebooks

bench: $(STAMP)
	$(PY) -m smartstore.bench --json bench.json

schema: $(STAMP)
	$(PY) -m smartstore.schema

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	-$(VENV)/bin/smartstore db stop 2>/dev/null
	rm -rf $(VENV) .smartstore
