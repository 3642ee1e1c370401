"""Checkers for notebook 8's exercises: find the leftover ENUM type, and fix the downgrade that
plain autogenerate wrote, proved by a real round trip (up, down to base, up again).
"""

import os
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from smartstore.db import make_engine
from smartstore.migrations import alembic_config
from smartstore.tools.scratch import scratch_database
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right
from smartstore.workbook.exercises.rollback import rolled_back

ENUMS_IN_PUBLIC = """
SELECT typname FROM pg_type
WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace
"""


def check_enum_query(sql: object, engine: Engine) -> Verdict:
    """Exercise 8.1: a query that lists the name of every ENUM type in the database.

    The checker adds an ENUM of its own first (rolled back afterwards), so a query that names the
    type it expects instead of asking the catalog does not pass.
    """
    name = "Exercise 8.1"
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, 'write the query as a string of SQL: answer = "SELECT ...".')
    with rolled_back(engine) as connection:
        connection.execute(text("CREATE TYPE exercise_colour AS ENUM ('red', 'green')"))
        expected = set(connection.execute(text(ENUMS_IN_PUBLIC)).scalars())
        try:
            result = connection.execute(text(sql))
            rows = result.all() if result.returns_rows else None
        except SQLAlchemyError as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
    if rows is None:
        return not_yet(name, "that statement returns no rows: ask with a SELECT.")
    if any(not row or not isinstance(row[0], str) for row in rows):
        return not_yet(
            name, "return one type's name per row, as text: typname, not an oid or list."
        )
    found = {row[0] for row in rows}
    if found == expected:
        return right(
            name, f"it finds every ENUM type: {sorted(expected)} (one added by the checker)."
        )
    if expected <= found:
        return not_yet(
            name, f"it lists {len(found)} names, most of them other kinds of type: keep enums only."
        )
    return not_yet(name, "it misses a type the checker added: ask pg_type, do not name the types.")


def check_downgrade_line(line: object, plain_migration: Path) -> Verdict:
    """Exercise 8.2: the line to add at the end of the plain migration's downgrade().

    The checker copies the migration into a temporary folder with your line added, and runs it on a
    scratch database of its own: up, down to base, then `user_role` must be gone from pg_type, and up again.
    """
    name = "Exercise 8.2"
    if not isinstance(line, str) or not line.strip():
        return not_yet(name, "write one line of Python that drops the type user_role.")
    try:
        compile(line.strip(), "<your line>", "exec")
    except SyntaxError as error:
        return not_yet(name, f"that line is not valid Python: {error.msg}.")
    with (
        tempfile.TemporaryDirectory(prefix="smartstore-enum-exercise-") as versions,
        # a database of its own: tests run in parallel
        scratch_database(f"lab_enum_exercise_{os.getpid()}") as url,
    ):
        target = Path(versions) / plain_migration.name
        target.write_text(plain_migration.read_text().rstrip("\n") + f"\n    {line.strip()}\n")
        return _round_trip(name, url, versions)


def _round_trip(name: str, url: URL, versions: str) -> Verdict:
    config = alembic_config(url, configure_logging=False)
    config.set_main_option("version_locations", versions)
    steps = [("the first upgrade", "upgrade"), ("downgrade base", "downgrade")]
    for what, step in steps:
        try:
            getattr(command, step)(config, "head" if step == "upgrade" else "base")
        except Exception as error:  # the learner's line may raise anything
            return not_yet(name, f"{what} failed: {database_error(error)}")
    left = _enum_types(url)
    if left:
        return not_yet(name, f"after downgrade base, pg_type still holds {left}.")
    try:
        command.upgrade(config, "head")
    except Exception as error:
        return not_yet(name, f"the second upgrade failed: {database_error(error)}")
    return right(name, "up, down to base with pg_type empty, up again: the round trip works.")


def _enum_types(url: URL) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        names = sorted(connection.execute(text(ENUMS_IN_PUBLIC)).scalars())
    engine.dispose()
    return names
