"""conftest.py loads nbval (and tests/notebook_kernels.py with it) only for a run that may collect a
notebook: a run of test files imports neither, nor nbformat and jsonschema; a run that names no
path, a folder or a notebook still collects every notebook, strictly, with jsonschema kept from
importing rfc3987-syntax (which builds its parsers at import). The figures (how much faster it
starts) are in docs/benchmarks.md, not here."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

COLLECT = """
import json, sys
import pytest

seen = {}

class Options:
    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config):
        seen.update({k: getattr(config.option, k, None) for k in ("nbval", "nbval_lax", "nbval_current_env")})
        seen["kernels_ahead"] = config.pluginmanager.has_plugin("tests.notebook_kernels")

    def pytest_collection_finish(self, session):
        seen["collected"] = [item.nodeid for item in session.items]

seen["exit"] = int(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Options()]))
loaded = {name.split(".")[0] for name, module in sys.modules.items() if module is not None}
seen["imported"] = sorted(loaded & {"nbval", "nbformat", "jsonschema", "rfc3987_syntax"})
seen["iri_checks_off"] = "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None
print("SEEN", json.dumps(seen))
"""


UNREACHABLE = "postgresql+psycopg://nobody@/nowhere?host=/nonexistent-smartstore-socket"
"""A listing starts no server and builds no template (smartstore.tools.testdb.runs_no_test): a
server that cannot be reached does not stop it."""


def collect(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", COLLECT, *args],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": UNREACHABLE},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("SEEN ")]
    seen = json.loads(line.removeprefix("SEEN "))
    assert seen["exit"] == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return seen


def test_a_run_of_test_files_does_not_load_nbval() -> None:
    seen = collect("tests/test_models.py")
    assert seen["imported"] == []
    assert seen["nbval"] is None  # not even its option exists
    assert not seen["kernels_ahead"]
    assert seen["collected"] and all(
        n.startswith("tests/test_models.py") for n in seen["collected"]
    )


def test_a_run_with_no_path_validates_the_notebooks_strictly() -> None:
    """What `make test` runs: tests/ and notebooks/ (the testpaths). The test files other than
    tests/test_m*.py are left out of the collection (an option, not a path: the run still names none),
    which spares importing fifty modules in a second process (about 4 s). That every test module
    imports is proven by the run itself, which collects them all."""
    seen = collect("--ignore-glob=tests/test_[!m]*.py")
    assert (
        seen["nbval"] is True and seen["nbval_lax"] is False and seen["nbval_current_env"] is True
    )
    assert "notebooks/01_start_here.ipynb::Cell 0" in seen["collected"]
    # jsonschema without rfc3987-syntax's parsers (smartstore.tools.nbformat_import), which is
    # installed here: kept out, not merely absent
    assert seen["imported"] == ["jsonschema", "nbformat", "nbval"] and seen["iri_checks_off"]
    assert seen[
        "kernels_ahead"
    ]  # each notebook's kernel launched ahead (tests/notebook_kernels.py)
    assert any(nodeid.startswith("tests/test_models.py::") for nodeid in seen["collected"])
