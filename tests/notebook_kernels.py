"""A pytest plugin: each notebook's kernel launched while the notebook before it runs. conftest.py
loads it with nbval; `-p tests.notebook_kernels` does, from the checkout.

nbval starts a notebook's kernel when pytest sets the notebook up, and waits for it: the kernel
process imports IPython, zmq and tornado before it answers (about half a second here, more on a
slower machine), 28 times in a run of every notebook and its solutions. In one process
(`pytest -n 0`) that wait leaves the machine's other core idle. Here, as soon as a notebook is set up,
the kernel of the notebook that runs next is launched, and boots while this one's cells run; when
its turn comes, only jupyter_client's own hand-shake is left (0.2 s). While it boots, it also
imports the libraries every notebook's first cell imports (IMPORTED_AHEAD).

Nothing else changes. Each kernel is still a fresh process that no other notebook has used, of
nbval's own kernel spec (`--nbval-current-env`: this venv's Python), launched as nbval launches one
(the notebook's folder as its working folder, its stderr discarded), in the environment every kernel
of the run gets (conftest.py sets DATABASE_URL and SMARTSTORE_HOME before anything runs). nbval then
connects, waits for it to answer and stops it after the last cell, as it does for its own.

Only for notebooks that run one right after the other in this process. A pytest-xdist worker is given
its files as the run goes, so it cannot know its next notebook: there nbval starts each kernel itself.
"""

import os
from collections.abc import Sequence
from itertools import pairwise

import pytest
from jupyter_client.manager import KernelManager
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager, RunningKernel
from nbval.plugin import IPyNbCell, IPyNbFile

IMPORTED_AHEAD = ("sqlalchemy", "alembic", "psycopg")
"""What every notebook's first cell imports, imported while the kernel boots (a third of a second of
each first cell). They are in the kernel's sys.modules, as after any import; no name of them is left
in the notebook's namespace, so a notebook that forgets an import still fails."""
IMPORT_AHEAD = f"import {', '.join(IMPORTED_AHEAD)}; del {', '.join(IMPORTED_AHEAD)}"


def launch(notebook: IPyNbFile) -> KernelManager:
    """The kernel process, started and not waited for (nbval's start_new_kernel, first half)."""
    manager = KernelManager(
        kernel_name=CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=NbvalKernelspecManager()
    )
    with open(os.devnull, "w") as devnull:  # the child keeps its own copy of the descriptor
        manager.start_kernel(
            stderr=devnull,
            cwd=str(notebook.fspath.dirname),
            extra_arguments=[f"--IPKernelApp.exec_lines={IMPORT_AHEAD}"],  # a list of one line
        )
    return manager


class LaunchedKernel(RunningKernel):
    """nbval's RunningKernel for a process launched earlier: connect, and wait until it answers
    (nbval's start_new_kernel, second half, and RunningKernel's own check of its output channel)."""

    def __init__(self, manager: KernelManager, startup_timeout: float) -> None:
        self.km = manager
        self.kc = manager.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            self.kc.stop_channels()
            manager.shutdown_kernel(now=True)
            raise
        self._ensure_iopub_up()


class KernelsAhead:
    """Set-up for rows of notebooks that run in order: each gets the kernel launched for it while
    the notebook before it ran (or launches its own, the first of a row), and launches the next
    one's."""

    def __init__(self, rows: Sequence[Sequence[IPyNbFile]]) -> None:
        self.following = {a: b for row in rows for a, b in pairwise(row)}
        self.launched: dict[IPyNbFile, KernelManager] = {}

    def setup(self, notebook: IPyNbFile) -> None:
        """In place of IPyNbFile.setup, which starts a kernel and waits for it, then reads the
        sanitize file."""
        manager = self.launched.pop(notebook, None) or launch(notebook)
        timeout = notebook.config.option.nbval_kernel_startup_timeout
        notebook.kernel = LaunchedKernel(manager, timeout)
        if (after := self.following.get(notebook)) is not None:
            self.launched[after] = launch(after)
        notebook.setup_sanitize_files()

    def close(self) -> None:
        """Stop the kernels launched for notebooks that did not run (a run stopped early, -x)."""
        while self.launched:
            _, manager = self.launched.popitem()
            manager.shutdown_kernel(now=True)


def in_a_row(items: Sequence[pytest.Item]) -> list[list[IPyNbFile]]:
    """The notebooks of these items, grouped where one's cells follow the other's with no other test
    between (a test between could change what a kernel launched before it would inherit)."""
    rows: list[list[IPyNbFile]] = []
    previous = None
    for item in items:
        notebook = item.parent if isinstance(item, IPyNbCell) else None
        if notebook is not None and notebook is not previous:
            if isinstance(previous, IPyNbFile):
                rows[-1].append(notebook)
            else:
                rows.append([notebook])
        previous = notebook
    return rows


def launch_ahead(config: pytest.Config, items: Sequence[pytest.Item]) -> KernelsAhead | None:
    """Each notebook of these items set up by KernelsAhead; None where that cannot help (a
    pytest-xdist worker) or would change what nbval does (its coverage hooks, a kernel the notebook
    names)."""
    if hasattr(config, "workerinput") or getattr(config.option, "cov_source", None):
        return None
    if not getattr(config.option, "nbval_current_env", False):
        return None
    rows = in_a_row(items)
    if not rows:
        return None
    ahead = KernelsAhead(rows)
    for notebook in (notebook for row in rows for notebook in row):
        notebook.setup = lambda notebook=notebook: ahead.setup(notebook)
    return ahead


AHEAD = pytest.StashKey[KernelsAhead]()


def pytest_collection_finish(session: pytest.Session) -> None:
    if (ahead := launch_ahead(session.config, session.items)) is not None:
        session.config.stash[AHEAD] = ahead


def pytest_sessionfinish(session: pytest.Session) -> None:
    if (ahead := session.config.stash.get(AHEAD, None)) is not None:
        ahead.close()
