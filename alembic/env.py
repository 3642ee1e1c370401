"""How Alembic reaches the database and the models.

- The URL comes from the smartstore package (DATABASE_URL; this starts no server), never from
  alembic.ini, so Alembic, the notebooks and the tests always agree on the database.
- A caller may hand over an open connection (or an engine) in `config.attributes["connection"]`
  (the migration tests do), or a URL in `config.attributes["url"]` (the scratch databases of the notebooks do).
- The metadata is `smartstore.models.Base.metadata`; importing `smartstore.models` imports every model.
  A notebook may hand over a scratch copy in `config.attributes["target_metadata"]` (notebook 12).
- Online runs take an advisory lock first, so concurrent upgrades of one database wait for each
  other instead of colliding.
- Every run sets `lock_timeout` (5s) and `statement_timeout` (5min), online and in `--sql` output,
  so a migration stuck behind a busy table fails fast instead of blocking the application.
  Override them with SMARTSTORE_LOCK_TIMEOUT / SMARTSTORE_STATEMENT_TIMEOUT (`0` switches one off).
  They end with the run: a connection handed over gets its own settings back (`SET LOCAL` inside
  the caller's transaction, `RESET` after a run outside one), so a later run's wait for the lock
  is not cut short. 5 minutes can be too short for a step slow by design on a big table:
  `CREATE INDEX CONCURRENTLY` cut there leaves an INVALID index behind (drop it and run again),
  `VALIDATE CONSTRAINT` just fails; run such a migration with SMARTSTORE_STATEMENT_TIMEOUT=0.
- Each migration commits on its own (`transaction_per_migration`): its locks end with it, and a
  migration that must run after another has committed (a new enum value used) can simply follow it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from sqlalchemy.types import TypeDecorator

from smartstore.db import configured_url, make_engine
from smartstore.errors import reported_in_one_line
from smartstore.models import Base
from smartstore.settings import migration_timeouts, plain_autogenerate

if not plain_autogenerate():
    # Teaches autogenerate to create, alter and drop ENUM types. The workbook's bug notebook sets
    # SMARTSTORE_PLAIN_AUTOGENERATE=1 to show what plain autogenerate writes without it.
    import alembic_postgresql_enum  # noqa: F401

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = config.attributes.get("target_metadata") or Base.metadata
if only := config.get_main_option("smartstore_tables"):
    # a scratch project of the workbook that autogenerates only some models' tables (notebooks 4
    # and 8 write the first migration: stores, products, users; smartstore.workbook.lab)
    subset = sa.MetaData(naming_convention=target_metadata.naming_convention)
    for name in only.split():
        target_metadata.tables[name].to_metadata(subset)
    target_metadata = subset

MIGRATION_LOCK = "hashtext('smartstore migrations')"
"""The advisory lock's key: one per database, shared by every process that migrates it."""


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our own column types (UTCDateTime, Cents) into migrations as the plain SQLAlchemy types
    they are stored as: `sa.DateTime(timezone=True)`, `sa.Integer()`; and pgvector's `Vector(n)` as
    `VECTOR(dim=n)` with its import (plain autogenerate writes `pgvector.sqlalchemy.vector.VECTOR`
    and no import: a file that fails with NameError).

    A migration must not import the application: it has to run the same in a year, whatever the
    models have become by then.
    """
    if (
        type_ == "type"
        and isinstance(obj, TypeDecorator)
        and type(obj).__module__.startswith("smartstore.")
    ):
        return f"sa.{obj.impl!r}"
    if type_ == "type" and type(obj).__module__.startswith("pgvector."):
        # a library's type, not the application's: imported by name, so the file runs as written
        autogen_context.imports.add("from pgvector.sqlalchemy import VECTOR")  # type: ignore[attr-defined]
        return f"VECTOR(dim={obj.dim})"  # type: ignore[attr-defined]
    return False


def configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
        transaction_per_migration=True,
        **kwargs,
    )


def run_with_timeouts(local: bool = False) -> None:
    """`local` inside a caller's transaction: the settings end with it (`SET LOCAL`)."""
    for setting, value in migration_timeouts().items():
        context.execute(f"SET {'LOCAL ' if local else ''}{setting} = '{value}'")
    context.run_migrations()


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it, for a reviewer. It needs
    only the dialect, so it connects to nothing and starts no server."""
    url = config.attributes.get("url") or "postgresql+psycopg://"
    configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        run_with_timeouts()


@contextmanager
def one_run_at_a_time(connection: sa.Connection) -> Iterator[None]:
    """Serialise migration runs on this database, as pypi/warehouse's env.py does: a second run
    (a notebook kernel and `make demo` at once) waits here, then finds nothing left to do. A
    session lock, not a transaction's: each migration commits on its own. Taken before the
    timeouts are set, so waiting for it is not cut short by lock_timeout; the session's timeouts
    are reset when the run ends, so they do not cut the next run's wait on this connection (a
    pooled one, or one handed over). On a connection handed over inside the caller's transaction
    (all migrations then run in it), the lock is that transaction's, and ends with it, failed or
    not, as do the timeouts (`SET LOCAL`)."""
    if connection.in_transaction():
        connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        yield
        return
    connection.execute(sa.text(f"SELECT pg_advisory_lock({MIGRATION_LOCK})"))
    try:
        yield
    except BaseException:
        if connection.in_transaction():
            connection.rollback()  # ours, begun after the lock: a failed one refuses the RESETs
        raise
    finally:
        for setting in migration_timeouts():
            connection.execute(sa.text(f"RESET {setting}"))
        connection.execute(sa.text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"))


def run_migrations(connection: sa.Connection) -> None:
    configure(connection=connection)
    local = connection.in_transaction()
    with one_run_at_a_time(connection), context.begin_transaction():
        run_with_timeouts(local)


def run_migrations_online() -> None:
    handed_over = config.attributes.get("connection")
    if isinstance(handed_over, sa.Connection):
        run_migrations(handed_over)
        return
    # an Engine handed over (pytest-alembic does that too), else one of our own for the URL
    engine = handed_over or make_engine(
        config.attributes.get("url") or configured_url(), poolclass=sa.pool.NullPool
    )
    with engine.connect() as connection:
        run_migrations(connection)
        if handed_over is None:
            connection.commit()  # the lock's release and the RESETs, run after the last migration
    if handed_over is None:
        engine.dispose()


def run() -> None:
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()


if config.cmd_opts is None:
    run()  # called from Python (the package, the tests): the caller sees the error itself
else:
    with reported_in_one_line("alembic"):  # the command line: a bad URL is one line, not 60
        run()
