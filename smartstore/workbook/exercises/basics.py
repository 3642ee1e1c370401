"""Checkers for notebook 1's exercises: first queries, and the catalog that describes the tables.

The learner's SQL runs on the real database in a read-only transaction that is rolled back, and
its rows are compared with what PostgreSQL itself answers: a checker never trusts a stored result.
"""

import re

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from smartstore.db import make_engine, server_major
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right
from smartstore.workbook.exercises.rollback import rolled_back


class Refused(Exception):
    """The database refused the learner's SQL; the message is its first line."""


def rows_of(sql: str, url: URL) -> list[tuple]:
    """The rows a learner's query returns, read-only and rolled back, so a check changes nothing."""
    engine = make_engine(url)
    try:
        with rolled_back(engine) as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            try:
                return [tuple(row) for row in conn.execute(text(sql))]
            except SQLAlchemyError as error:
                raise Refused(database_error(error)) from None
    finally:
        engine.dispose()


PRODUCTS_INDEXES = (
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'products'"
)


def products_indexes(url: URL) -> set[str]:
    """The names of the indexes on `products`: an answer that is none of them is misspelt, which
    deserves another hint than the name of an index the plan does not read."""
    return {index for (index,) in rows_of(PRODUCTS_INDEXES, url)}


def learner_rows(name: str, sql: object, url: URL, columns: list[str]) -> list[tuple] | Verdict:
    """The rows of the learner's query, or the hint when it is not SQL, is refused, or does not
    return the `columns` asked for."""
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, "write your query as a string of SQL and give it to `answer`.")
    try:
        rows = rows_of(sql, url)
    except Refused as refusal:
        return not_yet(name, f"the database refused it: {refusal}")
    if not rows:
        where = "in its WHERE " if re.search(r"\bwhere\b", sql, re.IGNORECASE) else ""
        return not_yet(
            name, f"it returns no rows: is every name {where}spelled as the catalog has it?"
        )
    if len(rows[0]) != len(columns):
        return not_yet(name, f"return {len(columns)} values per row: {', '.join(columns)}.")
    return rows


def in_any_order(rows: list[tuple]) -> list[tuple]:
    """Rows sorted so that two lists of the same rows compare equal, whatever their order and
    whatever they hold (a learner's column may mix NULL and text, which `sorted()` cannot order)."""
    return sorted(rows, key=repr)


def check_where_am_i(sql: object, url: URL) -> Verdict:
    """Exercise 1.1: one row, two values: the database's name and the server's major version."""
    name = "Exercise 1.1"
    rows = learner_rows(name, sql, url, ["the database's name", "the major version"])
    if isinstance(rows, Verdict):
        return rows
    database = url.database
    if len(rows) != 1:
        return not_yet(name, "return exactly one row.")
    got_database, got_major = rows[0]
    if got_database != database:
        return not_yet(name, "the first value should be the name of the database you are in.")
    if isinstance(got_major, str) and not got_major.strip().isdigit():
        return not_yet(
            name,
            f"the second value is the whole version text ({got_major.split(' on ')[0]!r}): the "
            "major version alone is a number, current_setting('server_version_num')::int / 10000.",
        )
    if isinstance(got_major, str):
        return not_yet(name, "the major version should be a number, not text: cast it (::int).")
    if got_major != server_major(url):
        return not_yet(
            name,
            "the second value should be the major version alone: server_version_num holds "
            "major * 10000 + minor.",
        )
    return right(name, f"the database you are in, on PostgreSQL {got_major}.")


PRODUCTS_COLUMNS = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = 'products' ORDER BY ordinal_position
"""


def check_products_columns(sql: object, url: URL) -> Verdict:
    """Exercise 1.2: the columns of `products` with their data types, in the table's order."""
    name = "Exercise 1.2"
    rows = learner_rows(name, sql, url, ["column_name", "data_type"])
    if isinstance(rows, Verdict):
        return rows
    expected = rows_of(PRODUCTS_COLUMNS, url)
    if rows == expected and "order by" not in " ".join(sql.lower().split()):
        return not_yet(
            name,
            "the right rows, in the right order by chance: without ORDER BY, SQL promises no "
            "order. Order by the column's position.",
        )
    if rows == expected:
        return right(name, f"products has {len(rows)} columns, from id to updated_at.")
    if len(rows) != len(expected):
        return not_yet(
            name,
            f"{len(rows)} rows, but products has {len(expected)} columns: filter on table_name "
            "(and table_schema, since other schemas may have a table of that name).",
        )
    if in_any_order(rows) == in_any_order(expected):
        return not_yet(name, "the right columns in another order: order by their position.")
    return not_yet(name, "not the columns' names and types: look at column_name and data_type.")


NULLABLE_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = 'public' AND is_nullable = 'YES' AND table_name <> 'alembic_version'
ORDER BY table_name, column_name
"""


def check_nullable_columns(sql: object, url: URL) -> Verdict:
    """Exercise 1.3: every column of the app's tables that may hold NULL, as (table, column)."""
    name = "Exercise 1.3"
    rows = learner_rows(name, sql, url, ["table_name", "column_name"])
    if isinstance(rows, Verdict):
        return rows
    expected = rows_of(NULLABLE_COLUMNS, url)
    if in_any_order(rows) == in_any_order(expected):
        found = ", ".join(f"{table}.{column}" for table, column in expected)
        return right(name, f"only {found} may be NULL; every other column is NOT NULL.")
    if len(rows) > len(expected):
        return not_yet(
            name,
            f"{len(rows)} rows is too many: keep the columns that may be NULL (is_nullable), "
            "in the public schema only.",
        )
    return not_yet(name, "not those columns: is_nullable says 'YES' or 'NO' for each column.")
