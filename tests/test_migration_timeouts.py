"""Migrations run with lock_timeout and statement_timeout (alembic/env.py), online and in `--sql`."""

import psycopg
import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from smartstore.db import connect, make_engine
from smartstore.migrations import alembic_config
from smartstore.settings import migration_timeouts
from smartstore.validation import InvalidInput

FIRST, RLS = "e7ccee06e47a", "4d3c1617c846"


def test_the_rendered_sql_sets_both_timeouts_for_the_session_before_anything_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command.upgrade(alembic_config(configure_logging=False), "head", sql=True)
    statements = [s.strip() for s in capsys.readouterr().out.split(";") if s.strip()]
    assert statements[:3] == ["SET lock_timeout = '5s'", "SET statement_timeout = '5min'", "BEGIN"]


def test_the_environment_overrides_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTSTORE_LOCK_TIMEOUT", "750ms")
    monkeypatch.setenv("SMARTSTORE_STATEMENT_TIMEOUT", "0")
    assert migration_timeouts() == {"lock_timeout": "750ms", "statement_timeout": "0"}


def test_a_value_that_is_no_duration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTSTORE_LOCK_TIMEOUT", "5s'; DROP TABLE products; --")
    with pytest.raises(InvalidInput, match="SMARTSTORE_LOCK_TIMEOUT: must be a duration"):
        migration_timeouts()


def test_a_migration_behind_a_busy_table_gives_up_with_a_lock_timeout(
    scratch_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The RLS migration needs ACCESS EXCLUSIVE on products; a reader holds ACCESS SHARE."""
    config = alembic_config(scratch_url, configure_logging=False)
    command.upgrade(config, FIRST)
    monkeypatch.setenv("SMARTSTORE_LOCK_TIMEOUT", "200ms")
    with connect(scratch_url, autocommit=True) as reader:
        reader.execute("BEGIN")
        reader.execute("LOCK TABLE products IN ACCESS SHARE MODE")
        with pytest.raises(OperationalError) as failure:
            command.upgrade(config, RLS)
        reader.execute("ROLLBACK")
    assert isinstance(failure.value.orig, psycopg.errors.LockNotAvailable)
    assert "canceling statement due to lock timeout" in str(failure.value.orig)
    with connect(scratch_url) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == (FIRST,), "nothing of the failed migration is left half-done"


def server_defaults(url: URL) -> list[str]:
    with connect(url) as fresh:
        return [fresh.execute(f"SHOW {setting}").fetchone()[0] for setting in migration_timeouts()]


def timeouts_of(conn: Connection) -> list[str]:
    return [conn.execute(text(f"SHOW {setting}")).scalar_one() for setting in migration_timeouts()]


def test_a_connection_handed_over_gets_its_timeouts_back_after_the_run(scratch_url: URL) -> None:
    """A session SET would stay on the connection and cut a later run's wait for the migration
    lock at 5 s: outside a transaction env.py resets both, inside one it sets them LOCAL."""
    defaults = server_defaults(scratch_url)
    assert defaults != list(migration_timeouts().values())  # else the test could not tell
    engine = make_engine(scratch_url)
    try:
        with engine.connect() as conn:
            command.upgrade(alembic_config(connection=conn, configure_logging=False), FIRST)
            conn.commit()
            assert timeouts_of(conn) == defaults
            conn.rollback()
            with conn.begin():
                command.upgrade(alembic_config(connection=conn, configure_logging=False), "head")
            assert timeouts_of(conn) == defaults
    finally:
        engine.dispose()
