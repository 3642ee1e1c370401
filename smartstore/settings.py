"""Where the database is: the one place that reads the environment.

`DATABASE_URL` points everything (package, Alembic, notebooks, tests) at any PostgreSQL. Without it,
the package runs its own embedded PostgreSQL 16 with its data in `SMARTSTORE_HOME` (by default
`.smartstore/` at the project's root), so a learner can see and delete it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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


def normalize_url(raw: str) -> URL:
    """Accept the URL forms people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    url = make_url(raw.strip())
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise ValueError(
            f"DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://…), not {url.drivername!r}"
        )
    return url


def get_settings() -> Settings:
    """Read the environment now (not at import) so a test or a notebook can change it first."""
    raw_url = os.environ.get("DATABASE_URL", "").strip()
    home = Path(os.environ.get("SMARTSTORE_HOME") or PROJECT_ROOT / ".smartstore")
    return Settings(
        database_url=normalize_url(raw_url) if raw_url else None,
        home=home.expanduser().resolve(),
    )
