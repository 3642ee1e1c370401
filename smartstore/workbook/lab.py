"""Small helpers for the workbook's experiments, so they never touch your real database or migrations.

Everything destructive in the notebooks (autogenerate experiments, the bug reproductions) happens in
a scratch database `smartstore_lab_<name>` on the same server, made afresh by `fresh_database()`, and in a
scratch Alembic folder made by `scratch_alembic()`. Commands run through `sh()` exactly as you would
type them in a terminal, with DATABASE_URL pointing at the scratch database.
"""

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL

from smartstore.embedded import client_command, home
from smartstore.errors import SmartstoreError
from smartstore.migrations import locate
from smartstore.tools import scratch
from smartstore.workbook.command_output import tidy

LAB_FOLDER = "lab"


def fresh_database(name: str) -> URL:
    """An empty database `<your database>_lab_<name>` (`smartstore_lab_seed`) on the workbook's
    server; an older one of that name is dropped. Named after your database, so that the test run's
    throwaway database takes its lab databases with it when it is cleaned up (smartstore.tools.scratch)."""
    return scratch.fresh_database(f"lab_{name}")


FIRST_MIGRATION_TABLES = ("stores", "products", "users")
"""The tables of the first migration, which notebooks 4 and 8 autogenerate again from the models;
the models hold more since (`product_embeddings`, which also needs the `vector` extension: notebook
14), and a from-scratch autogenerate would write those too."""


def scratch_alembic(name: str, tables: Sequence[str] | None = None) -> Path:
    """A scratch Alembic project: an alembic.ini that uses the real env.py but an empty versions folder.
    With `tables`, autogenerate there compares only those models' tables (`smartstore_tables` in the
    ini, read by alembic/env.py).

    Returns the ini file's path, for `alembic -c <path> …`.
    """
    migrations = locate()
    if migrations.ini is None:
        # an installed package carries the migrations but not the workbook's alembic.ini
        raise SmartstoreError(
            "The workbook's scratch Alembic folders need a checkout of the project (they copy its "
            "alembic.ini): clone the repository and run the notebooks there."
        )
    folder = home() / LAB_FOLDER / name
    versions = folder / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    for old in versions.glob("*.py"):
        old.unlink()
    ini = folder / "alembic.ini"
    text = migrations.ini.read_text()
    text = text.replace(
        "script_location = %(here)s/alembic",
        f"script_location = {migrations.script_location}\nversion_locations = {versions}"
        + (f"\nsmartstore_tables = {' '.join(tables)}" if tables else ""),
    )
    ini.write_text(text)
    return ini


def database_and_command(first: URL | str, second: URL | str) -> tuple[URL, str]:
    """`sh` and `psql` take (database, command); the order `sh` used to take, (command, database),
    is still accepted, so the notebooks written with it keep working. Told apart by type."""
    if isinstance(first, str) and isinstance(second, URL):
        return second, first
    if isinstance(first, URL) and isinstance(second, str):
        return first, second
    raise TypeError("give a database URL and a command (a string), in that order")


def sh(database: URL | str, command: URL | str, *, plain_autogenerate: bool = False) -> None:
    """Run a shell command (`alembic …`, `python -m smartstore.seed`) on a lab database; print its output
    as a learner should read it (`smartstore.workbook.command_output.tidy`: the log lines that teach, paths
    relative to the project, a failure as its exception and statement, not a wall of frames).

    `sh(database, command)`, as `psql(database, command)`; `sh(command, database)` works too.
    `plain_autogenerate=True` switches alembic-postgresql-enum off in env.py, to show what plain
    Alembic writes.
    """
    database, command = database_and_command(database, command)
    env = dict(os.environ)
    env["DATABASE_URL"] = database.render_as_string(hide_password=False)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # Python writes each line as it comes, as on a terminal: piped, its stdout would be held until
    # exit and land below the error it printed before (the stored outputs must read in order on
    # every machine, not only where PYTHONUNBUFFERED happens to be set)
    env["PYTHONUNBUFFERED"] = "1"
    if plain_autogenerate:
        env["SMARTSTORE_PLAIN_AUTOGENERATE"] = "1"
    print(f"$ {tidy(command)}")
    done = subprocess.run(
        command, shell=True, cwd=locate().checkout, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    print(tidy(done.stdout), end="")
    if done.returncode != 0:
        print(f"(exit status {done.returncode})")


def psql(database: URL | str, command: URL | str, expanded: bool = False) -> None:
    """`psql -c "<command>"` on the given database (the wheel's psql that fits its server).
    `psql(command, database)`, `sh`'s old order, works too.

    `expanded=True` is psql's `-x`: one line per column. A row whose width depends on who runs it
    (`\\dT+` shows the owner, the login) then keeps the same layout for every login.
    """
    database, command = database_and_command(database, command)
    options = ["-x"] if expanded else []
    psql_command, env = client_command("psql", database, *options, "-c", command)
    done = subprocess.run(psql_command, env=env, capture_output=True, text=True)
    print(done.stdout + done.stderr, end="")


def autogenerate_sees(
    modules: list[str], database: URL, extra_path: Path | None = None
) -> list[str]:
    """What autogenerate would add to `database`, in a fresh interpreter that imports only `modules`
    (from `extra_path` too, if given), just as env.py imports only `smartstore.models`.

    A fresh interpreter, because in this kernel the modules may be imported already.
    """
    script = f"""
import importlib, sys
sys.path.insert(0, {str(extra_path or locate().checkout or ".")!r})
from alembic.autogenerate import produce_migrations
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from smartstore.models.base import Base
for name in {modules!r}:
    importlib.import_module(name)
engine = create_engine({database.render_as_string(hide_password=False)!r})
with engine.connect() as conn:
    ops = produce_migrations(MigrationContext.configure(conn), Base.metadata).upgrade_ops
for op in ops.ops:
    print(type(op).__name__, getattr(op, "table_name", ""))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def mermaid_er(metadata: MetaData) -> str:
    """An entity-relationship diagram of the tables, in Mermaid (JupyterLab 4 renders it).

    The parent's end says whether a row must have a parent: `||` (exactly one) for a NOT NULL
    foreign key, `|o` (zero or one) for a nullable one, such as `users.store_id`.
    """
    lines = ["erDiagram"]
    for table in metadata.sorted_tables:
        # a set: sorted, so that a table with two foreign keys draws the same diagram every run
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            parent = "|o" if fk.parent.nullable else "||"
            lines.append(
                f"    {fk.column.table.name} {parent}--o{{ {table.name} : {fk.parent.name}"
            )
    for table in metadata.sorted_tables:
        lines.append(f"    {table.name} {{")
        for column in table.columns:
            kind = column.type.compile(dialect=postgresql.dialect()).split("(")[0]
            kind = kind.replace(" ", "_").lower()
            key = " PK" if column.primary_key else " FK" if column.foreign_keys else ""
            lines.append(f"        {kind} {column.name}{key}")
        lines.append("    }")
    return "\n".join(lines)
