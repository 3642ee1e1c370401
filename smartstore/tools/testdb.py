"""The test run's databases, each made in a blink from a migrated template.

Migrating an empty database to head takes about a second; copying a migrated one
(`CREATE DATABASE … TEMPLATE …`) takes a small part of that. So a test run makes sure, once, that
the server has a template database at the newest migration, `<database>_template_<fingerprint>`,
and makes each test process's own throwaway database as a copy of it:

- the fingerprint hashes what decides the schema: every file in `alembic/versions/` and
  `alembic/env.py`, names and contents, not only the head's id. Editing a migration in place gives a
  new fingerprint, so a new template, and the stale one is dropped: a stale template is never used;
- a template is finished only once it is marked a template (`IS_TEMPLATE`), its build's last step:
  a build cut short (Ctrl-C, a crash) leaves an unmarked database, which the next run rebuilds;
- nobody can connect to a finished template (`ALLOW_CONNECTIONS false`), so no test, notebook or
  person changes it by accident; runs that build at the same moment wait for each other (an
  advisory lock);
- a run holds its base's templates in use (`template_in_use()`: an advisory lock held shared from
  before it builds until it has made its last copy), and a template is dropped only under that lock
  taken exclusively with a try: a stale template, or `make reset`, never drops one that a run of
  other migrations (a branch checked out in another folder) is building or copying;
- on a server that outlives the run (yours, started with `smartstore db start`, or `DATABASE_URL`'s),
  the template stays between runs: that is what makes the next run fast. `make reset` removes it
  (`drop_templates()`); `make clean` deletes the embedded server's data, templates included.
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from alembic import command
from psycopg import Connection, sql
from sqlalchemy.engine import URL

from smartstore.db import connect, drop_database
from smartstore.migrations import alembic_config, locate
from smartstore.tools.scratch import MAX_NAME, databases_starting_with, drop_databases_named_after

TEMPLATE_ENV = "SMARTSTORE_TEST_TEMPLATE"
"""The environment variable through which a test run tells its workers which template to copy."""
TEMPLATE_INFIX = "_template_"
FINGERPRINT_LENGTH = 12
BUILD_LOCK = 0x5353_7465_6D70  # any fixed number: one template build at a time on a server


def fingerprint(alembic_dir: Path | None = None) -> str:
    """Hex digits that change whenever a migration or env.py changes (name or content)."""
    alembic_dir = alembic_dir or locate().script_location
    digest = hashlib.sha256()
    for path in sorted([alembic_dir / "env.py", *(alembic_dir / "versions").rglob("*.py")]):
        digest.update(path.relative_to(alembic_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def template_url(base: URL, alembic_dir: Path | None = None) -> URL:
    """`<base database>_template_<fingerprint>` on base's server; a long base name is cut, never
    the fingerprint (PostgreSQL cuts names at 63 bytes)."""
    suffix = f"{TEMPLATE_INFIX}{fingerprint(alembic_dir)}"
    return base.set(database=f"{base.database[: MAX_NAME - len(suffix)]}{suffix}")


@contextmanager
def template_in_use(base: URL, alembic_dir: Path | None = None) -> Iterator[URL]:
    """The finished template for the current migrations on base's server, built if it is missing,
    and held in use until the block ends: no one drops base's templates meanwhile. Base's templates
    for other fingerprints are dropped when no other run holds them. Connects to `postgres` only."""
    template = template_url(base, alembic_dir)
    with connect(base.set(database="postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock_shared(%s)", (in_use_lock(template.database),))
        conn.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
        try:
            found = conn.execute(
                "SELECT datistemplate FROM pg_database WHERE datname = %s", (template.database,)
            ).fetchone()
            if found != (True,):
                build_template(template, alembic_dir)
            with unused(conn, template.database) as alone:
                stale = databases_starting_with(base, template.database[:-FINGERPRINT_LENGTH])
                for name in stale if alone else []:
                    if name != template.database:
                        drop_template(template.set(database=name))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (BUILD_LOCK,))
        yield template  # the connection, and with it the shared lock, ends with the block


def ensure_template(base: URL, alembic_dir: Path | None = None) -> URL:
    """`template_in_use()` for a caller that copies nothing later (a template made ready)."""
    with template_in_use(base, alembic_dir) as template:
        return template


def in_use_lock(template_name: str) -> int:
    """The advisory lock's key for every template of one base (all fingerprints): a run holds it
    shared, a drop takes it exclusive. From the name without its fingerprint, as cut to fit."""
    digest = hashlib.sha256(template_name[:-FINGERPRINT_LENGTH].encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def unused(conn: Connection, template_name: str) -> Iterator[bool]:
    """Whether no other session holds this template's base in use, keeping it so in the block."""
    key = in_use_lock(template_name)
    alone = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone() == (True,)
    try:
        yield alone
    finally:
        if alone:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def build_template(template: URL, alembic_dir: Path | None = None) -> None:
    """Migrate a new database to head, then mark it a template that no one can connect to."""
    drop_template(template)
    with connect(template.set(database="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template.database)))
    config = alembic_config(template, script_location=alembic_dir, configure_logging=False)
    command.upgrade(config, "head")
    with connect(template.set(database="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                sql.Identifier(template.database)
            )
        )


def copy_of(template: URL, name: str) -> URL:
    """A new database `name`, a copy of the template (an older one of that name is dropped)."""
    url = template.set(database=name)
    drop_database(url)
    with connect(template.set(database="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template.database)
            )
        )
    return url


def drop_template(url: URL) -> None:
    """Drop a template (PostgreSQL refuses to drop a database still marked as one)."""
    with connect(url.set(database="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if exists.fetchone() is not None:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(
                    sql.Identifier(url.database)
                )
            )
    drop_database(url)


def base_name(template: URL) -> str:
    """The name of the database a template is named after (`smartstore` for
    `smartstore_template_…`)."""
    return template.database.rsplit(TEMPLATE_INFIX, 1)[0]


def is_template_name(name: str) -> bool:
    """Whether `name` is a template's: `<base>_template_<fingerprint>`."""
    return re.fullmatch(rf".+{TEMPLATE_INFIX}[0-9a-f]{{{FINGERPRINT_LENGTH}}}", name) is not None


def drop_templates(base: URL) -> list[str]:
    """Drop every template named after base's database (`<database>_template_…`, and those of a
    test run inside a test run, `<database>_test_<pid>_template_…`) that no run holds in use;
    the names of those dropped."""
    names = [n for n in databases_starting_with(base, f"{base.database}_") if is_template_name(n)]
    dropped = []
    with connect(base.set(database="postgres"), autocommit=True) as conn:
        for name in names:
            with unused(conn, name) as alone:
                if alone:
                    drop_template(base.set(database=name))
                    dropped.append(name)
    return dropped


def run_databases(base: URL) -> dict[str, bool]:
    """The databases of test runs named after base's (`<database>_test_<pid>`), each with whether
    its process is alive on this machine."""
    prefix = f"{base.database}_test_"
    return {
        name: psutil.pid_exists(int(name.removeprefix(prefix)))
        for name in databases_starting_with(base, prefix)
        if name.removeprefix(prefix).isdigit()
    }


def drop_killed_runs(base: URL) -> list[str]:
    """Drop the databases of test runs on this machine that were killed before their clean-up:
    `<database>_test_<pid>` whose process is gone, with everything named after it. Only for a
    server of this machine (the embedded one): elsewhere a pid says nothing."""
    dead = [name for name, alive in run_databases(base).items() if not alive]
    for name in dead:
        drop_templates(base.set(database=name))
        drop_databases_named_after(base.set(database=name))
    return dead


PRINT_ONLY = ("help", "version", "collectonly", "showfixtures", "show_fixtures_per_test", "markers")
"""pytest's options (their `dest`) that make a run only print something."""


def runs_no_test(config: object) -> bool:
    """pytest only prints something (--help, --version, --collect-only, --fixtures, --markers…):
    the conftest then starts no server and builds no template. `config` is a pytest.Config."""
    option = getattr(config, "option", None)
    return any(getattr(option, name, False) for name in PRINT_ONLY)
