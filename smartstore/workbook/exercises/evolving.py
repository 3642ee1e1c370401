"""Checkers for notebooks 12 and 13: changing an enum after launch, and migrating a table that
already holds data.

Every check runs the learner's answer on a scratch database of its own, at the real head with the
sample data (`seeded_scratch`), and judges what PostgreSQL did: the values the type holds, the rows,
the type's oid and the table's file (`pg_relation_filenode`: a new file means the table was
rewritten), and, for an index, whether the migration gate (squawk) accepts the SQL.
"""

import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from smartstore.db import connect, make_engine, session_scope
from smartstore.migrations import head
from smartstore.seed import seed
from smartstore.tools.migration_lint import lint_sql
from smartstore.workbook import lab
from smartstore.workbook.exercises import Verdict, database_error, first_line, not_yet, right
from smartstore.workbook.exercises.migrating import scratch_config, scratch_versions

MIGRATION = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def write_migration(
    versions: Path,
    revision: str,
    down_revision: str,
    message: str,
    upgrade: str,
    downgrade: str = "pass",
) -> Path:
    """A hand-written migration `<revision>.py` in `versions`: the bodies of upgrade() and
    downgrade() are given as text (indented or not)."""

    def body(lines: str) -> str:
        return textwrap.indent(textwrap.dedent(lines).strip("\n"), "    ")

    path = versions / f"{revision}.py"
    path.write_text(
        MIGRATION.format(
            message=message, revision=revision, down_revision=down_revision,
            upgrade=body(upgrade), downgrade=body(downgrade),
        )
    )  # fmt: skip
    shutil.rmtree(versions / "__pycache__", ignore_errors=True)
    return path


def failure(step: Callable[[Config, str], None], config: Config, revision: str) -> str | None:
    """Run an Alembic step (`command.upgrade`, `command.downgrade`); if it fails, what a reviewer
    needs instead of a traceback: the database's error and its detail, or the error itself when the
    database raised none. None when it worked."""
    try:
        step(config, revision)
    except Exception as error:  # whatever the migration raises is what the notebook shows
        cause = error.__cause__ or error
        cause = getattr(error, "orig", None) or getattr(cause, "orig", None) or cause
        detail = getattr(getattr(cause, "diag", None), "message_detail", None)
        return f"{type(cause).__name__}: {first_line(cause)}" + (
            f"\nDETAIL: {detail}" if detail else ""
        )
    return None


def attempt(step: Callable[[Config, str], None], config: Config, revision: str) -> None:
    """`failure()`, printed: a notebook cell shows the failure in a line or two."""
    if (message := failure(step, config, revision)) is not None:
        print(message)


def seeded_scratch(name: str) -> URL:
    """A fresh scratch database `<your database>_lab_<name>` at the real head, with the sample data."""
    url = lab.fresh_database(name)
    command.upgrade(scratch_config(scratch_versions(name), url), "head")
    engine = make_engine(url)
    with session_scope(engine) as session:
        seed(session)
    engine.dispose()
    return url


def one_value(url: URL, sql: str, *params: object) -> object:
    with connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def facts_around(url: URL, sql: str, facts: str) -> tuple[tuple, tuple | None]:
    """One row of `facts`, before and after the learner's `sql` runs and commits (psycopg.Error
    if the database refuses it); after is None when the facts cannot be read any more (the answer
    dropped or renamed what they describe), which is no refusal of the learner's SQL."""
    with connect(url) as conn:
        before = conn.execute(facts).fetchone()
        conn.execute(sql)
        conn.commit()
        try:
            return before, conn.execute(facts).fetchone()
        except psycopg.Error:
            return before, None


def enum_labels(url: URL) -> list[str]:
    return list(one_value(url, "SELECT enum_range(NULL::user_role)::text[]") or [])


def roles_of_others(conn: psycopg.Connection, email: str) -> dict[str, str]:
    """Every other user's role, by email (a missing WHERE changes them too)."""
    query = "SELECT email, role::text FROM users WHERE email <> %s"
    return dict(conn.execute(query, (email,)).fetchall())


