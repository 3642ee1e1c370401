"""tests.notebook_kernels, in a pytest of its own on three small notebooks (no database):
the next notebook's kernel is launched while the notebook before it runs, and a kernel launched for a
notebook that never ran (the run stopped at a failure) is stopped before pytest ends."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent  # where `tests.notebook_kernels` is importable

A_NOTEBOOK = """
import os, pathlib, psutil
pytest = psutil.Process(os.getppid())
kernels = [p for p in pytest.children() if "ipykernel_launcher" in p.cmdline()]
pathlib.Path("kernels-during-a").write_text(str(len(kernels)))
import sys
pathlib.Path("imported-ahead").write_text(repr(["sqlalchemy" in sys.modules, "sqlalchemy" in dir()]))
"""
A_FAILING_NOTEBOOK = "1 / 0"
NEVER_RUN = "print('c')"
# only the two plugins, not every installed one, and nbformat without rfc3987-syntax, as conftest.py
# loads them
PYTEST = """
import sys, pytest
from smartstore.tools.nbformat_import import without_iri_checks
without_iri_checks()
sys.exit(pytest.main(["-p", "nbval.plugin", "-p", "tests.notebook_kernels", *sys.argv[1:]]))
"""


def write_notebook(path: Path, source: str) -> None:
    """One code cell with no stored output (nbformat 4, written as JSON: importing nbformat costs)."""
    cell = {"cell_type": "code", "execution_count": None, "id": path.stem, "metadata": {}}
    cell |= {"outputs": [], "source": source.strip()}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))


def has(process: psutil.Process, variables: dict[str, str]) -> bool:
    try:
        return variables.items() <= process.environ().items()
    except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


def test_the_next_kernel_boots_while_a_notebook_runs_and_none_outlives_the_run(
    tmp_path: Path,
) -> None:
    for name, source in (("a", A_NOTEBOOK), ("b", A_FAILING_NOTEBOOK), ("c", NEVER_RUN)):
        write_notebook(tmp_path / f"{name}.ipynb", source)
    command = [sys.executable, "-c", PYTEST, "--nbval", "--nbval-current-env", "-x", "-q"]
    command += ["-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(tmp_path)]
    marker = {"SMARTSTORE_KERNEL_TEST": str(tmp_path)}  # in every kernel's environment
    env = {**os.environ, **marker, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*command, "a.ipynb", "b.ipynb", "c.ipynb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    left = [process.pid for process in psutil.process_iter() if has(process, marker)]

    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 failed, 1 passed" in done.stdout.splitlines()[-1]
    assert (tmp_path / "kernels-during-a").read_text() == "2"  # a's own, and b's launched ahead
    # imported while the kernel booted, and no name of it left in the notebook's namespace
    assert (tmp_path / "imported-ahead").read_text() == "[True, False]"
    assert left == []  # c's kernel, launched while b ran, was stopped
