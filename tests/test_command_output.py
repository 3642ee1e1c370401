"""What the notebooks show of a command (`lab.sh`): the lines that teach, no machine paths, no
traceback walls. Real commands on a real scratch database, as the notebooks run them."""

import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from smartstore.migrations import alembic_config
from smartstore.models import metadata
from smartstore.workbook import lab
from smartstore.workbook.command_output import short_traceback, without_machine_paths

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lab_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scratch Alembic folders in the test's own folder. `sh` hands the subprocess the database's
    URL, so moving the home moves no server."""
    monkeypatch.setenv("SMARTSTORE_HOME", str(tmp_path))
    return tmp_path


def shown(capsys: pytest.CaptureFixture[str], command: str, url: URL, **kwargs: bool) -> list[str]:
    lab.sh(command, url, **kwargs)
    return capsys.readouterr().out.splitlines()


def revisions_oldest_first() -> list[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def test_an_upgrade_shows_each_migration_that_ran_and_no_other_log_line(
    scratch_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = shown(capsys, "alembic upgrade head", scratch_url)

    revisions = revisions_oldest_first()
    assert lines[0] == "$ alembic upgrade head"
    assert [line.split(",")[0] for line in lines[1:]] == [
        f"Running upgrade {before} -> {after}"
        for before, after in zip(["", *revisions], revisions, strict=False)
    ]


def test_autogenerate_shows_what_it_detected_and_the_file_relative_to_a_placeholder(
    scratch_url: URL, lab_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = lab.scratch_alembic("output")
    lines = shown(
        capsys, f"alembic -c {ini} revision --autogenerate --rev-id out1 -m x", scratch_url
    )

    assert (
        lines[0]
        == "$ alembic -c <home>/lab/output/alembic.ini revision --autogenerate --rev-id out1 -m x"
    )
    assert "Detected added table 'stores'" in lines
    assert (
        "Detected added enum 'user_role' with values ('shopper', 'store_manager', 'admin')" in lines
    )
    generating = [line for line in lines if line.startswith("Generating ")]
    assert len(generating) == 1
    assert generating[0].startswith("Generating <home>/lab/output/versions/")
    assert generating[0].endswith("-out1_x.py ...  done")
    text = "\n".join(lines)
    for chatter in ("INFO", "Context impl", "setting up autogenerate plugin", "post write hook"):
        assert chatter not in text
    assert str(lab_home) not in text


def test_a_failed_migration_shows_the_error_and_its_statement_not_the_frames(
    scratch_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    lab.psql(scratch_url, "CREATE TYPE user_role AS ENUM ('shopper')")
    capsys.readouterr()
    lines = shown(capsys, "alembic upgrade head", scratch_url)

    first = revisions_oldest_first()[0]
    assert lines[1].startswith(f"Running upgrade  -> {first}")
    assert lines[2] == (
        'sqlalchemy.exc.ProgrammingError: (psycopg.errors.DuplicateObject) type "user_role" already exists'
    )
    assert lines[3].startswith("[SQL: CREATE TYPE user_role AS ENUM")
    assert lines[-1] == "(exit status 1)"
    assert len(lines) == 5
    text = "\n".join(lines)
    assert "Traceback" not in text
    assert 'File "' not in text
    assert "site-packages" not in text


def test_a_python_error_shows_its_type_and_message(
    scratch_url: URL, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In order, on a machine without PYTHONUNBUFFERED (most: a login shell does not set it)."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    command = """python -c "print('before'); import json; json.loads('{')" """
    lines = shown(capsys, command, scratch_url)

    assert lines[1:] == [
        "before",
        "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        "(exit status 1)",
    ]


def test_a_chained_error_keeps_only_the_last_exception() -> None:
    text = (
        "ok\nTraceback (most recent call last):\n"
        '  File "a.py", line 1, in <module>\n    f()\nKeyError: 1\n\n'
        "The above exception was the direct cause of the following exception:\n\n"
        "Traceback (most recent call last):\n"
        '  File "a.py", line 3, in <module>\n    g()\n    ^^^\nValueError: bad\n'
    )
    assert short_traceback(text) == "ok\nValueError: bad\n"


def test_paths_of_this_machine_are_shown_relative_to_the_project_or_as_a_placeholder() -> None:
    site_packages = sysconfig.get_paths()["purelib"]
    temp = tempfile.gettempdir()
    text = (
        f"{PROJECT_ROOT}/alembic/env.py {PROJECT_ROOT} {site_packages}/alembic/command.py "
        f"{temp}/x.sql {Path.home()}/notes.txt {sys.executable}"
    )
    shown_text = without_machine_paths(text)

    assert shown_text.split()[:5] == [
        "alembic/env.py",
        ".",
        "<site-packages>/alembic/command.py",
        "<tmp>/x.sql",
        "~/notes.txt",
    ]
    assert str(PROJECT_ROOT) not in shown_text


def test_the_er_diagram_says_a_user_may_have_no_store_but_a_product_always_has_one() -> None:
    lines = lab.mermaid_er(metadata).splitlines()

    assert "    stores ||--o{ products : store_id" in lines
    assert "    stores |o--o{ users : store_id" in lines
