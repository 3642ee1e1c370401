"""One real PostgreSQL for the whole test run, and on it a throwaway database for each test process,
never the learner's database, whatever pytest collects.

The server:
- `DATABASE_URL` set: that server.
- Otherwise the embedded server, if it is running (`smartstore db start`, `make lab`): the run
  reuses it instead of booting one of its own, and holds it until the run ends; it first drops what
  earlier runs killed before their clean-up left there. `SMARTSTORE_TEST_SERVER=throwaway` skips
  this.
- Otherwise a throwaway embedded server in a temporary folder, stopped and deleted at the end.

The databases: each test process (pytest itself, or each pytest-xdist worker) gets
`<configured name>_test_<pid>`, a copy of the template migrated to head (`smartstore.tools.testdb`: built
once per change of the migrations, and on a server that outlives the run, kept for the next one).
At the end it is dropped, with every database named after it: the lab, bench and scratch databases
its tests and notebooks made.

Each process sets `DATABASE_URL` (its database) and `SMARTSTORE_HOME` (a temporary folder of its
own, for the lab's scratch Alembic folders and the notebooks' progress) before anything runs, so
its subprocesses and notebook kernels use them through the package's own settings, and two workers
never share either. It lives at the root, not in tests/, so that `pytest notebooks/` alone gets it
too, from any folder.

nbval (the notebooks' runner) is loaded here, only for a run that may collect a notebook, with
tests/notebook_kernels.py (each notebook's kernel launched while the one before it runs): importing
nbval takes half a second (nbformat, jsonschema, jupyter_client; and 1.8 s more where jsonschema
imports rfc3987-syntax, which smartstore.tools.nbformat_import prevents), which a learner running
`pytest tests/test_models.py` should not wait for. pyproject.toml switches its automatic loading off
(`-p no:nbval`).
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from smartstore.embedded import home as embedded_home
from smartstore.embedded import is_configured as embedded_is_configured
from smartstore.embedded import server as embedded
from smartstore.embedded import start_embedded_database
from smartstore.settings import DATABASE_NAME, Settings, get_settings
from smartstore.tools import testdb
from smartstore.tools.nbformat_import import without_iri_checks
from smartstore.tools.scratch import drop_databases_named_after, scratch_url
from smartstore.workbook import progress

SANITIZE_FILE = Path(__file__).parent / "notebooks" / "sanitize.cfg"
SERVER_CHOICE = "SMARTSTORE_TEST_SERVER"
NBVAL_PLUGIN = "nbval.plugin"
KERNELS_AHEAD_PLUGIN = "tests.notebook_kernels"
"""Each notebook's kernel launched while the one before it runs, not when its turn comes."""

_at_session_end: list[Callable[[], None]] = []
"""Drop the process's databases and folder. At session end, not at exit: pytest-xdist gives a worker
10 seconds after it reports its session finished, then kills it (the drops happen before: xdist
reports after every plain pytest_sessionfinish, ours the last of them, after the session fixtures'
tear-down, which may still use the database)."""
_at_exit: list[Callable[[], None]] = []
"""Stop a throwaway server: at exit, after every worker has ended."""


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Load nbval when this run may collect a notebook, before pytest parses its options."""
    config = pluginmanager.get_plugin("pytestconfig")
    if may_collect_notebooks(
        config.known_args_namespace.file_or_dir, config.invocation_params.args
    ):
        without_iri_checks()  # nbval imports nbformat: 1.8 s less (smartstore.tools.nbformat_import)
        pluginmanager.import_plugin(NBVAL_PLUGIN)
        pluginmanager.import_plugin(KERNELS_AHEAD_PLUGIN)


def may_collect_notebooks(paths: list[str], args: tuple[str, ...]) -> bool:
    """No path given (the testpaths: tests and notebooks), a folder, a notebook (or one of its
    cells), or an --nbval option asked for. Test files alone, the learner's loop, do not."""
    if not paths or any(str(arg).startswith("--nbval") for arg in args):
        return True
    return any(".ipynb" in path or Path(path).is_dir() for path in map(str, paths))


def nbval_loaded(config: pytest.Config) -> bool:
    return config.pluginmanager.has_plugin(NBVAL_PLUGIN)


