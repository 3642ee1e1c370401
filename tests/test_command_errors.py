"""Every command fails in one line: a bad DATABASE_URL, a closed port, a bad argument, a server lost
in the middle of a seed. One line on stderr, a non-zero status, no traceback, never the password;
`--debug` (or SMARTSTORE_DEBUG=1) shows the traceback."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from smartstore import cli, demo, reset, seed
from smartstore.db import connect
from smartstore.embedded.pgserver import bin_dir
from smartstore.embedded.server import POSTGRES_MAJOR
from smartstore.errors import run_command
from smartstore.tools import bench, schema
from tests import german_server
from tests.interruptible import interruptible
from tests.matrix import postgres_cluster
from tests.one_process import OneProcess, environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SECRET = "hunter2-secret"
URL_FORM = "postgresql://user:password@host:5432/database"
COMMANDS = {
    "smartstore seed": ["-m", "smartstore", "seed"],
    "smartstore seed (large)": ["-m", "smartstore", "seed", "--stores", "2", "--products-per-store", "3"],
    "smartstore db psql": ["-m", "smartstore", "db", "psql"],
    "smartstore db run": ["-m", "smartstore", "db", "run", "--", "true"],
    "python -m smartstore.seed": ["-m", "smartstore.seed"],
    "python -m smartstore.demo": ["-m", "smartstore.demo"],
    "python -m smartstore.tools.bench": ["-m", "smartstore.tools.bench"],
    "python -m smartstore.tools.schema": ["-m", "smartstore.tools.schema"],
    "python -m smartstore.reset": ["-m", "smartstore.reset"],
    "python -m smartstore.migrations": ["-m", "smartstore.migrations", "upgrade", "head"],
    "alembic upgrade head": ["-m", "alembic", "upgrade", "head"],
}  # fmt: skip
PREFIX = {
    "python -m smartstore.reset": "smartstore.reset",
    "python -m smartstore.migrations": "alembic",
    "alembic upgrade head": "alembic",
}


IN_PROCESS: dict[str, tuple[Callable[[], int | None], str]] = {
    "smartstore seed": (lambda: cli.run(["seed"]), "smartstore"),
    "smartstore seed (large)": (
        lambda: cli.run(["seed", "--stores", "2", "--products-per-store", "3"]),
        "smartstore",
    ),
    "smartstore db psql": (lambda: cli.run(["db", "psql"]), "smartstore"),
    "smartstore db run": (lambda: cli.run(["db", "run", "--", "true"]), "smartstore"),
    "python -m smartstore.seed": (lambda: seed.main([]), "smartstore"),
    "python -m smartstore.demo": (lambda: demo.main([]), "smartstore"),
    "python -m smartstore.tools.bench": (lambda: bench.main([]), "smartstore"),
    "python -m smartstore.tools.schema": (lambda: schema.main([]), "smartstore"),
    "python -m smartstore.reset": (lambda: reset.main([]), "smartstore.reset"),
}
"""The commands whose main function is called here as their `__main__` block calls it (through
`run_command`), which proves the same as a new interpreter per case in a hundredth of the time.
Alembic's command lines (`alembic`, `python -m smartstore.migrations`) run in a process of their own,
one for all their cases (tests/one_process.py): alembic.ini would configure this process's logging."""


@pytest.fixture(scope="module")
def alembic_process() -> Iterator[OneProcess]:
    with OneProcess(sys.executable, PROJECT_ROOT) as driver:
        yield driver
        assert driver.leftover() == ""  # nothing written past a command's own stderr


def attempt(
    command: str, database_url: str, driver: OneProcess
) -> subprocess.CompletedProcess[str]:
    """`command` with DATABASE_URL set: its exit status, stdout and stderr."""
    if command not in IN_PROCESS:
        return driver.run(COMMANDS[command][1:], environment(DATABASE_URL=database_url))
    main, name = IN_PROCESS[command]
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.setenv("DATABASE_URL", database_url)
        with pytest.raises(SystemExit) as exit:  # anything else would be a traceback
            run_command(main, name)
    return subprocess.CompletedProcess(command, exit.value.code, out.getvalue(), err.getvalue())


def run(args: list[str], database_url: str | None = None, **extra_env: str):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.mark.parametrize(
    ("database_url", "message"),
    [
        (f"mysql://shop:{SECRET}@db/shop", f"must be a PostgreSQL URL like {URL_FORM}, not a mysql:// one"),
        (f"postgresql://shop:{SECRET}@db:port/shop", f"is not a URL; it should look like {URL_FORM}"),
        (f"not a url {SECRET}", f"is not a URL; it should look like {URL_FORM}"),
        (f"://{SECRET}@", f"is not a URL; it should look like {URL_FORM}"),
    ],
    ids=["mysql", "bad-port", "unparseable", "no-scheme"],
)  # fmt: skip
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_database_url_is_one_line(
    command: str, database_url: str, message: str, alembic_process: OneProcess
) -> None:
    done = attempt(command, database_url, alembic_process)
    prefix = PREFIX.get(command, "smartstore")
    assert (done.returncode, done.stderr) == (1, f"{prefix}: DATABASE_URL: {message}\n")
    assert SECRET not in done.stdout


