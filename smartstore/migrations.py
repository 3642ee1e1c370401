"""Alembic from Python: the demo, the tests and the notebooks migrate through here.

The command line (`python -m alembic upgrade head`) and these functions use the same alembic.ini and
the same env.py, so there is one way a database gets its schema.

In a checkout, the migrations are the top-level `alembic/` folder and `alembic.ini` sits at the root,
where a learner reads and edits them. A non-editable install (`pip install .`) carries the same folder
inside the package as `smartstore/alembic/` (pyproject.toml maps it there) and has no alembic.ini, so
the configuration is built here instead, and `python -m smartstore.migrations ARGS` is Alembic's own
command line (`upgrade head`, `current`, `history`, …) with that configuration, from any folder.
"""

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import CommandLine, Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import URL

from smartstore.errors import run_command
from smartstore.settings import IN_CHECKOUT, PROJECT_ROOT

ALEMBIC_INI: Path | None = PROJECT_ROOT / "alembic.ini" if IN_CHECKOUT else None
SCRIPT_LOCATION = PROJECT_ROOT / "alembic" if IN_CHECKOUT else Path(__file__).parent / "alembic"
"""The folder with env.py and versions/: the checkout's alembic/, or the installed copy."""


def alembic_config(
    url: URL | None = None,
    connection: Connection | None = None,
    script_location: Path | None = None,
    configure_logging: bool = True,
) -> Config:
    """The project's Alembic configuration, aimed at a URL or an open connection if given."""
    if ALEMBIC_INI is not None:
        config = Config(ALEMBIC_INI)
    else:
        config = Config()
        config.set_main_option("script_location", str(SCRIPT_LOCATION))
        config.set_main_option("path_separator", "os")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Alembic's command line on the package's migrations, wherever the package is installed."""
    cli = CommandLine(prog="python -m smartstore.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    config = alembic_config()
    config.cmd_opts = options
    if ALEMBIC_INI is None:
        # what alembic.ini's logging section does in a checkout: Alembic's INFO lines on stderr
        logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
        logging.getLogger("alembic").setLevel(logging.INFO)
    cli.run_cmd(config, options)
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
