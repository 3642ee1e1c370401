"""A PostgreSQL that answers in German, for the tests that prove refusals do not depend on the
server's language.

The embedded build has no message translations; Debian's PostgreSQL 15 (`postgresql-15`) has them.
The machine needs no German locale installed: `localedef` builds `de_DE.UTF-8` into the server's own
temporary folder and the server finds it through `LOCPATH`. The database then speaks German with
`ALTER DATABASE … SET lc_messages`. Everything lives in one temporary folder, deleted afterwards.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.matrix import postgres_cluster, run

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
LOCALE = "de_DE.UTF-8"


def missing() -> str | None:
    """Why no German-speaking server can be started here, or None when one can."""
    if not (DEBIAN_BIN / "postgres").is_file():
        return f"no Debian PostgreSQL 15 (with translations) at {DEBIAN_BIN}: apt-get install postgresql-15"
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/de_DE").is_file():
        return "no localedef and de_DE source to build the de_DE.UTF-8 locale (apt-get install locales)"
    if os.geteuid() != 0:
        return "starting PostgreSQL 15 as its own OS user needs root (runuser)"
    return None


@contextmanager
def german_server(tcp_port: int | None = None) -> Iterator[str]:
    """A running PostgreSQL 15 whose `smartstore` database answers in German; yields its URL (the
    socket's, as the superuser). With `tcp_port` it also listens on 127.0.0.1 and checks passwords
    there (scram-sha-256), for tests of a wrong password: the embedded server trusts its socket."""
    locales = Path(tempfile.mkdtemp(prefix="smartstore-locale-"))
    try:
        locales.chmod(0o755)  # the server's OS user reads the locale
        env = {**os.environ, "LOCPATH": str(locales)}
        run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(locales / LOCALE)], env)
        initdb = ("--auth-local=trust", "--auth-host=scram-sha-256", "--locale=C")
        with postgres_cluster(DEBIAN_BIN, initdb, tcp_port, env) as (folder, server):
            with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as c:
                c.execute("CREATE DATABASE smartstore")
                c.execute(f"ALTER DATABASE smartstore SET lc_messages TO '{LOCALE}'")
            port = f"&port={tcp_port}" if tcp_port else ""
            yield f"postgresql+psycopg://postgres@/smartstore?host={folder / 'run'}{port}"
    finally:
        shutil.rmtree(locales, ignore_errors=True)
