"""Checkers for notebook 11's exercises: read a query plan (PostgreSQL's own plan of listing one
store's products, `EXPLAIN (FORMAT JSON)`, on the learner's catalogue), and load rows with COPY
into a scratch database, where the checker reads back what arrived."""

import os
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.migrations import upgrade
from smartstore.tools.bench import NO_INDEX, STORE_QUERY, middle_store
from smartstore.tools.scratch import scratch_database
from smartstore.workbook import plans
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right
from smartstore.workbook.exercises.basics import products_indexes


def plan(url: URL, use_index: bool, analyze: bool = False) -> dict:
    """The top node of the plan for listing the middle store's products."""
    store_id = middle_store(url)
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with connect(url) as conn:
        if not use_index:
            conn.execute(NO_INDEX)
        (document,) = conn.execute(f"EXPLAIN ({options}) {STORE_QUERY}", (store_id,)).fetchone()
        conn.rollback()
    return plans.top(document)


def check_index_name(name: object, url: URL) -> Verdict:
    """Exercise 11.2: the name of the index PostgreSQL uses to list one store's products."""
    exercise = "Exercise 11.2"
    if not isinstance(name, str) or not name.strip():
        return not_yet(exercise, "give the index's name as a string, as the plan prints it.")
    used = plans.index_names(plan(url, use_index=True))
    if not used:
        return not_yet(exercise, "this catalogue is too small: PostgreSQL reads the whole table.")
    if name.strip() not in products_indexes(url):
        return not_yet(
            exercise,
            f"products has no index named {name.strip()!r}: copy the name from the plan's line "
            "'Index Scan using'.",
        )
    if name.strip() not in used:
        return not_yet(exercise, "the plan names another index: read the line 'Index Scan using'.")
    return right(exercise, f"{name.strip()} starts with store_id, so it serves WHERE store_id = ….")


def check_rows_removed(predicted: object, url: URL) -> Verdict:
    """Exercise 11.3: how many rows the sequential scan reads and throws away for one store."""
    exercise = "Exercise 11.3"
    if isinstance(predicted, bool) or not isinstance(predicted, int):
        return not_yet(exercise, "predict a whole number of rows.")
    removed = sum(
        node.get("Rows Removed by Filter", 0)
        for node in plans.nodes(plan(url, False, analyze=True))
    )
    if predicted == removed:
        return right(exercise, f"the scan read every row and threw {removed:,} of them away.")
    if predicted < removed:
        return not_yet(exercise, "more than that: a sequential scan reads every row of the table.")
    return not_yet(exercise, "fewer than that: the rows it keeps are not thrown away.")


COPY_ROWS = 1_000


class _WatchedConnection:
    """A psycopg connection that notes whether a cursor's `copy()` was used."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection
        self.copied = False

    def cursor(self, *args: object, **kwargs: object) -> "_WatchedCursor":
        return _WatchedCursor(self._connection.cursor(*args, **kwargs), self)  # type: ignore[call-overload]

    def __enter__(self) -> "_WatchedConnection":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        # like psycopg's own, but the checker still needs the connection open afterwards
        (self._connection.rollback if kind else self._connection.commit)()

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)


class _WatchedCursor:
    def __init__(self, cursor: psycopg.Cursor, watch: _WatchedConnection) -> None:
        self._cursor, self._watch = cursor, watch

    def copy(self, *args: object, **kwargs: object) -> object:
        self._watch.copied = True
        return self._cursor.copy(*args, **kwargs)  # type: ignore[arg-type]

    def __enter__(self) -> "_WatchedCursor":
        self._cursor.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cursor.__exit__(*exc)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._cursor, name)


def check_copy_loader(load: Callable[[object, list[tuple]], object]) -> Verdict:
    """Exercise 11.1: `load(connection, rows)` writes (store_id, sku, name, price_cents) rows into
    products through COPY. The checker calls it on a scratch database with 1,000 rows and reads
    back what arrived."""
    exercise = "Exercise 11.1"
    # a database of its own for each process: the tests and the notebooks run in parallel
    with scratch_database(f"lab_scale_copy_exercise_{os.getpid()}") as url:
        upgrade(url)
        with connect(url) as conn:
            store_id = conn.execute(
                "INSERT INTO stores (name, slug) VALUES ('Copy Shop', 'copy-shop') RETURNING id"
            ).fetchone()[0]
            conn.commit()
            rows = [(store_id, f"CP-{i:04d}", f"Item {i}", 100 + i) for i in range(COPY_ROWS)]
            watched = _WatchedConnection(conn)
            try:
                load(watched, rows)
                conn.commit()
            except Exception as error:  # the learner's code may raise anything
                return not_yet(exercise, f"your function raised {database_error(error)}")
            arrived = conn.execute(
                "SELECT store_id, sku, name, price_cents FROM products ORDER BY sku"
            ).fetchall()
    if not arrived:
        return not_yet(
            exercise, "no rows arrived: open a COPY products (...) FROM STDIN and send every row."
        )
    if len(arrived) != COPY_ROWS:
        return not_yet(exercise, f"{len(arrived):,} of {COPY_ROWS:,} rows arrived.")
    if arrived != rows:
        return not_yet(exercise, "the rows differ from those given: check the column order.")
    if not watched.copied:
        return not_yet(exercise, "the rows arrived, but not through COPY: use cursor.copy(...).")
    return right(exercise, f"{COPY_ROWS:,} rows arrived through COPY, every constraint checked.")
