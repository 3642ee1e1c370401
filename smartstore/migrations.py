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
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import CommandLine, Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import URL

from smartstore.errors import SmartstoreError, run_command


@dataclass(frozen=True)
class Migrations:
    """Where the migrations are, as `locate()` found them."""

    script_location: Path
    """The folder with env.py and versions/: the checkout's alembic/, or the installed copy."""
    ini: Path | None
    """The checkout's alembic.ini; None where the package is installed (there is none)."""

    @property
    def checkout(self) -> Path | None:
        """The project's checkout (the folder with alembic.ini, tests/, notebooks/), if this is one."""
        return self.ini.parent if self.ini is not None else None

    def require_checkout(self, what: str) -> Path:
        """The checkout's folder, or a clear error saying that `what` needs one."""
        if self.checkout is None:
            raise SmartstoreError(
                f"{what} needs the project's checkout (git clone, then `make demo`); an installed "
                "smartstore package has no alembic.ini, tests/ or notebooks/."
            )
        return self.checkout


def locate() -> Migrations:
    """Find the migrations now, not at import: the checkout's `alembic/` and `alembic.ini` when the
    package runs from a checkout (an editable install, or the repo on sys.path), else the copy
    installed inside the package as `smartstore/alembic/`."""
    package = Path(__file__).resolve().parent
    root = package.parent
    if (root / "alembic.ini").is_file() and (root / "alembic" / "env.py").is_file():
        return Migrations(script_location=root / "alembic", ini=root / "alembic.ini")
    return Migrations(script_location=package / "alembic", ini=None)


def alembic_config(
    url: URL | None = None,
    connection: Connection | None = None,
    script_location: Path | None = None,
    configure_logging: bool = True,
) -> Config:
    """The project's Alembic configuration, aimed at a URL or an open connection if given."""
    found = locate()
    if found.ini is not None:
        config = Config(found.ini)
    else:
        config = Config()
        config.set_main_option("script_location", str(found.script_location))
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
    if config.config_file_name is None:
        # what alembic.ini's logging section does in a checkout: Alembic's INFO lines on stderr
        logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
        logging.getLogger("alembic").setLevel(logging.INFO)
    cli.run_cmd(config, options)
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