@pytest.fixture(scope="module")
def password_server() -> Iterator[int]:
    """A server on 127.0.0.1 that checks passwords (the embedded one trusts its socket), with a
    login `shop` whose password is not the one the tests give; yields its port. Debian's PostgreSQL
    15 where it is installed (it also speaks German: tests/german_server.py), else a cluster of the
    embedded wheel's own binaries."""
    port = closed_port()
    if german_server.missing() is None:
        server = german_server.german_server(tcp_port=port)
    else:
        initdb = ("--auth-local=trust", "--auth-host=scram-sha-256")
        server = socket_url(postgres_cluster(bin_dir(POSTGRES_MAJOR), initdb, tcp_port=port), port)
    with server as url, connect(make_url(url)) as conn:
        conn.execute("CREATE ROLE shop LOGIN PASSWORD 'the-right-one'")
        conn.commit()
        yield port


@contextmanager
def socket_url(cluster: AbstractContextManager[tuple[Path, str]], port: int) -> Iterator[str]:
    """postgres_cluster's server as a URL of its `postgres` database, through its socket."""
    with cluster as (folder, _):
        yield f"postgresql+psycopg://postgres@/postgres?host={folder / 'run'}&port={port}"


def unreachable(kind: str, password_port: int) -> str:
    return {
        "closed port": f"postgresql://shop:{SECRET}@127.0.0.1:{closed_port()}/shop",
        "unknown host": f"postgresql://shop:{SECRET}@no-such-host.invalid/shop",
        "wrong password": f"postgresql://shop:{SECRET}@127.0.0.1:{password_port}/smartstore",
    }[kind]


