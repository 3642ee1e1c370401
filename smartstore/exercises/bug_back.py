"""A pytest plugin that brings one of the workbook's two bugs back for a test run, so you can see
which tests go red: `pytest -p smartstore.exercises.bug_back --bring-back=enum tests/...`.

It changes nothing unless pytest is started with it and with `--bring-back`; nothing on disk
changes, only the test run's own process:
- `enum`: the first migration is plain autogenerate's (smartstore.workbook.plain_migration makes it
  from the committed one), whose downgrade leaves the ENUM type `user_role` behind; the later
  migrations follow it unchanged, so only the enum's lines differ.
- `naive-timestamps`: `UTCDateTime` lets naive datetimes in and gives them back naive, as the first
  draft's `DateTime` column with `default=datetime.utcnow` did.
"""

import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

import smartstore.migrations
from smartstore.models.base import UTCDateTime
from smartstore.workbook.plain_migration import REVISION as BROKEN_REVISION
from smartstore.workbook.plain_migration import write_plain_autogenerate_migration

BUGS = ("enum", "naive-timestamps")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bring-back", choices=BUGS, help="the workbook bug to bring back")


def pytest_configure(config: pytest.Config) -> None:
    bug = config.getoption("--bring-back")
    if bug == "enum":
        folder = Path(tempfile.mkdtemp(prefix="smartstore-bug-back-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        _plain_autogenerate_migrations(folder)
    elif bug == "naive-timestamps":
        _naive_timestamps()


def _plain_autogenerate_migrations(folder: Path) -> None:
    """The history with its first migration swapped for plain autogenerate's."""
    project_config = smartstore.migrations.alembic_config
    history = ScriptDirectory.from_config(project_config())
    first = history.get_base()
    write_plain_autogenerate_migration(folder)
    for script in history.walk_revisions():
        if script.revision == first:
            continue
        source = Path(script.path).read_text()
        if script.down_revision == first:
            source = source.replace(f"= {first!r}", f"= {BROKEN_REVISION!r}")
            source = source.replace(f'= "{first}"', f'= "{BROKEN_REVISION}"')
        (folder / Path(script.path).name).write_text(source)

    def broken_config(*args: object, **kwargs: object) -> Config:
        config = project_config(*args, **kwargs)  # type: ignore[arg-type]
        config.set_main_option("version_locations", str(folder))
        return config

    smartstore.migrations.alembic_config = broken_config  # type: ignore[assignment]


def _naive_timestamps() -> None:
    def bind(self: UTCDateTime, value: datetime | None, dialect: object) -> datetime | None:
        return value

    def result(self: UTCDateTime, value: datetime | None, dialect: object) -> datetime | None:
        return value.replace(tzinfo=None) if value is not None else None

    UTCDateTime.process_bind_param = bind  # type: ignore[method-assign,assignment]
    UTCDateTime.process_result_value = result  # type: ignore[method-assign,assignment]
