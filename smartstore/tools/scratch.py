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

from smartstore.db import configured_url, connect, drop_database, ensure_database

MAX_NAME = 63
"""PostgreSQL cuts longer identifiers to 63 bytes; a cut name would not be the one we asked for."""

KINDS = ("lab", "scratch", "bench", "schema_snapshot", "test")
"""What a throwaway database named after the configured one is for, the first word(s) of its suffix:
the notebooks' and checkers' (`lab`), the tests' (`scratch`), the benchmarks' (`bench`), the schema
snapshot's, and a test run's own (`test`). `scratch_url()` refuses any other, and
`scratch_databases()` (which `make reset` drops) finds exactly these, so the two cannot drift."""


def _has_kind(suffix: str) -> bool:
    return any(suffix == kind or suffix.startswith(f"{kind}_") for kind in KINDS)


def scratch_url(suffix: str, base: URL | None = None) -> URL:
    """The URL of `<base database>_<suffix>` on base's server (by default the configured database,
    `DATABASE_URL`'s; this starts no server).

    Named after the configured database, the suffix starts with one of `KINDS` (`lab_seed`), so that
    `make reset` finds it; after a `base` of the caller's (a test's own database) it may be anything.
    """
    if base is None and not _has_kind(suffix):
        raise ValueError(f"a scratch database's suffix starts with one of {KINDS}, not {suffix!r}")
    base = base or configured_url()
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


def scratch_databases(url: URL) -> list[str]:
    """The scratch databases named after `url`'s database on its server: `<database>_<kind>` and
    `<database>_<kind>_…` for each of `KINDS`, and nothing else (`smartstore_labyrinth` stays)."""
    prefix = f"{url.database}_"
    return [
        name
        for name in databases_starting_with(url, prefix)
        if _has_kind(name.removeprefix(prefix))
    ]


def databases_starting_with(url: URL, prefix: str) -> list[str]:
    """The databases on `url`'s server whose name starts with `prefix`, in order. The one place
    that lists databases by name: LIKE reads `_` and `%` as wildcards, so the prefix is escaped."""
    pattern = prefix.replace("\\", "\\\\").replace("_", r"\_").replace("%", r"\%") + "%"
    with connect(url.set(database="postgres")) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY datname", (pattern,)
        )
        return [row[0] for row in rows]


def drop_databases_named_after(url: URL) -> None:
    """Drop `url`'s database and every `<its name>_…` database on the same server."""
    for name in [*databases_starting_with(url, f"{url.database}_"), url.database]:
        drop_database(url.set(database=name))
