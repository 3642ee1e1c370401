"""The workbook's two bugs, brought back on request (notebook 9 asks which tests catch them).

Each helper takes what it changes and changes only that: `plain_autogenerate_first()` takes an Alembic
configuration and returns one whose history starts with plain autogenerate's first migration (its
downgrade leaves the ENUM type `user_role` behind; the later migrations follow it unchanged);
`naive_timestamps()` makes `UTCDateTime` let naive datetimes in and give them back naive, as the first
draft's `DateTime` column with `default=datetime.utcnow` did. The pytest plugin that uses them for one
test run lives with the tests (tests/bug_back.py).
"""

import shutil
from datetime import datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from smartstore.models.base import UTCDateTime

BROKEN_REVISION = "0001broken"
BUGS = ("enum", "naive-timestamps")


def plain_autogenerate_first(config: Config, broken_migration: Path, folder: Path) -> Config:
    """`config`, aimed at a copy of its history (written into `folder`) whose first migration is
    `broken_migration` (revision `0001broken`, plain autogenerate's)."""
    history = ScriptDirectory.from_config(config)
    first = history.get_base()
    shutil.copy(broken_migration, folder / broken_migration.name)
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
