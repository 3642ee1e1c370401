"""The test run's databases (smartstore.tools.testdb and ../conftest.py): a copy of the template equals a
freshly migrated database; a migration edited in place gets a new template and the stale one goes;
an unfinished template is rebuilt; nobody connects to a template; killed runs' databases are
dropped; pytest runs from notebooks/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from smartstore.db import connect, drop_database, ensure_database
from smartstore.errors import SmartstoreError
from smartstore.migrations import alembic_config, locate, upgrade
from smartstore.tools import testdb
from smartstore.tools.schema import dump_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent

EDIT = "    op.execute(\"COMMENT ON TABLE stores IS 'edited in place'\")\n"


def databases(url: URL) -> dict[str, tuple[bool, bool]]:
    """Each database named after url's: (is a template, accepts connections)."""
    with connect(url.set(database="postgres")) as conn:
        rows = conn.execute(
            "SELECT datname, datistemplate, datallowconn FROM pg_database WHERE datname LIKE %s",
            (url.database.replace("_", r"\_") + r"\_%",),
        )
        return {name: (template, allowed) for name, template, allowed in rows}


@pytest.fixture
def base(migrated_url: URL, request: pytest.FixtureRequest) -> URL:
    """A name of the test's own to build templates after; its templates are dropped afterwards."""
    url = migrated_url.set(database=f"{migrated_url.database}_tpl")
    request.addfinalizer(lambda: testdb.drop_templates(url))
    return url


