"""A PostgreSQL that answers in German, for the tests that prove refusals do not depend on the
server's language.

The embedded build has no message translations; Debian's PostgreSQL 15 (`postgresql-15`) has them.
The machine needs no German locale installed: `localedef` builds `de_DE.UTF-8` into the server's own
temporary folder and the server finds it through `LOCPATH`. The database then speaks German with
`ALTER DATABASE … SET lc_messages`. Everything lives in one temporary folder, deleted afterwards.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.matrix import as_user, server_os_user

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
LOCALE = "de_DE.UTF-8"


def missing() -> str | None:
    """Why no German-speaking server can be started here, or None when one can."""
    if not (DEBIAN_BIN / "postgres").is_file():
        return f"no Debian PostgreSQL 15 (with translations) at {DEBIAN_BIN}: apt-get install postgresql-15"
    if shutil.which("localedef") is None:
        return "no localedef to build the de_DE.UTF-8 locale (apt-get install locales)"
    if os.geteuid() != 0:
        return "starting PostgreSQL 15 as its own OS user needs root (runuser)"
    return None


@contextmanager
def german_server(tcp_port: int | None = None) -> Iterator[str]:
    """A running PostgreSQL 15 whose `smartstore` database answers in German; yields its URL (the
    socket's, as the superuser). With `tcp_port` it also listens on 127.0.0.1 and checks passwords
    there (scram-sha-256), for tests of a wrong password: the embedded server trusts its socket."""
    folder = Path(tempfile.mkdtemp(prefix="smartstore-german-"))
    folder.chmod(0o755)
    data, sockets, locales = folder / "data", folder / "run", folder / "locales"
    user = server_os_user()
    for owned in (data, sockets):
        owned.mkdir()
        if user is not None:
            shutil.chown(owned, user)
    env = {**os.environ, "LOCPATH": str(locales)}
    pg_ctl = [str(DEBIAN_BIN / "pg_ctl"), "-D", str(data), "-w"]
    try:
        locales.mkdir()
        run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(locales / LOCALE)], env)
        locales.chmod(0o755)
        initdb = [str(DEBIAN_BIN / "initdb"), "-D", str(data), "-U", "postgres"]
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256"]
        run(as_user(user, [*initdb, *auth, "--encoding=UTF8", "--locale=C", "--no-sync"]), env)
        listen = f"-h 127.0.0.1 -p {tcp_port}" if tcp_port else "-h ''"
        options = f"{listen} -k {sockets} -c fsync=off"
        run(as_user(user, [*pg_ctl, "-l", str(data / "log"), "-o", options, "start"]), env)
        socket = f"host={sockets} port={tcp_port or 5432} user=postgres"
        with psycopg.connect(f"{socket} dbname=postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE smartstore")
            c.execute(f"ALTER DATABASE smartstore SET lc_messages TO '{LOCALE}'")
        port = f"&port={tcp_port}" if tcp_port else ""
        yield f"postgresql+psycopg://postgres@/smartstore?host={sockets}{port}"
    finally:
        if (data / "postmaster.pid").exists():
            run(as_user(user, [*pg_ctl, "-m", "immediate", "stop"]), env)
        shutil.rmtree(folder, ignore_errors=True)


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/", check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
