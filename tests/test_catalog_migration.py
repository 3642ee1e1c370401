"""The embeddings migration's own promises, beyond the round trip every migration passes
(tests/test_migrations.py): a server without pgvector gets one message that says what to install,
and the downgrade drops the `vector` extension only when its upgrade created it."""

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.migrations import alembic_config

REVISION = "3d5085f9eb70"


def migration_module():
    config = alembic_config(configure_logging=False)
    return ScriptDirectory.from_config(config).get_revision(REVISION).module


def has_vector(url: URL) -> bool:
    with connect(url) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
            is not None
        )


def test_a_server_without_the_extension_gets_one_message_that_says_what_to_install(
    scratch_url: URL,
) -> None:
    """The upgrade's own check, run for an extension this server does not have (as pgvector is
    missing from a server without it): the real catalog query, the real error."""
    module = migration_module()
    check = module.REQUIRE_EXTENSION.format(
        name="vector_not_on_this_server", mark=module.CREATED_HERE
    )
    with connect(scratch_url) as conn, pytest.raises(psycopg.errors.FeatureNotSupported) as refused:
        conn.execute(check)
    message = refused.value.diag.message_primary
    assert "does not have the extension vector_not_on_this_server (pgvector)" in message
    assert "install pgvector on the server" in message
    assert "postgresql-16-pgvector" in message or "postgresql-18-pgvector" in message
    with connect(scratch_url) as conn:  # and it created nothing
        assert conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname LIKE 'vector%'"
        ).fetchone() == (0,)


def test_the_downgrade_drops_the_extension_its_upgrade_created(scratch_url: URL) -> None:
    if has_vector(scratch_url):
        pytest.skip("this server installs pgvector in every new database (template1)")
    config = alembic_config(scratch_url, configure_logging=False)
    command.upgrade(config, REVISION)
    assert has_vector(scratch_url)
    command.downgrade(config, "-1")
    assert not has_vector(scratch_url)


def test_the_downgrade_keeps_an_extension_that_was_there_before(scratch_url: URL) -> None:
    with connect(scratch_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    config = alembic_config(scratch_url, configure_logging=False)
    command.upgrade(config, REVISION)
    command.downgrade(config, "-1")
    assert has_vector(scratch_url)


def test_the_downgrade_keeps_the_extension_while_something_else_uses_it(scratch_url: URL) -> None:
    config = alembic_config(scratch_url, configure_logging=False)
    command.upgrade(config, REVISION)
    with connect(scratch_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (embedding vector(3))")
    command.downgrade(config, "-1")
    assert has_vector(scratch_url)
    with connect(scratch_url) as conn:
        assert conn.execute("SELECT to_regclass('product_embeddings')").fetchone() == (None,)