def changed_roles(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The users whose role is not what it was (or who are gone), by email."""
    return sorted(email for email, role in before.items() if after.get(email) != role)


def check_auditor_migration(body: object) -> Verdict:
    """Exercise 12.1: the lines of `upgrade()` that add the role `auditor` and make
    alan@example.com one, in one migration that runs."""
    name = "Exercise 12.1"
    if not isinstance(body, str) or not body.strip():
        return not_yet(name, "write the lines of upgrade() as a string and give it to `answer`.")
    url = seeded_scratch("evolving_auditor")
    versions = scratch_versions("evolving_auditor")
    write_migration(versions, "auditor0001", head().revision, "the auditor role", body)
    with connect(url) as conn:
        others = roles_of_others(conn, "alan@example.com")
    try:
        command.upgrade(scratch_config(versions, url), "head")
    except SyntaxError as error:
        return not_yet(name, f"that is not valid Python: {error.msg}.")
    except Exception as error:  # the learner's migration may raise anything
        if isinstance(getattr(error, "orig", None), psycopg.errors.UnsafeNewEnumValueUsage):
            return not_yet(
                name,
                "the UPDATE used 'auditor' before the value was committed: add it in an "
                "autocommit_block first.",
            )
        return not_yet(name, f"the migration failed: {database_error(error)}")
    if "auditor" not in enum_labels(url):
        return not_yet(name, "user_role has no value 'auditor' after the upgrade: add it.")
    role = one_value(url, "SELECT role::text FROM users WHERE email = 'alan@example.com'")
    if role != "auditor":
        return not_yet(name, f"alan@example.com is still {role!r}: give him the role as well.")
    with connect(url) as conn:
        after = roles_of_others(conn, "alan@example.com")
    gone = sorted(set(others) - set(after))
    if gone:
        return not_yet(
            name, f"{len(gone)} other user(s) deleted ({', '.join(gone)}): change only Alan's row."
        )
    changed = changed_roles(others, after)
    if changed:  # the classic UPDATE without WHERE: everyone is an auditor now
        return not_yet(
            name,
            f"{len(changed)} other user(s) became auditors too ({', '.join(changed)}): "
            "add a WHERE so that only Alan's row changes.",
        )
    return right(name, "user_role holds 'auditor' and Alan has it, in one migration that ran.")


def check_rename_in_place(sql: object) -> Verdict:
    """Exercise 12.2: SQL that renames the role `store_manager` to `manager` without rebuilding
    the type or rewriting `users`."""
    name = "Exercise 12.2"
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, 'write the SQL as a string: answer = "ALTER TYPE ...".')
    url = seeded_scratch("evolving_rename")
    # to_regtype: NULL, not an error, when the answer renamed or dropped the type itself
    facts = (
        "SELECT to_regtype('user_role')::oid::bigint,"
        " pg_relation_filenode(to_regclass('users'))::bigint"
    )
    try:
        before, after = facts_around(url, sql, facts)
    except psycopg.Error as error:
        return not_yet(name, f"the database refused it: {database_error(error)}")
    if after is None or after[0] is None:
        return not_yet(
            name,
            "there is no type user_role any more: rename one of its values (RENAME VALUE), "
            "not the type itself.",
        )
    labels = enum_labels(url)
    if labels != ["shopper", "manager", "admin"]:
        return not_yet(name, f"user_role now holds {labels}: rename store_manager, nothing else.")
    role = one_value(url, "SELECT role::text FROM users WHERE email = 'grace@example.com'")
    if role != "manager":
        return not_yet(name, f"Grace's role reads {role!r}: her row must follow the rename.")
    if after != before:
        return not_yet(
            name, "that rebuilt the type and rewrote users: PostgreSQL can rename a value in place."
        )
    return right(name, "store_manager is manager now, with the same type (oid) and users file.")


def check_column_without_rewrite(sql: object) -> Verdict:
    """Exercise 13.1: add `products.is_featured`, a NOT NULL boolean that is false for every
    product, without rewriting the table."""
    name = "Exercise 13.1"
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, 'write the SQL as a string: answer = "ALTER TABLE products ...".')
    url = seeded_scratch("evolving_column")
    # a rewrite gives the table a new file; an UPDATE of every row moves every row (its ctid)
    filenode = (
        "SELECT pg_relation_filenode('products')::bigint,"
        " (SELECT array_agg(ctid::text ORDER BY id) FROM products)"
    )
    try:
        before, after = facts_around(url, sql, filenode)
    except psycopg.Error as error:
        return not_yet(name, f"the database refused it: {database_error(error)}")
    if after is None:
        return not_yet(name, "there is no table products any more: add a column, drop nothing.")
    column = one_value(
        url,
        "SELECT ROW(data_type, is_nullable) FROM information_schema.columns"
        " WHERE table_name = 'products' AND column_name = 'is_featured'",
    )
    if column is None:
        return not_yet(name, "products has no column is_featured yet.")
    if column != ("boolean", "NO"):
        return not_yet(
            name, f"is_featured is {column[0]}, nullable {column[1]}: make it a NOT NULL boolean."
        )
    featured = one_value(
        url, "SELECT count(*) FROM products WHERE is_featured IS DISTINCT FROM false"
    )
    if featured:
        return not_yet(name, f"{featured} products are not false: give the column a default.")
    if after[0] != before[0]:
        return not_yet(
            name, "products was rewritten (a new file): a constant default needs no rewrite."
        )
    if after[1] != before[1]:
        return not_yet(
            name, "every row was written again (an UPDATE): the default fills them for free."
        )
    return right(name, "is_featured is NOT NULL and false everywhere, and products kept its file.")


SQUAWK_RULES = {
    "require-concurrent-index-creation": "a plain CREATE INDEX blocks every write to the table "
    "while it builds: add CONCURRENTLY",
    "prefer-robust-stmts": "a step that can be run again after a failure: add IF NOT EXISTS",
    "require-timeout-settings": "a statement that could wait forever for a lock: set a "
    "lock_timeout first",
    "prefer-bigint-over-int": "an int column can run out of numbers: use bigint",
    "disallowed-unique-constraint": "a unique constraint built while writes wait: build a unique "
    "index CONCURRENTLY first",
    "adding-not-nullable-field": "NOT NULL on an existing column scans the table under a lock",
    "syntax-error": "squawk cannot read it as SQL: check the spelling of every keyword",
}
"""squawk's rule names in plain words, for 13.2's hints (the report names only the rule); another
rule is shown with squawk's own message."""


def check_index_the_gate_accepts(sql: object) -> Verdict:
    """Exercise 13.2: SQL for an index on `products (price_cents)` that the migration gate (squawk,
    with the project's .squawk.toml) accepts, and that builds a valid index."""
    name = "Exercise 13.2"
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, 'write the SQL as a string: answer = "CREATE INDEX ...".')
    status, report = lint_sql(sql)
    if status != 0:
        # gcc format: "file:line:column: error: <rule> <message>"
        rules = dict(re.findall(r": (?:error|warning): (\S+) ?(.*)", report))
        explained = (
            "; ".join(
                f"{rule} ({SQUAWK_RULES.get(rule, squawks.rstrip('.'))})"
                for rule, squawks in sorted(rules.items())
            )
            or (report.strip().splitlines() or ["squawk failed"])[0]
        )
        return not_yet(name, f"the gate refuses it: {explained}.")
    url = seeded_scratch("evolving_index")
    with connect(url, autocommit=True) as conn:
        try:
            conn.execute(sql)
        except psycopg.errors.ActiveSqlTransaction as error:
            return not_yet(
                name,
                f"the database refused it: {database_error(error)}; statements sent together run "
                "in one transaction, so send the CREATE INDEX alone.",
            )
        except psycopg.Error as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
        indexes = conn.execute(
            "SELECT i.indisvalid FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = 'products'::regclass AND i.indnatts = 1"
            " AND a.attname = 'price_cents'"
        ).fetchall()
    if not indexes:
        return not_yet(name, "there is no index on products (price_cents) afterwards.")
    if indexes != [(True,)]:
        return not_yet(
            name, "the index is not valid (or there are two): build one, and let it finish."
        )
    return right(name, "the gate accepts it, and products (price_cents) has a valid index.")


