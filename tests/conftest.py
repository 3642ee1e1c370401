"""The tests' fixtures: the run's throwaway database (set up by ../conftest.py as a copy of a
template migrated with the real migrations); each test gets a session inside a transaction that is
rolled back afterwards (pypi/warehouse's way), and scratch databases for tests that migrate or break
things.
"""

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from smartstore.db import configured_url, drop_database, make_engine
from smartstore.embedded import server as embedded
from smartstore.migrations import alembic_config
from smartstore.tools import testdb
from smartstore.tools.scratch import fresh_database
from smartstore.workbook.exercises.bug_back import plain_autogenerate_first
from tests import server_processes, site_build


def pytest_collection_finish(session: pytest.Session) -> None:
    site_build.start_ahead(session)  # the book's build, while the tests before test_book run


def pytest_sessionfinish(session: pytest.Session) -> None:
    # a build nobody took: the run ended before test_book (-x, Ctrl-C, a failed set-up)
    if (build := site_build.take(session.config)) is not None:
        build.remove()


@pytest.fixture(scope="session")
def migrated_url() -> URL:
    """The run's database, at the newest migration: ../conftest.py made it as a copy of the template
    migrated to head, and set DATABASE_URL to it."""
    return configured_url()


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
    url = fresh_database(f"scratch_{request.node.name}", migrated_url)
    yield url
    drop_database(url)


@pytest.fixture
def migrated_scratch(migrated_url: URL, request: pytest.FixtureRequest) -> Iterator[URL]:
    """A database of its own at the newest migration, for tests that write outside the rolled-back
    session (`migrated_database`)."""
    with migrated_database(f"migrated_{request.node.name}", migrated_url) as url:
        yield url


@contextmanager
def migrated_database(name: str, migrated_url: URL) -> Iterator[URL]:
    """A database named after the run's, at the newest migration: a copy of the run's migrated
    template (`smartstore.tools.testdb`), which takes a fraction of running every migration again.
    Dropped afterwards."""
    template = make_url(os.environ[testdb.TEMPLATE_ENV])
    name = fresh_database(name, migrated_url).database
    url = testdb.copy_of(template, name).set(
        username=migrated_url.username, password=migrated_url.password
    )
    try:
        yield url
    finally:
        drop_database(url)


DATA_FOLDER_EXISTS = "data_folder_exists"
"""The marker of a test of the server's life once its data folder exists (starts, stops, sharing):
its `home` gets a copy of one a server was started on once (initdb, the smartstore database made and
migrated), about a second less each than making it. Making it is tried on fresh homes: the run's
own throwaway server, test_embedded's socket test and a notebook's first cell, the installed
wheel's demo, test_shared_machine."""


@pytest.fixture
def home(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A home folder of the test's own for an embedded server; stopped whatever the test left.
    Empty, or (marked `data_folder_exists`) with a copy of a data folder a server was started on:
    `cp -a` keeps the files' owner (run as root, the server's own OS user)."""
    home = tmp_path / "home"
    if request.node.get_closest_marker(DATA_FOLDER_EXISTS):
        made = embedded.pgdata_of(request.getfixturevalue("data_folder_made_once"))
        home.mkdir()
        subprocess.run(["cp", "-a", str(made), str(embedded.pgdata_of(home))], check=True)
        (embedded.pgdata_of(home) / "log").unlink()  # the first server's log, not this one's
    yield home
    embedded.stop(home)


@pytest.fixture(scope="session")
def data_folder_made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose server was started once and stopped cleanly: a data folder that can be copied."""
    home = tmp_path_factory.mktemp("made-once") / "home"
    for action in ("start", "stop"):
        done = server_processes.smartstore(home, "db", action)
        assert done.returncode == 0, done.stderr
    assert server_processes.wait_until_stopped(home)
    return home


def count(session: Session, sql: str, **params: object) -> int:
    return session.execute(text(sql), params).scalar_one()


ProjectConfig = Callable[..., Config]


@pytest.fixture
def project_config(request: pytest.FixtureRequest) -> ProjectConfig:
    """The project's Alembic configuration (`smartstore.migrations.alembic_config`, a URL optional),
    quiet; with the enum bug brought back (`-p tests.bug_back --bring-back=enum`), the history whose
    first migration is plain autogenerate's. The tests that migrate take it from here, so the plugin
    hands them the broken history without patching anything."""
    from tests.bug_back import BROKEN_HISTORY

    folder = request.config.stash.get(BROKEN_HISTORY, None)

    def make(url: URL | None = None, **kwargs: object) -> Config:
        config = alembic_config(url, configure_logging=False, **kwargs)  # type: ignore[arg-type]
        if folder is not None:
            plain_autogenerate_first(config, folder)
        return config

    return make
