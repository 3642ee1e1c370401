"""Who may run the Row-Level Security migration: any login that can create databases and roles.

The migration lets the migrating user act as `smartstore_app` where it may grant that to itself; a
user that may not gets a refusal naming the exact GRANT, and that GRANT is all it then needs.
These tests make a login role of their own, so the run's user needs CREATEROLE (or superuser), as
the README says it does.
"""

import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError

from smartstore.db import connect, make_engine, server_major
from smartstore.migrations import alembic_config, upgrade
from smartstore.tenancy import APP_ROLE, use_app_role

PASSWORD = "not-a-secret"
RLS_MIGRATION = ScriptDirectory.from_config(alembic_config()).get_revision("4d3c1617c846")


def grant_for(login: URL) -> str:
    """What an administrator must run: the SET option exists, and is needed, from PostgreSQL 16."""
    major = server_major(login)
    return f"GRANT {APP_ROLE} TO {login.username}" + (" WITH SET TRUE" if major >= 16 else "")


@pytest.fixture
def outsider(migrated_url: URL) -> Iterator[URL]:
    """A login with CREATEDB only, that has never been granted smartstore_app, and its own database,
    where an administrator has installed pgvector (which the run's user cannot drop on PostgreSQL
    16+, so the outsider drops it itself)."""
    name = f"{migrated_url.database}_outsider"
    url = migrated_url.set(username=name, password=PASSWORD, database=name)
    with connect(migrated_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(PASSWORD)
            )
        )
    with connect(url.set(database="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with connect(migrated_url.set(database=name), autocommit=True) as conn:
        # pgvector needs a superuser to install: an administrator does it (the embeddings migration)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    yield url
    with connect(url.set(database="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    with connect(migrated_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_the_migrating_user_can_act_as_the_app_role(migrated_url: URL) -> None:
    engine = make_engine(migrated_url)
    with engine.begin() as conn:
        use_app_role(conn)
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
    engine.dispose()


def test_a_user_that_may_not_grant_itself_the_role_is_told_the_exact_grant(
    migrated_url: URL, outsider: URL
) -> None:
    grant = grant_for(outsider)
    with pytest.raises(ProgrammingError) as refused:
        upgrade(outsider)
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
    assert refused.value.orig.diag.message_primary == (
        f"the user {outsider.username} cannot act as the role {APP_ROLE} (SET ROLE), which the "
        f"application works as; have an administrator (or the role's creator) run: {grant};"
    )
    with connect(outsider) as conn:  # nothing half-done: each migration is one transaction
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert version == RLS_MIGRATION.down_revision
        assert conn.execute("SELECT count(*) FROM pg_policy").fetchone()[0] == 0

    with connect(migrated_url, autocommit=True) as conn:
        conn.execute(grant)  # exactly what the message says
    upgrade(outsider)
    test_the_migrating_user_can_act_as_the_app_role(outsider)


def test_the_demo_says_it_in_one_line(outsider: URL) -> None:
    env = {**os.environ, "DATABASE_URL": outsider.render_as_string(hide_password=False)}
    demo = subprocess.run(
        [sys.executable, "-m", "smartstore.demo"], env=env, capture_output=True, text=True
    )
    assert demo.returncode == 1
    assert demo.stderr.splitlines() == [
        f"smartstore: permission denied: the user {outsider.username} cannot act as the role "
        f"{APP_ROLE} (SET ROLE), which the application works as; have an administrator (or the "
        f"role's creator) run: {grant_for(outsider)};"
    ]
