"""Explicit wiring: nothing starts a server unless its name says so, and the refusal translation
lives on the engines the package makes, not on SQLAlchemy's Engine class."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, pool
from sqlalchemy.exc import IntegrityError

from smartstore import cli
from smartstore.db import configured_url
from smartstore.errors import SmartstoreError
from smartstore.models import Store
from smartstore.seed import main as seed_main
from smartstore.settings import get_settings
from smartstore.tools.scratch import scratch_url
from smartstore.validation import InvalidInput
from tests.server_processes import env_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_without_database_url_the_core_starts_nothing_and_names_both_ways_out(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SMARTSTORE_HOME", str(home))
    for use_the_core in (configured_url, lambda: scratch_url("lab_x"), lambda: seed_main([])):
        with pytest.raises(SmartstoreError) as refused:
            use_the_core()
        assert "set DATABASE_URL" in str(refused.value)
        assert "pip install 'smartstore[embedded]'" in str(refused.value)
        assert "smartstore db start" in str(refused.value)
    assert not home.exists()  # no data folder: no server was started, or even prepared


def test_configured_url_is_the_database_url_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://shop:secret@db.example:5433/shop")
    url = configured_url(get_settings())
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+psycopg",
        "db.example",
        5433,
        "shop",
    )


def test_offline_sql_starts_no_server(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head", "--sql"],
        cwd=PROJECT_ROOT,
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "CREATE TABLE stores" in done.stdout
    assert not home.exists()  # no data folder, so no server was started (or even prepared)


def duplicate_slug(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(insert(Store), [{"name": "Twice", "slug": "twice"}] * 2)


def test_refusals_are_explained_on_the_package_engines_only(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="slug: is already taken"):
        duplicate_slug(engine)
    foreign = create_engine(engine.url, poolclass=pool.NullPool)  # a third party's engine
    try:
        with pytest.raises(IntegrityError, match="uq_stores_slug"):
            duplicate_slug(foreign)
    finally:
        foreign.dispose()


def test_debug_is_passed_as_an_argument_not_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMARTSTORE_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["smartstore", "seed", "--stores", "1"])
    with pytest.raises(SystemExit):  # without --debug: one line and exit status 1
        cli.main()
    assert "needs both --stores and --products-per-store" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["smartstore", "--debug", "seed", "--stores", "1"])
    with pytest.raises(SmartstoreError, match="needs both"):  # --debug: the error itself
        cli.main()
    assert "SMARTSTORE_DEBUG" not in os.environ
