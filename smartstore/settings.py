"""Configuration: the one module that reads the environment.

`DATABASE_URL` points everything (package, Alembic, notebooks, tests) at any PostgreSQL; the core uses
no other database and starts no server. `SMARTSTORE_HOME` is the embedded server's folder, which only
`smartstore.embedded` (the `embedded` extra) uses; its default is that package's to choose.
`QDRANT_URL` points notebook 14 at a Qdrant server (unset: Qdrant's local mode, in process).
`SMARTSTORE_PROGRESS_FILE` puts the exercise progress elsewhere (`make notebooks` does).
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from smartstore.validation import InvalidInput

DATABASE_NAME = "smartstore"


@dataclass(frozen=True)
class Settings:
    database_url: URL | None
    """The database everything uses, from `DATABASE_URL`; None: none is configured."""
    home: Path | None = None
    """`SMARTSTORE_HOME`, the embedded server's folder if given (`smartstore.embedded.home()` says
    which folder it is when not)."""

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


def get_settings() -> Settings:
    """Read the environment now (not at import) so a test or a notebook can change it first."""
    raw_url = os.environ.get("DATABASE_URL", "").strip()
    raw_home = os.environ.get("SMARTSTORE_HOME", "").strip()
    return Settings(
        database_url=normalize_url(raw_url) if raw_url else None,
        home=Path(raw_home).expanduser().resolve() if raw_home else None,
    )


def qdrant_url() -> str | None:
    """`QDRANT_URL` (`http://localhost:6333`): notebook 14 talks to that Qdrant server; unset, it
    runs Qdrant in local mode, in the notebook's own process (no server), as DATABASE_URL unset
    means the embedded PostgreSQL."""
    return os.environ.get("QDRANT_URL", "").strip() or None


PROGRESS_VARIABLE = "SMARTSTORE_PROGRESS_FILE"


def progress_file() -> Path | None:
    """`SMARTSTORE_PROGRESS_FILE`: the file the checkers record the exercise progress in, instead of
    `progress.json` in the data folder. `make notebooks` points it at a fresh temporary file, so the
    outputs it stores are a new learner's and the checkout's own progress is left alone, while the
    notebooks keep the data folder (and the embedded server in it) they always use."""
    raw = os.environ.get(PROGRESS_VARIABLE, "").strip()
    return Path(raw).expanduser().resolve() if raw else None


DEBUG_VARIABLE = "SMARTSTORE_DEBUG"


def debug_requested() -> bool:
    """`SMARTSTORE_DEBUG=1`: a command shows the traceback of an error instead of one line."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def plain_autogenerate() -> bool:
    """`SMARTSTORE_PLAIN_AUTOGENERATE=1`: alembic/env.py leaves alembic-postgresql-enum out, to show
    plain Alembic's enum bug (notebook 08)."""
    return os.environ.get("SMARTSTORE_PLAIN_AUTOGENERATE") == "1"


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
