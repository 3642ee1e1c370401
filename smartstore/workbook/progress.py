"""A learner's progress through the exercises: what `smartstore progress` shows.

Every checker's verdict passes through `record()` (called by `exercises.right()` and
`exercises.not_yet()`), which keeps, per exercise, whether it is done or, if not yet, the last hint.
The file is `progress.json` in the learner's folder (`smartstore.embedded.home()`, the one `make
lab` uses), so a learner who works over several evenings sees where they stopped; `make reset`
keeps it, `make reset ALL=1` clears it.

Why these choices:
- Written atomically (a temporary file, then `os.replace`): a crash or Ctrl-C mid-write leaves the
  old file or the new one, never half of one.
- A damaged file (hand-edited, truncated by a full disk) is renamed aside with one line saying so
  and progress starts afresh: a checker never fails because of its bookkeeping.
- "done" stays done: a later experiment with a wrong answer does not undo a solved exercise.
- The worked solutions (`notebooks/solutions/`) are not the learner's work: their first cell calls
  `worked_solutions()`, which stops recording for that kernel. Nor is a test run: pytest's
  processes call `stop_recording()` (../conftest.py), so the tests' checkers never write a notebook's
  progress; the notebooks nbval runs do, each into the run's own folder.
- Each numbered notebook's last cell is `show(N)`: its exercises' lines. `make notebooks` runs the
  notebooks with a fresh progress file (`SMARTSTORE_PROGRESS_FILE`), so what is stored (and nbval
  compares) is a new learner's: each exercise "not yet" with the hint its placeholder answer earns.
- The list of exercises is read from the checkers' source (each names its exercise as a string,
  `name = "Exercise 6.1"`), so it cannot drift from them; a test checks it against the notebooks'
  headings.
"""

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from smartstore import settings

PROGRESS_FILE = "progress.json"
NOT_TRIED, NOT_YET, DONE = "not tried", "not yet", "done"

EXERCISE_NAME = re.compile(r'"(Exercise (\d+)\.(\d+))"')


class Judged(Protocol):
    """What a checker returns (`smartstore.workbook.exercises.Verdict`)."""

    exercise: str
    passed: bool
    message: str


_recording = True


def worked_solutions() -> None:
    """Called in the first cell of every solutions notebook: its checkers' verdicts are the book's
    own answers, not the learner's, so nothing they say is recorded (for this kernel)."""
    stop_recording()


def stop_recording() -> None:
    """Nothing this process's checkers say is the learner's work (the worked solutions, a test run):
    record none of it."""
    global _recording
    _recording = False


def recording() -> bool:
    return _recording


def exercises() -> list[str]:
    """Every exercise a checker judges, in the notebooks' order ("Exercise 1.1", …)."""
    found: set[tuple[int, int, str]] = set()
    for module in resources.files("smartstore.workbook.exercises").iterdir():
        if module.name.endswith(".py"):
            for name, notebook, number in EXERCISE_NAME.findall(module.read_text("utf-8")):
                found.add((int(notebook), int(number), name))
    return [name for *_, name in sorted(found)]


def notebook_of(exercise: str) -> int:
    """Exercise 6.2 belongs to notebook 6."""
    return int(exercise.split()[1].split(".")[0])


def progress_file(home: Path | None = None) -> Path:
    """`progress.json` in `home`; by default `SMARTSTORE_PROGRESS_FILE` if set, else in the data
    folder (`smartstore.embedded.home()`)."""
    if home is None:
        if (elsewhere := settings.progress_file()) is not None:
            return elsewhere
        from smartstore.embedded import home as embedded_home

        home = embedded_home()
    return home / PROGRESS_FILE


def load(path: Path) -> dict[str, dict[str, str]]:
    """Exercise -> {"status", "hint"}; a damaged file is set aside (renamed), with one line."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
        entries = data["exercises"]
        if not isinstance(entries, dict) or not all(
            isinstance(entry, dict) and entry.get("status") in (NOT_YET, DONE)
            for entry in entries.values()
        ):
            raise ValueError("not a progress file")
    except (ValueError, KeyError, TypeError):
        aside = path.with_name(f"{path.name}.damaged")
        os.replace(path, aside)
        print(
            f"Your progress file was damaged; it is set aside as {aside.name} and progress starts "
            "afresh.",
            file=sys.stderr,
        )
        return {}
    return entries


def save(path: Path, entries: dict[str, dict[str, str]]) -> None:
    """Write atomically: a temporary file in the same folder, then one `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "exercises": entries}, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def record(verdict: Judged, home: Path | None = None) -> None:
    """Keep what a checker said: done, or not yet with its hint ("done" is never undone)."""
    if not _recording:
        return
    path = progress_file(home)
    entries = load(path)
    if entries.get(verdict.exercise, {}).get("status") == DONE:
        return
    if verdict.passed:
        entries[verdict.exercise] = {"status": DONE, "hint": ""}
    else:
        entries[verdict.exercise] = {"status": NOT_YET, "hint": verdict.message}
    try:
        save(path, entries)
    except OSError as error:  # a read-only or full disk: the verdict still stands, unrecorded
        print(f"Your progress was not saved ({error.strerror}: {path.parent}).", file=sys.stderr)


@dataclass(frozen=True)
class Row:
    notebook: int
    exercise: str
    status: str
    hint: str

    def line(self) -> str:
        status = f"{self.status}: {self.hint}" if self.hint else self.status
        return f"{self.exercise}: {status}"


def rows(home: Path | None = None, notebook: int | None = None) -> list[Row]:
    """Every exercise (or a notebook's) with its status: not tried, not yet (and the hint), done."""
    entries = load(progress_file(home))
    table = []
    for exercise in exercises():
        if notebook is not None and notebook_of(exercise) != notebook:
            continue
        entry = entries.get(exercise, {"status": NOT_TRIED, "hint": ""})
        table.append(Row(notebook_of(exercise), exercise, entry["status"], entry["hint"]))
    return table


def table(home: Path | None = None, notebook: int | None = None) -> str:
    """The table `smartstore progress` prints, with a count of what is done."""
    found = rows(home, notebook)
    lines = [f"{'notebook':>8}  {'exercise':<14} status"]
    for row in found:
        status = f"{row.status} ({row.hint})" if row.hint else row.status
        lines.append(f"{row.notebook:>8}  {row.exercise:<14} {status}")
    done = sum(row.status == DONE for row in found)
    lines.append(f"{done} of {len(found)} exercises done")
    return "\n".join(lines)


def show(notebook: int, home: Path | None = None) -> None:
    """A notebook's last cell: its exercises' lines of the progress table."""
    for row in rows(home, notebook):
        print(row.line())
