"""The book's build for tests/test_book.py, as `make book` makes it (a warning fails it), started in
the background as soon as a run knows it will need it.

Sphinx takes about 7 s of one core to build the site. In one process (`pytest -n 0`) the machine's
other core is mostly idle while the tests before test_book run; tests/conftest.py starts the build
when collection has finished, if test_book is among the tests to run, and the `site` fixture takes
it from there (or builds the site itself, in a run that did not start it: a pytest-xdist worker, which
cannot know which files it will be given).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from smartstore.tools import testdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD = [sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-E", "-c", "book", "."]


class SiteBuild:
    """A build of the site into a temporary folder of its own, running in the background."""

    def __init__(self) -> None:
        self.out = Path(tempfile.mkdtemp(prefix="smartstore-book-"))
        self.process = subprocess.Popen(
            [*BUILD, str(self.out / "site")],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def site(self) -> Path:
        """The built site, once the build has finished; a failed build fails with Sphinx's output."""
        out, err = self.process.communicate(timeout=600)
        assert self.process.returncode == 0, out + err
        return self.out / "site"

    def remove(self) -> None:
        """Stop the build if it still runs (a run that ended before test_book), and delete it."""
        if self.process.returncode is None:
            self.process.kill()
            self.process.communicate()
        shutil.rmtree(self.out, ignore_errors=True)


SITE_BUILD = pytest.StashKey[SiteBuild]()


def start_ahead(session: pytest.Session) -> None:
    """Start the build now if test_book runs in this process (not in a pytest-xdist worker, which
    is given its files as the run goes)."""
    if hasattr(session.config, "workerinput") or testdb.runs_no_test(session.config):
        return  # a worker, or a listing (--collect-only, --help): no test_book test runs here
    if any(item.path.name == "test_book.py" for item in session.items):
        session.config.stash[SITE_BUILD] = SiteBuild()


def take(config: pytest.Config) -> SiteBuild | None:
    """The build started ahead, now the caller's to remove; None if none was (or it was taken)."""
    build = config.stash.get(SITE_BUILD, None)
    if build is not None:
        del config.stash[SITE_BUILD]
    return build
