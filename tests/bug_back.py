"""A pytest plugin that brings one of the workbook's two bugs back for a test run, so you can see
which tests go red: `pytest -p tests.bug_back --bring-back=enum tests/...` (from the checkout).

It changes nothing unless pytest is started with it and with `--bring-back`; nothing on disk
changes, only the test run's own process:
- `enum`: the tests that migrate take their Alembic configuration from the `project_config` fixture
  (tests/conftest.py); with the bug back, it is the history whose first migration is plain
  autogenerate's (made from the committed one by smartstore.workbook.plain_migration, see
  `smartstore.workbook.exercises.bug_back.plain_autogenerate_first`).
- `naive-timestamps`: `UTCDateTime` lets naive datetimes in and gives them back naive.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

from smartstore.workbook.exercises.bug_back import BUGS, naive_timestamps

BROKEN_HISTORY = pytest.StashKey[Path]()
"""The folder with the history whose first migration is plain autogenerate's (enum bug only)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bring-back", choices=BUGS, help="the workbook bug to bring back")


def pytest_configure(config: pytest.Config) -> None:
    bug = config.getoption("--bring-back")
    if bug == "enum":
        folder = Path(tempfile.mkdtemp(prefix="smartstore-bug-back-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        config.stash[BROKEN_HISTORY] = folder
    elif bug == "naive-timestamps":
        naive_timestamps()