@pytest.hookimpl(tryfirst=True)  # before pytest's own tmp_path set-up reads --basetemp
def pytest_configure(config: pytest.Config) -> None:
    use_a_basetemp_of_our_own(config)
    # the tests' checkers judge test answers, not a learner's: nothing they say is progress, and a
    # right answer here must not turn a notebook's last cell (its progress lines) to "done" when
    # nbval runs that notebook in this process's folder next (its kernel records, as a learner's)
    progress.stop_recording()
    if nbval_loaded(config):
        # strict (compare every output), unless --nbval-lax was asked for; the notebooks' kernel
        # is this venv's Python whatever kernel a notebook names
        config.option.nbval = not config.option.nbval_lax
        config.option.nbval_current_env = True
        # nbval opens its sanitize file relative to the working folder; naming it here, by its full
        # path, lets pytest run from any folder (JupyterLab's terminal opens in notebooks/)
        if config.option.nbval_sanitize_with is None:
            config.option.nbval_sanitize_with = str(SANITIZE_FILE)
    if testdb.runs_no_test(config):
        return  # no server started, no template built for a listing or a help text
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller chose the template
        template = make_url(os.environ[testdb.TEMPLATE_ENV])
    else:
        template = in_use_until_exit(testdb.template_in_use(run_server()))
        os.environ[testdb.TEMPLATE_ENV] = template.render_as_string(hide_password=False)
        if config.getoption("dist", "no") != "no" and config.getoption("tx", None):
            return  # the controller of a parallel run runs no tests: each worker has its database
    use_a_database_of_our_own(template)


def in_use_until_exit(held: contextlib.AbstractContextManager[URL]) -> URL:
    """The template, held in use (testdb's lock) until the run ends, after its workers have made
    their copies: `make reset` or a run of other migrations leaves it alone meanwhile."""
    template = held.__enter__()
    _at_exit.append(lambda: held.__exit__(None, None, None))
    return template


def use_a_basetemp_of_our_own(config: pytest.Config) -> None:
    """tmp_path folders in a fresh temporary folder of this run's, not in /tmp/pytest-of-<user>.

    Run as root, the embedded server runs as the OS user `pgserver` and opens the folders above its
    data for others to traverse; tests start servers inside tmp_path. But every pytest process that
    starts on the machine (a test that runs pytest, a notebook that does, another worker's, another
    person's) makes /tmp/pytest-of-<user> private again, and a server below it then fails. With
    `--basetemp` pytest leaves that folder alone; xdist's workers get folders inside ours.
    """
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        basetemp = Path(tempfile.mkdtemp(prefix="smartstore-pytest-"))
        config.option.basetemp = basetemp
        _at_exit.append(lambda: shutil.rmtree(basetemp, ignore_errors=True))


def run_server() -> URL:
    """A URL on the run's server (of a database that is only named after, never touched)."""
    settings = get_settings()
    if settings.database_url is not None:
        if embedded_is_configured(settings):
            # the embedded server, named by `smartstore db run` (make lab) or a notebook's first cell
            testdb.drop_killed_runs(settings.database_url)
        return settings.database_url
    if (
        os.environ.get(SERVER_CHOICE) != "throwaway"
        and embedded.status(embedded_home(settings)).running
    ):
        base = embedded.url(embedded.acquire(embedded_home(settings)), DATABASE_NAME)
        testdb.drop_killed_runs(base)  # what runs killed before their clean-up left
        return base
    home = Path(tempfile.mkdtemp(prefix="smartstore-test-server-"))
    _at_exit.append(lambda: (embedded.stop(home), shutil.rmtree(home, ignore_errors=True)))
    return start_embedded_database(Settings(database_url=None, home=home))


def use_a_database_of_our_own(template: URL) -> None:
    base = template.set(database=testdb.base_name(template))
    url = testdb.copy_of(template, scratch_url(f"test_{os.getpid()}", base).database)
    home = Path(tempfile.mkdtemp(prefix="smartstore-test-"))
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    os.environ["SMARTSTORE_HOME"] = str(home)
    _at_session_end.append(lambda: shutil.rmtree(home, ignore_errors=True))
    _at_session_end.append(lambda: (testdb.drop_templates(url), drop_databases_named_after(url)))


@pytest.hookimpl(trylast=True)  # after pytest's own tears down the session fixtures
def pytest_sessionfinish(session: pytest.Session) -> None:
    while _at_session_end:
        _at_session_end.pop()()


def pytest_unconfigure(config: pytest.Config) -> None:
    for cleanup in (_at_session_end, _at_exit):  # the first is empty unless the session never ran
        while cleanup:
            cleanup.pop()()
