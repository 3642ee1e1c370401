"""`python -m smartstore.reset` on an embedded server of the test's own: it drops the scratch
databases and folders, the main database only with --all, and nothing else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from smartstore.db import connect, drop_database, ensure_database
from smartstore.embedded import start_embedded_database
from smartstore.errors import SmartstoreError
from smartstore.reset import main, reset
from smartstore.tools.scratch import databases_starting_with, scratch_url
from smartstore.tools.testdb import ensure_template, template_in_use


def dead_pid() -> int:
    """The pid of a process that has ended (the same one on every call)."""
    if not _dead:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        _dead.append(gone.pid)
    return _dead[0]


_dead: list[int] = []


def databases(url: URL, templates: bool = False) -> set[str]:
    """The databases on url's server (the templates instead with `templates`)."""
    with connect(url.set(database="postgres")) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datistemplate = %s", (templates,)
        )
        return {row[0] for row in rows}


def test_reset_drops_the_scratch_databases_and_folders_and_the_main_one_only_with_all(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SMARTSTORE_HOME", str(home))
    url = start_embedded_database()
    names = (
        "lab_seed",
        "lab_enum",
        "scratch_test_x",
        "bench",
        "schema_snapshot",
        f"test_{dead_pid()}",
        "labyrinth",
        "benchmarks",
    )
    for name in names:
        ensure_database(url.set(database=f"{url.database}_{name}"))
    template = ensure_template(url)
    ensure_database(url.set(database="someone_elses"))
    (home / "lab" / "enum" / "versions").mkdir(parents=True)
    learner_progress = home / "progress.json"
    learner_progress.write_text('{"version": 1, "exercises": {}}')

    assert main([]) == 0

    assert databases(url) == {
        "postgres",
        "smartstore",
        "smartstore_labyrinth",
        "smartstore_benchmarks",
        "someone_elses",
    }
    assert not (home / "lab").exists()
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"  dropped template {template.database}",
        "  dropped database smartstore_bench",
        "  dropped database smartstore_lab_enum",
        "  dropped database smartstore_lab_seed",
        "  dropped database smartstore_schema_snapshot",
        "  dropped database smartstore_scratch_test_x",
        f"  dropped database smartstore_test_{dead_pid()}",
        "  removed the scratch Alembic folders (lab/ in the data folder)",
    ]
    assert reset() == []
    assert learner_progress.exists()  # a plain reset keeps the learner's progress

    assert reset(include_main=True) == [
        "dropped database smartstore (make demo brings it back)",
        "cleared your exercise progress (smartstore progress starts afresh)",
    ]
    assert not learner_progress.exists()
    assert "smartstore" not in databases(url)


def test_reset_leaves_what_a_running_test_run_uses(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reset while a test run runs: its database (its process is alive: this one) and the template
    it holds in use stay; a killed run's database goes."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SMARTSTORE_HOME", str(home))
    url = start_embedded_database()
    live, dead = f"{url.database}_test_{os.getpid()}", f"{url.database}_test_{dead_pid()}"
    for name in (live, f"{live}_lab_seed", dead, f"{dead}_lab_seed"):
        ensure_database(url.set(database=name))
    with template_in_use(url) as template:
        assert reset() == [f"dropped database {dead}", f"dropped database {dead}_lab_seed"]
        assert {live, f"{live}_lab_seed"} <= databases(url)
        assert template.database in databases(url, templates=True)
    assert reset() == [f"dropped template {template.database}"]  # the run has ended
    assert {live, f"{live}_lab_seed"} <= databases(url)


def test_with_database_url_all_refuses_to_drop_your_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://me@localhost:1/mine")
    with pytest.raises(SmartstoreError, match="never yours"):
        reset(include_main=True)


def test_a_scratch_database_named_after_the_configured_one_says_its_kind() -> None:
    """Reset finds scratch databases by their kind; a name without one would be left behind."""
    with pytest.raises(ValueError, match="starts with one of"):
        scratch_url("enum_exercise_1")


def test_databases_are_listed_by_a_prefix_read_literally(migrated_url: URL) -> None:
    """`_` and `%` are LIKE's wildcards; the one listing function must not read them so."""
    base = migrated_url.database
    names = [f"{base}_p_1", f"{base}_pq1", f"{base}_p%2", f"{base}_p_%3"]
    for name in names:
        ensure_database(migrated_url.set(database=name))
    try:
        assert set(databases_starting_with(migrated_url, f"{base}_p_")) == {
            f"{base}_p_1",
            f"{base}_p_%3",
        }
        assert databases_starting_with(migrated_url, f"{base}_p%") == [f"{base}_p%2"]
    finally:
        for name in names:
            drop_database(migrated_url.set(database=name))
