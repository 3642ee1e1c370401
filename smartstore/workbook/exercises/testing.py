"""Checkers for notebook 9's exercises: which test catches which bug?

A checker does not keep a list of right answers: it brings the bug back for one test run (the
plugin tests/bug_back.py, with `smartstore.workbook.exercises.bug_back`), runs the test you named on
a throwaway database, and says whether it went red. A test that stays green with the bug back does
not protect you from it.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass

from smartstore.db import configured_url
from smartstore.migrations import locate
from smartstore.workbook.exercises import Verdict, not_yet, right


@dataclass(frozen=True)
class Outcome:
    test: str
    status: str
    """PASSED, FAILED or ERROR, as pytest's summary says it."""
    reason: str
    """For a red test, the first line of why."""

    def __str__(self) -> str:
        return f"{self.status:<8}{self.test}" + (f"\n        {self.reason}" if self.reason else "")


def run_with_bug(bug: str | None, tests: list[str]) -> list[Outcome]:
    """Run the named tests in a fresh pytest process, with `bug` brought back (or none)."""
    outcomes: dict[str, Outcome] = {}
    to_run = list(tests)
    while to_run:
        stdout = _pytest(bug, to_run)
        # pytest runs nothing if one name is unknown: note those, then run the others. It names an
        # unknown test by its full path, an unknown file as it was given (and only the first one).
        root = locate().require_checkout("Running the project's tests")
        unknown = {
            test
            for test in to_run
            if re.search(
                rf"not found: ({re.escape(str(root / test))}|{re.escape(test)})$", stdout, re.M
            )
        }
        for test in unknown:
            outcomes[test] = Outcome(test, "MISSING", "pytest found no such test")
        to_run = [test for test in to_run if test not in unknown]
        if unknown:
            continue
        for line in stdout.splitlines():
            found = re.match(r"(PASSED|FAILED|ERROR) (\S+)(?: - (.*))?$", line)
            if found:
                status, test, reason = found.groups()
                outcomes.setdefault(test, Outcome(test, status, _short(reason or "")))
        break
    return [
        outcomes.get(test, Outcome(test, "MISSING", "pytest ran no such test")) for test in tests
    ]


def _pytest(bug: str | None, tests: list[str]) -> str:
    plugin = ["-p", "tests.bug_back", f"--bring-back={bug}"] if bug else []
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "--color=no", "-p", "no:cacheprovider",
         *plugin, *tests],
        cwd=locate().require_checkout("Running the project's tests"), capture_output=True,
        text=True,
        env={
            **os.environ,
            "COLUMNS": "250",  # pytest cuts the summary's reasons to the terminal's width
            # a throwaway database on the configured server, not a new server of its own
            "DATABASE_URL": configured_url().render_as_string(hide_password=False),
        },
    )  # fmt: skip
    return done.stdout + done.stderr


def _short(reason: str) -> str:
    """Where a test failed, without the machine's paths."""
    checkout = locate().checkout
    reason = reason.replace(f"{checkout}/", "") if checkout else reason
    return reason if len(reason) <= 110 else reason[:109] + "…"


EXERCISES = ("Exercise 9.1", "Exercise 9.2")
"""The exercises `check_catches` judges (the notebook names which); `smartstore progress` lists them."""


def check_catches(exercise: str, bug: str, test: object, shown: list[str] | None = None) -> Verdict:
    """Exercises 9.1 and 9.2: the pytest id of a test that goes red when `bug` is back (other than
    those the notebook `shown` already)."""
    if not isinstance(test, str) or "::" not in test:
        return not_yet(exercise, 'name one test as pytest does: "tests/test_x.py::test_name".')
    if test.strip() in (shown or []):
        return not_yet(exercise, "the notebook showed that one already: find another.")
    (outcome,) = run_with_bug(bug, [test.strip()])
    if outcome.status == "MISSING":
        return not_yet(exercise, f"pytest finds no test {test.strip()!r}: check the file and name.")
    if outcome.status == "PASSED":
        return not_yet(exercise, "that test stays green with the bug back: it does not catch it.")
    return right(exercise, f"with the bug back it goes red ({outcome.status}): it catches it.")
