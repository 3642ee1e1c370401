"""Several `alembic upgrade head` at the same instant on one fresh database all succeed: env.py's
advisory lock makes them wait for each other (without it, one fails every time with a duplicate
`pg_type` row, as both create the same table type)."""

import multiprocessing
import traceback
from multiprocessing.synchronize import Barrier

from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from smartstore.db import make_engine
from smartstore.migrations import alembic_config, head, upgrade

RUNS = 4


def upgrade_when_released(url: URL, barrier: Barrier, results: multiprocessing.Queue) -> None:
    """One process: ready to migrate (modules imported), released with all the others at once."""
    barrier.wait(timeout=60)
    try:
        upgrade(url)
        results.put("ok")
    except Exception:  # reported to the test, which shows it
        results.put(traceback.format_exc())


def test_simultaneous_upgrades_of_a_fresh_database_all_succeed(scratch_url: URL) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(RUNS)
    results = spawn.Queue()
    runs = [
        spawn.Process(target=upgrade_when_released, args=(scratch_url, barrier, results))
        for _ in range(RUNS)
    ]
    for run in runs:
        run.start()
    outcomes = [results.get(timeout=120) for _ in runs]
    for run in runs:
        run.join(timeout=30)
    assert outcomes == ["ok"] * RUNS, "\n".join(o for o in outcomes if o != "ok")
    engine = make_engine(scratch_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert versions == [(head().revision,)]


def advisory_locks(conn: Connection) -> int:
    held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    return conn.execute(text(held)).scalar_one()


def test_a_run_inside_the_callers_transaction_holds_the_lock_until_that_ends(
    scratch_url: URL,
) -> None:
    """A connection handed over inside a transaction: the lock is the transaction's, so nothing is
    left locked whether the caller commits or (after a failure) rolls back."""
    engine = make_engine(scratch_url)
    try:
        with engine.connect() as conn:
            with conn.begin():
                command.upgrade(alembic_config(connection=conn, configure_logging=False), "head")
                assert advisory_locks(conn) == 1
            assert advisory_locks(conn) == 0
    finally:
        engine.dispose()
