"""Alembic from Python: the demo, the tests and the notebooks migrate through here.

The command line (`python -m alembic upgrade head`) and these functions use the same alembic.ini and
the same env.py, so there is one way a database gets its schema.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import URL

from smartstore.settings import PROJECT_ROOT

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(
    url: URL | None = None,
    connection: Connection | None = None,
    script_location: Path | None = None,
    configure_logging: bool = True,
) -> Config:
    """The project's Alembic configuration, aimed at a URL or an open connection if given."""
    config = Config(ALEMBIC_INI)
    if script_location is not None:
        config.set_main_option("script_location", str(script_location))
    config.attributes["url"] = url
    config.attributes["connection"] = connection
    config.attributes["configure_logging"] = configure_logging
    return config


def upgrade(url: URL | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url, configure_logging=False), revision)


def head() -> Script:
    """The newest migration in alembic/versions/ (its `.revision` id and its `.doc` message)."""
    head = ScriptDirectory.from_config(alembic_config()).get_revision("head")
    assert head is not None, "alembic/versions/ has no migration"
    return head
