"""Helpers for tests that run the embedded server in real processes, in a home folder of their own."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from smartstore.embedded import server as embedded

HOLD = """
import os, sys, time
from pathlib import Path
from smartstore.embedded import start_embedded_database
from smartstore.embedded import server as embedded
if len(sys.argv) > 3:  # start together with others: say we are ready, wait for the signal
    Path(f"{sys.argv[3]}.ready.{os.getpid()}").touch()
    while not Path(sys.argv[3]).exists():
        time.sleep(0.001)
start_embedded_database()
print(embedded.status(Path(sys.argv[1])).pid, flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.05)
"""


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "SMARTSTORE_HOME": str(home)}


def start_holder(home: Path, release: Path, go: Path | None = None) -> subprocess.Popen:
    """A process that starts (or joins) the server, after `go` exists if given, and holds it until
    `release` exists. Its first line of output is the server's pid."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home), str(release), *([str(go)] if go else [])],
        env=env_for(home),
        stdout=subprocess.PIPE,
        text=True,
    )


def start_together(home: Path, release: Path, go: Path, count: int) -> list[subprocess.Popen]:
    """`count` holders released at the same instant: `go` is created once every one of them has
    said it is ready (imports done, waiting), a barrier across processes."""
    racers = [start_holder(home, release, go) for _ in range(count)]
    deadline = time.monotonic() + 60
    while len(list(go.parent.glob(f"{go.name}.ready.*"))) < count:
        assert time.monotonic() < deadline, "the racers never got ready"
        time.sleep(0.01)
    go.touch()
    return racers


def holder(home: Path, release: Path) -> tuple[subprocess.Popen, int]:
    """A process that starts (or joins) the server and holds it until `release` exists."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home), str(release)],
        env=env_for(home),
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, int(process.stdout.readline())


def smartstore(home: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "smartstore", *args]
    return subprocess.run(command, env=env_for(home), capture_output=True, text=True, timeout=60)


def postgres_processes(home: Path) -> list[psutil.Process]:
    pgdata = str(embedded.pgdata_of(home.resolve()))
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and pgdata in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def wait_until_stopped(home: Path, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not embedded.status(home).running and not postgres_processes(home):
            return True
        time.sleep(0.1)
    return False