REBUILD_WITHOUT_SUPPORT = """
ALTER TYPE user_role RENAME TO user_role_old;
CREATE TYPE user_role AS ENUM ('shopper', 'store_manager', 'admin');
ALTER TABLE users DROP CONSTRAINT ck_users_store_manager_has_store;
ALTER TABLE users ALTER COLUMN role DROP DEFAULT;
ALTER TABLE users ALTER COLUMN role TYPE user_role USING role::text::user_role;
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'shopper';
ALTER TABLE users ADD CONSTRAINT ck_users_store_manager_has_store
    CHECK (role <> 'store_manager' OR store_id IS NOT NULL);
DROP TYPE user_role_old;
"""
"""What the downgrade of an added `support` does (the extension's rebuild, written out)."""


def check_rows_before_rebuild(sql: object) -> Verdict:
    """Exercise 12.3: the SQL a downgrade runs before the type is rebuilt without `support`, so
    that the rebuild goes through and nobody loses an account."""
    name = "Exercise 12.3"
    if not isinstance(sql, str) or not sql.strip():
        return not_yet(name, 'write the SQL as a string: answer = "UPDATE ...".')
    url = seeded_scratch("evolving_rebuild")
    with connect(url, autocommit=True) as conn:
        conn.execute("ALTER TYPE user_role ADD VALUE 'support'")
        conn.execute("UPDATE users SET role = 'support' WHERE email = 'ada@example.com'")
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        others = roles_of_others(conn, "ada@example.com")
    with connect(url) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
        try:
            conn.execute(REBUILD_WITHOUT_SUPPORT)
        except psycopg.errors.InvalidTextRepresentation:
            return not_yet(name, "the rebuild failed: a row still holds 'support'.")
        except psycopg.Error as error:
            return not_yet(name, f"the rebuild failed: {database_error(error)}")
        left = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        ada = conn.execute(
            "SELECT role::text FROM users WHERE email = 'ada@example.com'"
        ).fetchone()
        after = roles_of_others(conn, "ada@example.com")
    if left < users:
        return not_yet(name, f"{users - left} user(s) deleted: give them another role instead.")
    changed = changed_roles(others, after)
    if changed:  # the classic UPDATE without WHERE: everyone demoted, not only the support staff
        return not_yet(
            name,
            f"{len(changed)} other user(s) lost their role too ({', '.join(changed)}): "
            "add a WHERE so that only the rows holding 'support' change.",
        )
    return right(
        name, f"the type was rebuilt without 'support', and Ada kept her account ({ada[0]})."
    )
