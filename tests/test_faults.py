"""Faults: a server killed mid-seed, a stale postmaster.pid, a race to start, a server that does not
answer. Nothing may be lost, nothing may hang, no password may be shown. (A wrong password, for every
command: tests/test_command_errors.py.)"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from smartstore.embedded import server as embedded
from tests.server_processes import (
    env_for,
    postgres_processes,
    smartstore,
    start_together,
    wait_until_stopped,
)

SEED_AND_WAIT = """
import sys, time
from pathlib import Path
from smartstore.db import make_engine, session_scope
from smartstore.embedded import start_embedded_database
from smartstore.migrations import upgrade
from smartstore.seed import seed
url = start_embedded_database()
upgrade(url)
with session_scope(make_engine(url)) as session:
    seed(session)
    session.flush()  # the rows are written, the transaction is not committed yet
    print("seeding", flush=True)
    while True:
        time.sleep(1)
"""


def rows(home: Path) -> str:
    sql = "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM products), (SELECT count(*) FROM users)"
    done = smartstore(home, "db", "psql", "-tA", "-c", sql)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.data_folder_exists  # tests/conftest.py: `home` has a copy of one
def test_server_killed_mid_seed_recovers_with_nothing_partial(home: Path) -> None:
    seeding = subprocess.Popen(
        [sys.executable, "-c", SEED_AND_WAIT], env=env_for(home), stdout=subprocess.PIPE, text=True
    )
    assert seeding.stdout.readline().strip() == "seeding"
    for process in postgres_processes(home):  # the whole server, at once, no clean-up
        process.send_signal(signal.SIGKILL)
    psutil.wait_procs(postgres_processes(home), timeout=10)
    seeding.kill()
    seeding.wait(timeout=30)
    assert (embedded.pgdata_of(home) / "postmaster.pid").exists()  # stale, from the killed server

    assert rows(home) == "0|0|0"  # it started despite the stale pid file; the seed left nothing
    seeded = subprocess.run(
        [
            sys.executable,
            "-m",
            "smartstore",
            "db",
            "run",
            "--",
            sys.executable,
            "-m",
            "smartstore.seed",
        ],
        env=env_for(home),
        capture_output=True,
        text=True,
    )
    assert seeded.stdout == "Seeded 2 stores, 5 products, 3 users.\n", seeded.stderr
    assert rows(home) == "2|5|3"
    assert wait_until_stopped(home)


def test_two_processes_starting_at_the_same_moment_share_one_server(
    home: Path, tmp_path: Path
) -> None:
    racers = start_together(home, tmp_path / "release", tmp_path / "go", count=2)
    pids = [int(racer.stdout.readline()) for racer in racers]
    assert pids[0] == pids[1]
    assert len([p for p in postgres_processes(home) if p.pid == pids[0]]) == 1
    (tmp_path / "release").touch()
    for racer in racers:
        racer.wait(timeout=30)
    assert wait_until_stopped(home)


def run_with_url(url: str, *command: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "DATABASE_URL": url}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, *command], env=env, capture_output=True, text=True, timeout=60
    )
    return done, time.monotonic() - started


def test_a_server_that_does_not_answer_fails_within_seconds() -> None:
    with socket.socket() as silent:  # accepts connections into its backlog, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        url = f"postgresql+psycopg://shop:hunter2-secret@127.0.0.1:{port}/shop"
        done, seconds = run_with_url(url, "-m", "smartstore.seed")
    assert done.returncode == 1
    assert seconds < 15
    assert "could not use the database" in done.stderr and "timeout" in done.stderr
    assert "Traceback" not in done.stderr
    assert "hunter2-secret" not in done.stdout + done.stderr
