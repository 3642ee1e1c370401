"""Where the database is: the one place that reads the environment.

`DATABASE_URL` points everything (package, Alembic, notebooks, tests) at any PostgreSQL (and
`QDRANT_URL` notebook 14 at a Qdrant server). Without it, the package runs its own embedded
PostgreSQL 16 with its data in `SMARTSTORE_HOME`; by default `.smartstore/` at the project's root in
a checkout, so a learner can see and delete it, and a per-user data folder
(`~/.local/share/smartstore` on Linux) where the package is installed, never inside the installed
package itself.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from smartstore.validation import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root folder; where the package is installed, the site-packages folder instead."""
IN_CHECKOUT = (PROJECT_ROOT / "alembic.ini").is_file()
"""True when the package runs from the project's checkout (editable install, or the repo on sys.path)."""
DATABASE_NAME = "smartstore"


@dataclass(frozen=True)
class Settings:
    database_url: URL | None
    """The user's own server, from `DATABASE_URL`; None means the embedded server."""
    home: Path
    """The embedded server's folder: its data lives in `home / "pgdata"`."""

    @property
    def uses_embedded_server(self) -> bool:
        return self.database_url is None


URL_FORM = "postgresql://user:password@host:5432/database"


def normalize_url(raw: str) -> URL:
    """Accept the URL forms people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        # not the text itself in the message: it may hold a password
        raise InvalidInput(
            "DATABASE_URL", f"is not a URL; it should look like {URL_FORM}"
        ) from None
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise InvalidInput(
            "DATABASE_URL",
            f"must be a PostgreSQL URL like {URL_FORM}, not a {url.drivername}:// one",
        )
    return url


def default_home() -> Path:
    """`.smartstore/` in the checkout; the user's data folder where the package is installed."""
    if IN_CHECKOUT:
        return PROJECT_ROOT / ".smartstore"
    return platformdirs.user_data_path("smartstore")


def get_settings() -> Settings:
    """Read the environment now (not at import) so a test or a notebook can change it first."""
    raw_url = os.environ.get("DATABASE_URL", "").strip()
    home = Path(os.environ.get("SMARTSTORE_HOME") or default_home())
    return Settings(
        database_url=normalize_url(raw_url) if raw_url else None,
        home=home.expanduser().resolve(),
    )


def qdrant_url() -> str | None:
    """`QDRANT_URL` (`http://localhost:6333`): notebook 14 talks to that Qdrant server; unset, it
    runs Qdrant in local mode, in the notebook's own process (no server), as DATABASE_URL unset
    means the embedded PostgreSQL."""
    return os.environ.get("QDRANT_URL", "").strip() or None


MIGRATION_TIMEOUTS = {
    "lock_timeout": ("SMARTSTORE_LOCK_TIMEOUT", "5s"),
    "statement_timeout": ("SMARTSTORE_STATEMENT_TIMEOUT", "5min"),
}
"""PostgreSQL setting -> (the environment variable that overrides it, its default)."""

TIMEOUT = re.compile(r"\d+\s*(us|ms|s|min|h|d)?")


def migration_timeouts() -> dict[str, str]:
    """The `lock_timeout` and `statement_timeout` every migration runs with (alembic/env.py sets them).

    A migration that waits for a lock on a busy table queues every later query on that table behind
    it; `lock_timeout` makes it give up after a few seconds instead, with a clear error, and it can be
    retried when the table is quieter. `statement_timeout` bounds one statement. PostgreSQL's units
    (`500ms`, `5s`, `10min`); `0` switches a timeout off.
    """
    timeouts = {}
    for setting, (variable, default) in MIGRATION_TIMEOUTS.items():
        value = os.environ.get(variable, "").strip() or default
        if TIMEOUT.fullmatch(value) is None:
            raise InvalidInput(
                variable, f"must be a duration like 5s, 500ms or 10min, not {value!r}"
            )
        timeouts[setting] = value
    return timeouts
