"""The workbook's two bugs, brought back on request (notebook 9 asks which tests catch them).

Each helper takes what it changes and changes only that: `plain_autogenerate_first()` takes an Alembic
configuration and returns one whose history starts with plain autogenerate's first migration (its
downgrade leaves the ENUM type `user_role` behind; the later migrations follow it unchanged);
`naive_timestamps()` makes `UTCDateTime` let naive datetimes in and give them back naive, as the first
draft's `DateTime` column with `default=datetime.utcnow` did. The pytest plugin that uses them for one
test run lives with the tests (tests/bug_back.py).
"""

from datetime import datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from smartstore.models.base import UTCDateTime
from smartstore.workbook.plain_migration import REVISION as BROKEN_REVISION
from smartstore.workbook.plain_migration import write_plain_autogenerate_migration

BUGS = ("enum", "naive-timestamps")


def plain_autogenerate_first(config: Config, folder: Path) -> Config:
    """`config`, aimed at a copy of its history (written into `folder`) whose first migration is
    plain autogenerate's (revision `0001broken`, made by smartstore.workbook.plain_migration)."""
    history = ScriptDirectory.from_config(config)
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
    config.set_main_option("version_locations", str(folder))
    return config


def naive_timestamps() -> None:
    """`UTCDateTime` as the first draft behaved, for this process."""

    def bind(self: UTCDateTime, value: datetime | None, dialect: object) -> datetime | None:
        return value

    def result(self: UTCDateTime, value: datetime | None, dialect: object) -> datetime | None:
        return value.replace(tzinfo=None) if value is not None else None

    UTCDateTime.process_bind_param = bind  # type: ignore[method-assign,assignment]
    UTCDateTime.process_result_value = result  # type: ignore[method-assign,assignment]
