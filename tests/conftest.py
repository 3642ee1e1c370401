"""One real PostgreSQL for the whole run, migrated with the real migrations, never the learner's.

- Without DATABASE_URL: a throwaway embedded server in a temporary folder (SMARTSTORE_HOME), stopped
  and deleted at the end.
- With DATABASE_URL: a throwaway database `<name>_test_<pid>` on that server, dropped at the end.

Both are set in the environment before any test runs, so subprocesses and notebook kernels that
the tests start use the same throwaway database through the package's own settings.
Each test gets a session inside a transaction that is rolled back afterwards (pypi/warehouse's way).
"""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore import embedded
from smartstore.db import database_url, drop_database, ensure_database, make_engine
from smartstore.migrations import upgrade
from smartstore.settings import get_settings

_cleanup: list[Callable[[], None]] = []


def pytest_configure(config: pytest.Config) -> None:
    settings = get_settings()
    if settings.uses_embedded_server:
        home = Path(tempfile.mkdtemp(prefix="smartstore-test-"))
        os.environ["SMARTSTORE_HOME"] = str(home)
        _cleanup.append(lambda: (embedded.stop(home), shutil.rmtree(home, ignore_errors=True)))
    else:
        assert settings.database_url is not None
        url = settings.database_url.set(
            database=f"{settings.database_url.database}_test_{os.getpid()}"
        )
        ensure_database(url)
        os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
        _cleanup.append(lambda: drop_database(url))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _cleanup:
        _cleanup.pop()()


@pytest.fixture(scope="session")
def migrated_url() -> URL:
    """The run's database, at the newest migration."""
    url = database_url()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(migrated_url: URL) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction that is always rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def scratch_url(migrated_url: URL, request: pytest.FixtureRequest) -> Iterator[URL]:
    """An empty database of its own on the run's server, for tests that migrate or break things."""
    name = f"scratch_{request.node.name}".lower()[:60].replace("[", "_").replace("]", "")
    url = migrated_url.set(database=name)
    drop_database(url)
    ensure_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A home folder of the test's own for an embedded server; stopped whatever the test left."""
    home = tmp_path / "home"
    yield home
    embedded.stop(home)


def count(session: Session, sql: str, **params: object) -> int:
    return session.execute(text(sql), params).scalar_one()
