"""`smartstore progress`: what the checkers record, where, and what the learner sees.

The checkers run for real against the test database; the progress file lives in a SMARTSTORE_HOME
of the test's own.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from smartstore import cli, settings
from smartstore.workbook import progress
from smartstore.workbook.exercises import basics

ROOT = Path(__file__).resolve().parent.parent
WRONG = "SELECT current_database(), 1"
RIGHT = "SELECT current_database(), current_setting('server_version_num')::int / 10000"


@pytest.fixture
def learner_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The learner's folder, and recording on (as in a learner's notebook) whatever ran before."""
    home = tmp_path / "learner"
    monkeypatch.setenv("SMARTSTORE_HOME", str(home))
    monkeypatch.delenv(settings.PROGRESS_VARIABLE, raising=False)
    monkeypatch.setattr(progress, "_recording", True)
    yield home


def shown(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.run(["progress", *args]) == 0
    return capsys.readouterr().out


def line_of(table: str, exercise: str) -> str:
    return next(line for line in table.splitlines() if f"{exercise} " in line)


def test_wrong_then_right_shows_not_yet_with_the_hint_then_done(
    learner_home: Path, migrated_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "not tried" in line_of(shown(capsys, "--notebook", "1"), "Exercise 1.1")

    wrong = basics.check_where_am_i(WRONG, migrated_url)
    assert not wrong
    table = shown(capsys)
    assert f"not yet ({wrong.message})" in line_of(table, "Exercise 1.1")
    assert "not tried" in line_of(table, "Exercise 1.2")

    assert basics.check_where_am_i(RIGHT, migrated_url)
    table = shown(capsys)
    assert line_of(table, "Exercise 1.1").endswith(" done")
    assert table.splitlines()[-1] == f"1 of {len(progress.exercises())} exercises done"

    # a later wrong try does not undo a solved exercise
    assert not basics.check_where_am_i(WRONG, migrated_url)
    assert line_of(shown(capsys), "Exercise 1.1").endswith(" done")
    assert (learner_home / progress.PROGRESS_FILE).exists()


def test_a_damaged_file_is_set_aside_in_one_line_and_progress_starts_afresh(
    learner_home: Path, migrated_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    learner_home.mkdir()
    damaged = learner_home / progress.PROGRESS_FILE
    damaged.write_text('{"version": 1, "exercises": {"Exercise 1.1": {"st')  # cut mid-write

    assert not basics.check_where_am_i(WRONG, migrated_url)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "damaged" in err and "progress.json.damaged" in err
    assert "Traceback" not in err
    assert (learner_home / "progress.json.damaged").read_text().endswith('{"st')
    fresh = json.loads(damaged.read_text())
    assert fresh["exercises"]["Exercise 1.1"]["status"] == "not yet"


def test_the_file_is_replaced_whole_and_leaves_no_temporary_files(
    learner_home: Path, migrated_url: URL
) -> None:
    basics.check_where_am_i(WRONG, migrated_url)
    basics.check_where_am_i(RIGHT, migrated_url)
    assert sorted(p.name for p in learner_home.iterdir()) == [progress.PROGRESS_FILE]


def test_worked_solutions_do_not_count(
    learner_home: Path, migrated_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    progress.worked_solutions()
    assert basics.check_where_am_i(RIGHT, migrated_url)
    assert not (learner_home / progress.PROGRESS_FILE).exists()
    assert "not tried" in line_of(shown(capsys), "Exercise 1.1")


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb")), ids=lambda p: p.stem
)
def test_every_solutions_notebook_says_first_that_it_does_not_count(notebook: Path) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    assert "progress.worked_solutions()" in "".join(first_code["source"])


def test_the_exercises_are_those_the_notebooks_head() -> None:
    """The list comes from the checkers' source; the notebooks' headings must name the same ones."""
    headed = []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                headed += re.findall(r"^#+ (Exercise \d+\.\d+)", "".join(cell["source"]), re.M)
    assert set(progress.exercises()) == set(headed)
    numbers = [tuple(map(int, e.split()[1].split("."))) for e in progress.exercises()]
    assert numbers == sorted(numbers)


NUMBERED = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("notebook", NUMBERED, ids=lambda p: p.stem)
def test_every_notebook_ends_with_its_own_progress_lines(notebook: Path) -> None:
    """The last cell shows that notebook's exercises, each as a new learner stands on it (the
    stored output: `make notebooks` runs in a fresh folder, nbval compares it run after run)."""
    cells = json.loads(notebook.read_text())["cells"]
    last = cells[-1]
    number = int(notebook.name[:2])
    assert last["cell_type"] == "code"
    assert f"progress.show({number})" in "".join(last["source"])
    shown = "".join(
        "".join(output.get("text", "")) for output in last["outputs"] if output["name"] == "stdout"
    ).splitlines()
    ours = [e for e in progress.exercises() if progress.notebook_of(e) == number]
    assert [line.split(": ")[0] for line in shown] == ours
    # every exercise cell runs its checker on the placeholder answer, which is never right
    assert all(line.split(": ")[1] == "not yet" for line in shown), shown


def test_a_test_run_is_not_the_learners_progress(migrated_url: URL) -> None:
    """pytest's processes stop recording (../conftest.py): a right answer in a test leaves the
    run's folder, where nbval's notebooks record theirs, as it was."""
    before = progress.rows(notebook=1)
    assert basics.check_where_am_i(RIGHT, migrated_url)
    assert progress.rows(notebook=1) == before
    assert all(row.status != progress.DONE for row in before)


def test_make_notebooks_progress_file_is_used_instead_of_the_learners(
    learner_home: Path, migrated_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "fresh" / "progress.json"
    monkeypatch.setenv(settings.PROGRESS_VARIABLE, str(elsewhere))
    assert not basics.check_where_am_i(WRONG, migrated_url)
    assert json.loads(elsewhere.read_text())["exercises"]["Exercise 1.1"]["status"] == "not yet"
    assert not (learner_home / progress.PROGRESS_FILE).exists()
