# The README's commands. Each creates the venv first if it is missing or older than pyproject.toml or
# requirements.lock.
#   make demo   venv, embedded PostgreSQL 16, migrate, seed, and a summary of what it did
#   make test   every test: ruff, the migration gate, the licence gate, then pytest on the package,
#               the migrations and the notebooks (nbval, strict)
#   make test-matrix  the suite again through DATABASE_URL on other servers, logins and Pythons (tests/matrix.py)
#   make lint   ruff check and ruff format --check, alone
#   make check-migrations  lint every migration's SQL with squawk (.squawk.toml says which rules)
#   make check-licenses    refuse a GPL or AGPL package in requirements.lock (its installed metadata)
#   make lab    JupyterLab on the notebooks, with the database running
#   make notebooks  re-execute every notebook and store its outputs (as a new learner's: fresh progress)
#   make book   the notebooks as a website from their stored outputs, in _build/book/ (docs/book.md)
#   make book-serve  serve it on http://127.0.0.1:8000/ (modules do not load from file://)
#   make bench-loop  what a learner waits for (one test file, make test, the scale seed), before and after #13
#   make bench  the insert-path and tenant-query benchmark at a million products (a few minutes)
#   make bench-commits  issue 20's goals: one test file (server running) and the whole suite, at older commits and now
#   make bench-search  vector search inside one store, four ways, at 200,000+ products (a few minutes)
#   make schema refresh alembic/schema.sql (the schema at head, for reviewers)
#   make lock   re-resolve requirements.lock after a change to pyproject.toml (make lock UPGRADE=1: newest of everything)
#   make reset  drop the notebooks' scratch databases and folders, keep the venv (make reset ALL=1: the main database and your exercise progress too)
#   make clean  remove the venv and the embedded server's data (.smartstore/)

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every package with its exact version, for Python 3.12 and newer on every platform: the versions
# the notebooks' stored outputs were recorded with. `make lock` writes it from pyproject.toml.
LOCK := requirements.lock

# The first Python >= 3.12 on PATH (3.12 is where datetime.utcnow() starts to warn), or PYTHON if given
# (make venv VENV=.venv-3.13 PYTHON=python3.13: what tests/matrix.py does for its Python 3.13 leg).
FIND_PYTHON := for c in $(PYTHON) python3.12 python3.13 python3.14 python3 python; do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { echo $$c; exit 0; }; \
	done; exit 1

.PHONY: book book-serve demo test test-matrix check-migrations check-licenses lab notebooks bench bench-loop bench-commits bench-search schema lint lock reset clean venv

venv: $(STAMP)

$(PY):
	@python=$$($(FIND_PYTHON)) || { \
	  echo "error: SmartStore needs Python 3.12 or newer, and none is on PATH."; \
	  echo "       Install one (pyenv install 3.12, or your package manager), then run make again."; \
	  exit 1; }; \
	echo "== creating $(VENV) with $$python ($$($$python --version))"; \
	$$python -m venv $(VENV)

# uv (itself pinned in the lock) installs the lock in seconds where pip takes most of a minute.
# tools/install_lock.py gives uv the system trust store and pip's index and certificate (a TLS-
# inspecting proxy's CA is in the system store), and falls back to pip, same lock, if uv fails.
$(VENV)/bin/uv: | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -m1 '^uv==' $(LOCK))"

$(STAMP): pyproject.toml $(LOCK) | $(VENV)/bin/uv
	@echo "== installing the locked versions ($(LOCK)), then smartstore itself, into $(VENV)"
	$(PY) tools/install_lock.py $(PY) $(VENV)/bin/uv $(LOCK)
	@$(VENV)/bin/uv pip check --quiet --python $(PY) || { \
	  echo "error: $(LOCK) does not satisfy pyproject.toml: run make lock"; exit 1; }
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m smartstore.demo

# pytest on every core (pytest-xdist; --dist loadfile in pyproject.toml keeps each test file and
# notebook in one worker). make test PYTEST_WORKERS=0 runs it in one process, as before.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MAKE) --no-print-directory check-migrations
	$(MAKE) --no-print-directory check-licenses
	$(PY) -m pytest -n $(PYTEST_WORKERS)

check-migrations: $(STAMP)
	$(PY) -m smartstore.tools.migration_lint

# No GPL or AGPL package may be locked, not even a dev tool (smartstore/tools/licenses.py says why).
check-licenses: $(STAMP)
	$(PY) -m smartstore.tools.licenses

# The suite again through DATABASE_URL against throwaway servers: PostgreSQL 18 as a superuser,
# PostgreSQL 16 as a login with only CREATEDB and CREATEROLE, and Python 3.13 (see tests/matrix.py).
test-matrix: $(STAMP)
	$(PY) tests/matrix.py -- -n $(PYTEST_WORKERS)

# Jupyter refuses to run as root without --allow-root (containers and CI machines often are root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

# The notebooks run as a new learner's would: their checkers record into a fresh progress file
# (removed after), so what is stored (each notebook's last cell shows its exercises' progress) is not
# this checkout's learner's, whose progress.json is left alone.
# make notebooks NOTEBOOKS='notebooks/07_*.ipynb' re-executes only those.
NOTEBOOKS ?= notebooks/[0-9]*.ipynb notebooks/solutions/*.ipynb

notebooks: $(STAMP)
	fresh=$$(mktemp -d) && trap 'rm -rf "$$fresh"' EXIT && \
	SMARTSTORE_PROGRESS_FILE="$$fresh/progress.json" $(VENV)/bin/smartstore db run -- \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)
	$(PY) -m ruff format notebooks

bench: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(PY) -m smartstore.tools.bench --json bench.json

bench-loop: $(STAMP)
	$(PY) -m smartstore.tools.bench_loop

bench-commits: $(STAMP)
	$(PY) -m smartstore.tools.bench_commits

bench-search: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(PY) -m smartstore.tools.bench_search

schema: $(STAMP)
	$(VENV)/bin/smartstore db run -- $(PY) -m smartstore.tools.schema

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# uv resolves once for every platform and every Python from 3.12 on (--universal); the
# header of the lock names this command. It needs only uv, not a full install, so it works even when
# pyproject.toml asks for a package the lock lacks yet.
lock: $(VENV)/bin/uv
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.12 \
	  --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade) --output-file $(LOCK)

reset: $(STAMP)
	$(PY) -m smartstore.reset $(if $(ALL),--all)

clean:
	-$(VENV)/bin/smartstore db stop 2>/dev/null
	rm -rf $(VENV) .venv-3.13 .smartstore

# The notebooks as a website, from their stored outputs (docs/book.md); a warning fails the build.
book: $(STAMP)
	$(PY) -m sphinx -q -W --keep-going -E -c book . _build/book
	@echo "built _build/book/index.html: make book-serve, then open http://127.0.0.1:8000/"

book-serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/book 8000
