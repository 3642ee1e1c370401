"""The engine and sessions: how every part of the package reaches the database.

Two answers to "which database?", and only the second one starts anything:
- `configured_url()`: the `DATABASE_URL` server when it is set, else the `smartstore` database of the
  embedded server if that is running;
- `start_embedded_database()`: the same URL, after starting the embedded server (held until the
  process exits) and creating its `smartstore` database when `DATABASE_URL` is not set.

`make_engine()` attaches the translation of the database's refusals (`smartstore.refusals`) to each
engine it makes, and to no other: an engine someone else makes keeps SQLAlchemy's behaviour.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from smartstore.embedded import pgserver
from smartstore.embedded import server as embedded
from smartstore.errors import SmartstoreError
from smartstore.refusals import explain_refusal
from smartstore.settings import DATABASE_NAME, Settings, get_settings

CONNECT_TIMEOUT_SECONDS = 5
"""A server that is not there fails within seconds instead of hanging."""


def configured_url(settings: Settings | None = None) -> URL:
    """The configured database's URL; starts nothing (see `start_embedded_database()` for that)."""
    settings = settings or get_settings()
    if settings.database_url is not None:
        return settings.database_url
    url = embedded.status(settings.home).url(DATABASE_NAME)
    if url is None:
        raise SmartstoreError(
            "The embedded server is not running: start it with `smartstore db start` (or, from "
            "Python, smartstore.db.start_embedded_database())."
        )
    return url


def start_embedded_database(settings: Settings | None = None) -> URL:
    """The configured database's URL; without `DATABASE_URL`, start the embedded server first.

    The server is held until this process exits (then it stops, unless `smartstore db start` keeps it
    running, or another process still uses it), and its `smartstore` database is created if missing.
    With `DATABASE_URL` set, this starts nothing and returns that URL.
    """
    settings = settings or get_settings()
    if settings.database_url is not None:
        return settings.database_url
    server = embedded.acquire(settings.home)
    url = embedded.url(server, DATABASE_NAME)
    if _ensured.get(url) is not server:
        ensure_database(url)
        _ensured[url] = server
    return url


_ensured: dict[URL, pgserver.PostgresServer] = {}
"""Databases this process has made sure exist, each with the server handle it was checked on: one
check per server start, not one per call. `embedded.stop()` forgets the handle, so after a stop the
next start checks again (the data folder may be new); `drop_database()` forgets its database."""


def libpq_conninfo(url: URL) -> str:
    """The URL as psycopg and psql take it (no `+psycopg`)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


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


def server_major(url: URL) -> int:
    """The major version of the server at `url` (16 for 16.14), asked once per server and process."""
    server = url._replace(username=None, password=None, database=None)
    if server not in _server_majors:
        with connect(url) as conn:
            _server_majors[server] = conn.info.server_version // 10000
    return _server_majors[server]


_server_majors: dict[URL, int] = {}


def server_version(url: URL) -> str:
    """The version of the server at `url` as it names itself (`16.14`), for a report's first line."""
    with connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def connect(url: URL, **kwargs: object) -> psycopg.Connection:
    """A plain psycopg connection, with a connect timeout and an error that hides the password."""
    try:
        return psycopg.connect(
            libpq_conninfo(url), connect_timeout=CONNECT_TIMEOUT_SECONDS, **kwargs
        )
    except psycopg.OperationalError as exc:
        raise SmartstoreError(f"Could not connect to {display_url(url)}: {exc}".strip()) from exc


def ensure_database(url: URL) -> None:
    """Create the URL's database if the server does not have it yet (idempotent, race-safe)."""
    with connect(url.set(database="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if exists.fetchone() is None:
            # another process may create it a moment before us (a race reports UniqueViolation)
            with suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))


def drop_database(url: URL) -> None:
    """Drop the URL's database, ending the sessions still connected to it (`WITH (FORCE)`).

    A login that is not a superuser may not end a process of no role of its own, such as an
    autovacuum worker that happens to be tidying that database (seen on PostgreSQL 18 after a bulk
    load: "permission denied to terminate process"). A plain DROP then asks the worker to stop and
    waits for it.
    """
    _ensured.pop(url, None)
    name = sql.Identifier(url.database)
    with connect(url.set(database="postgres"), autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        except psycopg.errors.InsufficientPrivilege:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def make_engine(url: URL, **kwargs: object) -> Engine:
    """An engine for `url` that fails within seconds on a silent server and explains refusals."""
    connect_args = (
        {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "handle_error", explain_refusal)
    return engine


@cache
def get_engine() -> Engine:
    """The process's one engine for the configured database; starts the embedded server first when
    that is the one configured (`start_embedded_database()`)."""
    return make_engine(start_embedded_database())


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll back everything if it raises."""
    with session_factory(engine).begin() as session:
        yield session


def display_url(url: URL) -> str:
    """The URL as it is safe and readable to print: the password hidden, the socket folder unquoted."""
    auth = f"{url.username or ''}{':***' if url.password else ''}"
    host = f"{url.host or ''}{f':{url.port}' if url.port else ''}"
    query = "&".join(
        f"{key}={value if isinstance(value, str) else ','.join(value)}"
        for key, value in url.query.items()
    )
    return f"{url.drivername}://{auth}@{host}/{url.database or ''}" + (f"?{query}" if query else "")
