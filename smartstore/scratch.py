"""Throwaway databases, all named after the configured one: `<database>_<suffix>`.

The lab's experiments (`smartstore_lab_seed`), the benchmark (`smartstore_bench`), the schema
snapshot (`smartstore_schema_snapshot`) and the tests' scratch databases live on the same server as
the configured database and carry its name as their prefix. So when the test run's own database
(`<name>_test_<pid>` on a `DATABASE_URL` server) is dropped, `drop_databases_named_after()` takes
every scratch database made during the run with it, whoever made it.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL

from smartstore.db import connect, drop_database, ensure_database, start_embedded_database

MAX_NAME = 63
"""PostgreSQL cuts longer identifiers to 63 bytes; a cut name would not be the one we asked for."""


def scratch_url(suffix: str, base: URL | None = None) -> URL:
    """The URL of `<base database>_<suffix>` on base's server (by default the configured database,
    on the embedded server, which this starts if it is the one configured)."""
    base = base or start_embedded_database()
    name = re.sub(r"[^a-z0-9_]", "_", f"{base.database}_{suffix}".lower())
    return base.set(database=name[:MAX_NAME])


def fresh_database(suffix: str, base: URL | None = None) -> URL:
    """An empty database `<base database>_<suffix>`; an older one of that name is dropped first."""
    url = scratch_url(suffix, base)
    drop_database(url)
    ensure_database(url)
    return url


@contextmanager
def scratch_database(suffix: str, base: URL | None = None) -> Iterator[URL]:
    """A fresh database for the length of a `with` block, dropped afterwards even if it fails."""
    url = fresh_database(suffix, base)
    try:
        yield url
    finally:
        drop_database(url)


def drop_databases_named_after(url: URL) -> None:
    """Drop `url`'s database and every `<its name>_…` database on the same server."""
    pattern = url.database.replace("_", r"\_") + r"\_%"
    with connect(url.set(database="postgres")) as conn:
        query = "SELECT datname FROM pg_database WHERE datname LIKE %s"
        names = [row[0] for row in conn.execute(query, (pattern,))]
    for name in [*names, url.database]:
        drop_database(url.set(database=name))
