"""The migration safety net: the checks that catch a bad migration before a person has to.

pytest-alembic's built-in checks run as plain test functions imported below. Its own collector is
switched off in pyproject.toml, because pytest-alembic 0.13.1 fails to collect under pytest 9.2
('TestCollector' object has no attribute '_nodeid'); importing the checks keeps pytest current
instead of pinning it below 9.2. pytest-alembic does no clean-up between its tests, so each one
gets a fresh database.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from pytest_alembic import Config as PytestAlembicConfig
from pytest_alembic import MigrationContext, runner
from pytest_alembic.plugin.error import AlembicTestFailure
from pytest_alembic.tests import (  # noqa: F401  (collected by pytest as our own tests)
    experimental,
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from pytest_alembic.tests.experimental import test_downgrade_leaves_no_trace  # noqa: F401
from sqlalchemy import Engine, create_engine, pool
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError

from smartstore.migrations import alembic_config as alembic_config_of
from smartstore.tools.schema import REFRESH_COMMAND, dump_schema, snapshot_path
from smartstore.workbook.plain_migration import write_plain_autogenerate_migration
from tests.conftest import ProjectConfig
from tests.migration_checks import (
    assert_each_step_down_restores_the_schema,
    assert_round_trip_leaves_nothing,
)


@pytest.fixture
def alembic_config(project_config: ProjectConfig) -> Config:
    """pytest-alembic's hook: the project's real Alembic configuration."""
    return project_config()


@pytest.fixture
def alembic_engine(scratch_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """pytest-alembic's hook: a fresh, empty database for each of its checks.

    pytest-alembic hands the URL to a subprocess through Alembic's ini parser, which chokes on the
    `%2F` of a socket folder in `?host=`. libpq's PGHOST carries the socket folder instead.
    """
    if "host" in scratch_url.query:
        monkeypatch.setenv("PGHOST", scratch_url.query["host"])
        scratch_url = scratch_url.difference_update_query(["host"])
    engine = create_engine(scratch_url, poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def test_all_models_register_on_metadata(alembic_runner: MigrationContext) -> None:
    """A model that `smartstore/models/__init__.py` forgets to import is invisible to autogenerate."""
    experimental.test_all_models_register_on_metadata(
        alembic_runner, model_package="smartstore.models"
    )


@pytest.fixture
def broken_history(tmp_path: Path) -> Path:
    """A history of one migration: the first, as plain autogenerate writes it (its downgrade
    forgets `user_role`), made from the committed one (smartstore.workbook.plain_migration)."""
    write_plain_autogenerate_migration(tmp_path / "versions")
    return tmp_path / "versions"


def broken_config(url: URL, history: Path) -> Config:
    config = alembic_config_of(url, configure_logging=False)
    config.set_main_option("version_locations", str(history))
    return config


def test_round_trip_leaves_nothing_behind(scratch_url: URL, project_config: ProjectConfig) -> None:
    assert_round_trip_leaves_nothing(project_config(scratch_url), scratch_url)


def test_each_step_down_restores_the_schema(
    scratch_url: URL, project_config: ProjectConfig
) -> None:
    config = project_config(scratch_url)
    assert_each_step_down_restores_the_schema(config, scratch_url)


def test_the_net_catches_the_enum_that_outlives_its_downgrade(
    scratch_url: URL, broken_history: Path
) -> None:
    config = broken_config(scratch_url, broken_history)
    with pytest.raises(AssertionError, match=r"left behind: \[\('enum', 'public.user_role'\)\]"):
        assert_round_trip_leaves_nothing(config, scratch_url)
    # and what a person would have met next, had the net not been there:
    with pytest.raises(
        ProgrammingError, match=r'DuplicateObject\) type "user_role" already exists'
    ):
        command.upgrade(config, "head")


def test_the_net_catches_it_step_by_step_too(scratch_url: URL, broken_history: Path) -> None:
    config = broken_config(scratch_url, broken_history)
    with pytest.raises(AssertionError, match="left objects behind"):
        assert_each_step_down_restores_the_schema(config, scratch_url)


def test_pytest_alembic_catches_it_as_well(scratch_url: URL, broken_history: Path) -> None:
    engine = create_engine(scratch_url, poolclass=pool.NullPool)
    with (
        runner(
            PytestAlembicConfig.from_raw_config(broken_config(scratch_url, broken_history)), engine
        ) as alembic_runner,
        pytest.raises(AlembicTestFailure, match="DuplicateObject"),
    ):
        test_up_down_consistency(alembic_runner)
    engine.dispose()


def test_alembic_check_finds_no_drift(scratch_url: URL) -> None:
    """`alembic check`, exactly as a person runs it: models and migrations must agree."""
    env = {**os.environ, "DATABASE_URL": scratch_url.render_as_string(hide_password=False)}
    alembic = [sys.executable, "-m", "alembic"]
    subprocess.run([*alembic, "upgrade", "head"], env=env, check=True, capture_output=True)
    done = subprocess.run([*alembic, "check"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No new upgrade operations detected." in done.stdout + done.stderr


def test_schema_snapshot_is_current(scratch_url: URL, project_config: ProjectConfig) -> None:
    command.upgrade(project_config(scratch_url), "head")
    assert dump_schema(scratch_url) == snapshot_path().read_text(), (
        f"{snapshot_path().name} is stale: the migrations changed the schema. Refresh it with "
        f"`{REFRESH_COMMAND}` and review the diff."
    )


def test_every_migration_renders_as_sql_for_review(
    capsys: pytest.CaptureFixture[str], project_config: ProjectConfig
) -> None:
    """`alembic upgrade head --sql` and `downgrade head:base --sql`: the DDL a reviewer reads."""
    config = project_config()
    command.upgrade(config, "head", sql=True)
    up = capsys.readouterr().out
    assert "CREATE TYPE user_role AS ENUM ('shopper', 'store_manager', 'admin')" in up
    assert "REFERENCES stores (id) ON DELETE CASCADE" in up
    command.downgrade(config, "head:base", sql=True)
    down = capsys.readouterr().out
    assert "DROP TABLE products" in down
    assert "DROP TYPE user_role" in down