@pytest.fixture
def alembic_copy(tmp_path: Path) -> Path:
    """A copy of the migrations that a test may edit."""
    copy = tmp_path / "alembic"
    shutil.copytree(locate().script_location, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit_the_head_in_place(alembic_dir: Path) -> None:
    """Change the newest migration's content, not its revision id."""
    head = ScriptDirectory.from_config(
        alembic_config(script_location=alembic_dir)
    ).get_current_head()
    migration = next((alembic_dir / "versions").glob(f"*{head}*.py"))
    text = migration.read_text()
    migration.write_text(
        text.replace("def upgrade() -> None:\n", f"def upgrade() -> None:\n{EDIT}")
    )
    assert (
        ScriptDirectory.from_config(alembic_config(script_location=alembic_dir)).get_current_head()
        == head
    )  # the same head id: only the content tells the templates apart


def test_a_copy_of_the_template_equals_a_freshly_migrated_database(scratch_url: URL) -> None:
    template = make_url(os.environ[testdb.TEMPLATE_ENV])  # the one this run's database came from
    copy = testdb.copy_of(template, f"{scratch_url.database[:50]}_copy")
    try:
        upgrade(scratch_url)
        assert dump_schema(copy) == dump_schema(scratch_url)
    finally:
        drop_database(copy)


def test_a_migration_edited_in_place_gets_a_new_template_and_the_stale_one_is_dropped(
    base: URL, alembic_copy: Path
) -> None:
    first = testdb.ensure_template(base, alembic_copy)
    assert databases(base) == {first.database: (True, False)}
    edit_the_head_in_place(alembic_copy)
    second = testdb.ensure_template(base, alembic_copy)
    assert second != first
    assert databases(base) == {second.database: (True, False)}
    copy = testdb.copy_of(second, f"{base.database}_copy")
    try:
        assert "COMMENT ON TABLE public.stores IS 'edited in place';" in dump_schema(copy)
    finally:
        drop_database(copy)


def test_a_run_of_other_migrations_leaves_the_template_a_run_holds_in_use(
    base: URL, alembic_copy: Path
) -> None:
    """Two runs at once with different migrations (two branches checked out): neither drops the
    other's template while that run may still copy it; the next run after it drops it."""
    with testdb.template_in_use(base) as first:
        edit_the_head_in_place(alembic_copy)
        second = testdb.ensure_template(base, alembic_copy)
        assert second != first
        assert databases(base) == {first.database: (True, False), second.database: (True, False)}
        assert testdb.drop_templates(base) == []  # make reset leaves the one in use too
        copy = testdb.copy_of(first, f"{base.database}_copy")  # the run can still copy it
        drop_database(copy)
    assert testdb.ensure_template(base, alembic_copy) == second
    assert databases(base) == {second.database: (True, False)}


def test_an_unfinished_template_is_rebuilt_and_a_finished_one_reused(base: URL) -> None:
    template = testdb.template_url(base)
    ensure_database(template)  # what a build killed before its last step leaves: not marked
    assert testdb.ensure_template(base) == template
    assert databases(base) == {template.database: (True, False)}
    copy = testdb.copy_of(template, f"{base.database}_copy")
    try:
        assert "CREATE TABLE public.products" in dump_schema(copy)
        with connect(base.set(database="postgres")) as conn:
            oid = conn.execute(
                "SELECT oid FROM pg_database WHERE datname = %s", (template.database,)
            )
            before = oid.fetchone()
        testdb.ensure_template(base)
        with connect(base.set(database="postgres")) as conn:
            oid = conn.execute(
                "SELECT oid FROM pg_database WHERE datname = %s", (template.database,)
            )
            assert oid.fetchone() == before  # reused, not rebuilt
    finally:
        drop_database(copy)


def test_nobody_can_connect_to_a_template(base: URL) -> None:
    template = testdb.ensure_template(base)
    with pytest.raises(SmartstoreError, match="not currently accepting connections"):
        connect(template)


def test_what_killed_runs_left_is_dropped_and_nothing_else(migrated_url: URL) -> None:
    base = migrated_url.set(database=f"{migrated_url.database}_k")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead, alive = f"{base.database}_test_{gone.pid}", f"{base.database}_test_{os.getpid()}"
    names = [dead, f"{dead}_lab_seed", alive, f"{alive}_lab_seed"]
    for name in names:
        ensure_database(base.set(database=name))
    try:
        assert testdb.drop_killed_runs(base) == [dead]
        assert sorted(databases(base)) == [alive, f"{alive}_lab_seed"]
    finally:
        for name in names:
            drop_database(base.set(database=name))


def test_pytest_runs_from_the_notebooks_folder() -> None:
    """JupyterLab's terminal opens in notebooks/; the sanitize file must be found from there."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "01_start_here.ipynb", "-q", "-p", "no:cacheprovider"],
        cwd=PROJECT_ROOT / "notebooks",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout.splitlines()[-1]


SESSION_FIXTURE_TEST = """
import os

import pytest
from sqlalchemy.engine import make_url

from smartstore.db import connect


@pytest.fixture(scope="session")
def uses_the_database_to_the_end():
    yield
    with connect(make_url(os.environ["DATABASE_URL"])) as conn:
        conn.execute("SELECT 1")
    print("torn down with the database")


def test_interrupted(uses_the_database_to_the_end):
    raise KeyboardInterrupt  # Ctrl-C: the session fixtures are torn down at session end
"""


def test_the_runs_database_outlives_the_session_fixtures(tmp_path: Path) -> None:
    """The run's database is dropped after the session fixtures are torn down, not before (a run
    cut short tears them down at session end, not after its last test)."""
    (tmp_path / "test_late.py").write_text(SESSION_FIXTURE_TEST)
    # -p conftest: the root conftest, importable from PROJECT_ROOT; -c: the project's options
    # (nbval not loaded), though the test file lies outside the project
    command = [sys.executable, "-m", "pytest", str(tmp_path / "test_late.py"), "-p", "conftest"]
    done = subprocess.run(
        [*command, "-qs", "-c", "pyproject.toml"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == pytest.ExitCode.INTERRUPTED, done.stdout[-3000:] + done.stderr
    assert "torn down with the database" in done.stdout, done.stdout[-3000:] + done.stderr


def test_the_options_that_only_print_are_pytests_own(pytestconfig: pytest.Config) -> None:
    """--help, --version, --fixtures and the like take the same early exit as --collect-only
    (`runs_no_test`; tests/test_pytest_startup.py lists tests and notebooks with no database to
    reach);
    each name it checks must be an option pytest really has (a misspelt one would start a server
    for a help text), and this run, which runs tests, is not one of them."""
    for option in testdb.PRINT_ONLY:
        assert pytestconfig.getoption(option) in (False, 0), option
    assert not testdb.runs_no_test(pytestconfig)
