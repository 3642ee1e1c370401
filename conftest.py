"""One real PostgreSQL for the whole test run, never the learner's, whatever pytest collects.

- Without DATABASE_URL: a throwaway embedded server in a temporary folder (SMARTSTORE_HOME), stopped
  and deleted at the end.
- With DATABASE_URL: a throwaway database `<name>_test_<pid>` on that server; at the end it is
  dropped, with the lab, bench and scratch databases named after it.

Both are set in the environment before anything runs, so subprocesses and the notebooks' kernels use
the same throwaway database through the package's own settings. It lives at the root, not in tests/,
so that `pytest notebooks/` alone gets it too.
"""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from smartstore import embedded
from smartstore.scratch import drop_databases_named_after, fresh_database
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
        url = fresh_database(f"test_{os.getpid()}", settings.database_url)
        os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
        _cleanup.append(lambda: drop_databases_named_after(url))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _cleanup:
        _cleanup.pop()()