@pytest.mark.parametrize("kind", ["closed port", "unknown host", "wrong password"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_does_not_answer_is_one_line(
    command: str, kind: str, password_server: int, alembic_process: OneProcess
) -> None:
    """Each command, `db run` before it runs anything included, says in one line (libpq's two-line
    "Is the server running…" folded into it) that it could not reach the database."""
    done = attempt(command, unreachable(kind, password_server), alembic_process)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert SECRET not in done.stdout + done.stderr
    if kind == "wrong password":
        assert 'password authentication failed for user "shop"' in done.stderr


def test_db_run_without_a_database_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    done = run(
        ["-m", "smartstore", "db", "run", "--", "touch", str(marker)],
        f"postgresql://shop@127.0.0.1:{closed_port()}/shop",
    )
    assert done.returncode == 1
    assert not marker.exists()


@pytest.mark.parametrize(
    ("program", "status", "reason"),
    [("missing", 127, "No such file or directory"), ("not executable", 126, "Permission denied")],
)
def test_db_run_names_a_program_it_cannot_run_in_one_line(
    migrated_url: URL, tmp_path: Path, program: str, status: int, reason: str
) -> None:
    """As a shell says it: 127 for a program that is not there, 126 for one that cannot run."""
    path = tmp_path / "program"
    if program == "not executable":
        path.write_text("echo hi\n")
    url = migrated_url.render_as_string(hide_password=False)
    done = run(["-m", "smartstore", "db", "run", "--", str(path)], url)
    assert (done.returncode, done.stderr) == (status, f"smartstore db run: {path}: {reason}\n")


@pytest.mark.parametrize("command", ["smartstore seed", "alembic upgrade head"])
def test_a_closed_port_is_one_line_without_the_password(command: str) -> None:
    port = closed_port()
    done = run(COMMANDS[command], f"postgresql://shop:{SECRET}@127.0.0.1:{port}/shop")
    prefix = PREFIX.get(command, "smartstore")
    assert done.returncode == 1
    assert done.stderr == (
        f"{prefix}: could not use the database: connection failed: connection to server at "
        f'"127.0.0.1", port {port} failed: Connection refused Is the server running on that host '
        "and accepting TCP/IP connections?\n"
    )
    assert SECRET not in done.stdout + done.stderr


def test_debug_shows_the_traceback() -> None:
    flag = run(["-m", "smartstore", "--debug", "seed"], f"mysql://shop:{SECRET}@db/shop")
    variable = run(["-m", "alembic", "upgrade", "head"], "mysql://db/shop", SMARTSTORE_DEBUG="1")
    for done in (flag, variable):
        assert done.returncode == 1
        assert done.stderr.startswith("Traceback (most recent call last):")
        assert done.stderr.endswith(
            f"InvalidInput: DATABASE_URL: must be a PostgreSQL URL like {URL_FORM}, not a mysql:// one\n"
        )
    assert SECRET not in flag.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--stores", "0"], "argument --stores: must be a whole number from 1, not '0'"),
        (["--stores", "-1"], "argument --stores: must be a whole number from 1, not '-1'"),
        (["--stores", "two"], "argument --stores: must be a whole number from 1, not 'two'"),
        (
            ["--stores", "2", "--products-per-store", "-5"],
            "argument --products-per-store: must be a whole number from 0, not '-5'",
        ),
    ],
)
def test_seed_arguments_out_of_range_are_refused_in_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`smartstore seed …`, called as its `__main__` block calls it (through run_command)."""
    with pytest.raises(SystemExit) as exited:
        run_command(lambda: cli.run(["seed", *arguments]), "smartstore")
    out, err = capsys.readouterr()
    assert (exited.value.code, err) == (
        2,
        f"smartstore seed: {message} (see smartstore seed --help)\n",
    )
    assert out == ""


def wait_for_lock_waiter(url: URL, statement: str) -> int:
    """The pid of the backend whose `statement` waits for a lock (the test holds it)."""
    deadline = time.monotonic() + 60
    with connect(url, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                (f"{statement}%",),
            ).fetchone()
            if row is not None:
                return row[0]
            time.sleep(0.05)
    raise AssertionError(f"no {statement} ever waited for the lock")


LOST = (
    "smartstore: the database went away in the middle of the seed (could not use the database: "
    "terminating connection due to administrator command). Nothing of this seed was kept (it is "
    "one transaction), so running it again is safe.\n"
)


@pytest.mark.parametrize(
    ("arguments", "locked", "statement", "again"),
    [
        ([], "users", "INSERT INTO users", "Seeded 2 stores, 5 products, 3 users.\n"),
        (
            ["--stores", "2", "--products-per-store", "3"],
            "products",
            "COPY products",
            "Seeded 2 stores and 6 products in ",
        ),
    ],
    ids=["sample", "large"],
)
def test_a_server_lost_mid_seed_says_nothing_was_kept_and_a_rerun_is_safe(
    migrated_scratch: URL, arguments: list[str], locked: str, statement: str, again: str
) -> None:
    """The test holds a lock the seed needs half-way, then ends the seed's connection from the
    server's side, exactly as a server that stops or crashes does."""
    database_url = migrated_scratch.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "smartstore", "seed", *arguments]
    env = {**os.environ, "DATABASE_URL": database_url}
    with connect(migrated_scratch) as blocker:
        blocker.execute(f"LOCK TABLE {locked} IN ACCESS EXCLUSIVE MODE")
        seeding = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        pid = wait_for_lock_waiter(migrated_scratch, statement)
        blocker.execute("SELECT pg_terminate_backend(%s)", (pid,))
        _, stderr = seeding.communicate(timeout=60)
        blocker.rollback()
    assert seeding.returncode == 1
    if arguments:  # the large seed's progress bar is on stderr too, above the message
        stderr = stderr.rsplit("\n", 2)[-2] + "\n"
    assert stderr == LOST
    with connect(migrated_scratch) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM products)"
        )
        assert counts.fetchone() == (0, 0)  # nothing of the lost seed was kept
    rerun = run(["-m", "smartstore", "seed", *arguments], database_url)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(again)


def test_ctrl_c_in_a_seed_is_one_line_exit_130_and_keeps_nothing(migrated_scratch: URL) -> None:
    """SIGINT (what Ctrl-C sends) while the seed's COPY is under way: `smartstore: interrupted` as
    the last line on stderr (the progress bar is above it), no traceback, status 130, and nothing of
    the seed kept. The test holds a lock the COPY needs, so the signal surely lands mid-seed."""
    database_url = migrated_scratch.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "smartstore", "seed", "--stores", "50"]
    command += ["--products-per-store", "20000"]
    env = {**os.environ, "DATABASE_URL": database_url}
    with connect(migrated_scratch) as blocker:
        blocker.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
        with interruptible():
            seeding = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        wait_for_lock_waiter(migrated_scratch, "COPY products")
        seeding.send_signal(signal.SIGINT)
        _, stderr = seeding.communicate(timeout=60)
        blocker.rollback()
    assert seeding.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "smartstore: interrupted"
    with connect(migrated_scratch) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM products)"
        )
        assert counts.fetchone() == (0, 0)


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`smartstore db status | head -1`: the pipe is closed before the command writes, and it ends
    without a traceback (status 141, as a program that SIGPIPE ends)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line
    try:
        done = subprocess.run(
            [sys.executable, "-m", "smartstore", "db", "status"],
            cwd=PROJECT_ROOT,
            env={
                **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                "SMARTSTORE_HOME": str(tmp_path),  # no server there: status says "stopped"
            },
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")  # not 3 (stopped): it could not say so
