"""The embedded server's life: it starts, is shared by processes, stops, and explains its errors.

Each test uses a home folder of its own under tmp_path and runs the package in real subprocesses,
as a learner's notebook kernel, `alembic` and `pytest` would.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smartstore.embedded import server as embedded
from smartstore.errors import SmartstoreError
from tests.server_processes import env_for, holder, smartstore, wait_until_stopped


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_server_starts_is_shared_and_stops_with_its_last_user(home: Path, tmp_path: Path) -> None:
    first, first_pid = holder(home, tmp_path / "release-first")
    second, second_pid = holder(home, tmp_path / "release-second")
    assert first_pid == second_pid  # one server, shared
    assert sorted(embedded.status(home).holders) == sorted([first.pid, second.pid])

    (tmp_path / "release-first").touch()
    first.wait(timeout=30)
    assert embedded.status(home).pid == first_pid  # still up: the second process holds it

    (tmp_path / "release-second").touch()
    second.wait(timeout=30)
    assert wait_until_stopped(home)


def test_postgres_16_on_a_unix_socket_in_a_private_data_folder(home: Path, tmp_path: Path) -> None:
    process, _ = holder(home, tmp_path / "release")
    try:
        version = smartstore(home, "db", "psql", "-tAc", "SHOW server_version_num")
        assert version.stdout.strip().startswith("16")
        listen = smartstore(home, "db", "psql", "-tAc", "SHOW listen_addresses")
        assert listen.stdout.strip() == ""  # no TCP port at all
        assert (embedded.pgdata_of(home).stat().st_mode & 0o077) == 0  # no access for others
    finally:
        (tmp_path / "release").touch()
        process.wait(timeout=30)
    assert wait_until_stopped(home)


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_db_start_keeps_it_running_until_db_stop(home: Path) -> None:
    started = smartstore(home, "db", "start")
    assert started.returncode == 0, started.stderr
    status = embedded.status(home)
    assert status.running and status.kept_running

    used = smartstore(home, "db", "psql", "-tAc", "SELECT 41 + 1")  # another process uses it...
    assert used.stdout.strip() == "42"
    assert embedded.status(home).running  # ...and the server outlives it

    stopped = smartstore(home, "db", "stop")
    assert stopped.returncode == 0
    assert "Stopped" in stopped.stdout
    assert wait_until_stopped(home)
    assert smartstore(home, "db", "status").returncode == 3


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_a_killed_user_does_not_keep_the_server_up_forever(home: Path, tmp_path: Path) -> None:
    killed, server_pid = holder(home, tmp_path / "never")
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert embedded.status(home).pid == server_pid  # postgres survives its client's death

    later, _ = holder(home, tmp_path / "release")
    (tmp_path / "release").touch()
    later.wait(timeout=30)
    assert wait_until_stopped(home)  # the dead process's handle was forgotten


def test_a_data_folder_of_another_major_version_gets_a_clear_error(home: Path) -> None:
    embedded.pgdata_of(home).mkdir(parents=True)
    (embedded.pgdata_of(home) / "PG_VERSION").write_text("18\n")
    with pytest.raises(SmartstoreError, match="made by PostgreSQL 18"):
        embedded.acquire(home)
    shown = smartstore(home, "db", "start")
    assert shown.returncode == 1
    assert "Traceback" not in shown.stderr
    assert "rm -rf" in shown.stderr and "SMARTSTORE_HOME" in shown.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the /root rule applies to root only")
def test_root_is_told_not_to_keep_data_under_root() -> None:
    with pytest.raises(SmartstoreError, match="outside /root"):
        embedded.check_home(Path("/root/smartstore-home"))


def test_db_commands_refuse_politely_when_database_url_is_set(home: Path) -> None:
    env = {**env_for(home), "DATABASE_URL": "postgresql://someone:secret@127.0.0.1:1/shop"}
    done = subprocess.run(
        [sys.executable, "-m", "smartstore", "db", "start"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "DATABASE_URL is set" in done.stderr
    assert "secret" not in done.stderr


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_db_run_stops_the_server_after_a_sigterm(home: Path, tmp_path: Path) -> None:
    """`make lab` runs Jupyter under `smartstore db run`: stopping it must not leave a server."""
    started = tmp_path / "started"
    waiter = f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(60)"
    running = subprocess.Popen(
        [sys.executable, "-m", "smartstore", "db", "run", "--", sys.executable, "-c", waiter],
        env=env_for(home),
    )
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert embedded.status(home).running
    running.send_signal(signal.SIGTERM)
    running.wait(timeout=30)
    assert wait_until_stopped(home)


RESTART_IN_ONE_PROCESS = """
from smartstore.embedded import server as embedded
from smartstore.db import connect, drop_database
from smartstore.embedded import start_embedded_database
from smartstore.embedded import home as embedded_home

home = embedded_home()
start_embedded_database()
assert embedded.stop(home)
url = start_embedded_database()  # started again, in the same process
print(embedded.status(home).running, embedded.status(home).url("smartstore") == url)
with connect(url) as conn:
    print(conn.execute("SELECT current_database()").fetchone()[0])
drop_database(url)  # what `make reset ALL=1` does; then a start in the same process
with connect(start_embedded_database()) as conn:
    print(conn.execute("SELECT current_database()").fetchone()[0])
"""


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_a_stopped_server_starts_again_in_the_same_process(home: Path) -> None:
    """After `embedded.stop()`, the next start in that process must not get the stopped server's
    cached handle back, nor trust that its database still exists."""
    done = subprocess.run(
        [sys.executable, "-c", RESTART_IN_ONE_PROCESS],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "smartstore", "smartstore"]
    assert wait_until_stopped(home)  # and it stops when that process exits


FIRST_CELL = """
import os, subprocess, sys
from smartstore.embedded import use_embedded_database
use_embedded_database()
child = "import os; from smartstore.db import configured_url; print(configured_url().database)"
print(subprocess.run([sys.executable, "-c", child], capture_output=True, text=True).stdout.strip())
"""


def test_a_notebooks_first_cell_starts_the_server_says_so_and_hands_its_url_on(home: Path) -> None:
    started = subprocess.run(
        [sys.executable, "-c", FIRST_CELL], env=env_for(home), capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    # the line, then what a command the notebook runs finds in DATABASE_URL
    assert (
        started.stdout == "database: the embedded PostgreSQL 16 server (smartstore)\nsmartstore\n"
    )
    assert started.stderr == ""  # a learner's first run: initdb, the database made and migrated
    assert wait_until_stopped(home)  # held by the kernel only: gone when it exits


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_db_run_hands_the_command_the_servers_url_as_database_url(home: Path) -> None:
    reach = "from smartstore.db import configured_url as u, server_version as v; print(u().database, v(u()))"
    shown = smartstore(home, "db", "run", "--", sys.executable, "-c", reach)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("smartstore 16.")  # the core, through DATABASE_URL alone
    assert wait_until_stopped(home)


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_the_db_actions_still_manage_the_server_that_db_run_named(home: Path) -> None:
    """Under `smartstore db run` (so in `make lab`'s terminals) DATABASE_URL is the embedded server's
    own URL: `db status` and `db url` still answer about it; another DATABASE_URL is refused."""
    inner = f"{sys.executable} -m smartstore db status && {sys.executable} -m smartstore db url"
    shown = smartstore(home, "db", "run", "--", "sh", "-c", inner)
    assert shown.returncode == 0, shown.stderr
    assert "embedded server: running" in shown.stdout
    assert shown.stdout.rstrip().endswith("/smartstore?host=" + str(home / "pgdata"))
    assert wait_until_stopped(home)
