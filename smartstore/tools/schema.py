"""The schema as plain SQL, for reviewers and for the tests that prove a downgrade left nothing.

`dump_schema()` runs `pg_dump --schema-only --no-owner` (the wheel's pg_dump that fits the
server: 16 for 15 and 16, 18 for 17 and 18; grants and policies included) and normalises its text:
no comments, no session SETs, no `\\restrict` keys (random per run), no blank-line runs. The
result is committed as `alembic/schema.sql`, so every schema change shows up in a review as a plain
SQL diff. Refresh it with `make schema` (`python -m smartstore.tools.schema`).

`catalog_objects()` lists what a database holds outside PostgreSQL's own schemas, by kind, to prove
that `downgrade base` really took everything away.
"""

import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from smartstore.arguments import Parser
from smartstore.embedded import client_command
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import locate


def snapshot_path() -> Path:
    """alembic/schema.sql: the schema at head, beside the migrations (found now, see `locate()`)."""
    return locate().script_location / "schema.sql"


REFRESH_COMMAND = "make schema"

_DROP = re.compile(r"^(--.*|SET .*|SELECT pg_catalog\.set_config.*|\\(un)?restrict .*)$")


def dump_schema(url: URL) -> str:
    """`pg_dump --schema-only` of the URL's database, normalised so that equal schemas give equal text."""
    command, env = client_command("pg_dump", url, "--schema-only", "--no-owner")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SmartstoreError(f"pg_dump failed: {done.stderr.strip()}")
    return normalise(done.stdout)


def normalise(dump: str) -> str:
    lines = [line.rstrip() for line in dump.splitlines() if not _DROP.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


CATALOG_QUERY = """
SELECT kind, name FROM (
    SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'i' THEN 'index'
           WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'relation' END,
           n.nspname || '.' || c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'i', 'S', 'v', 'm', 'f')
    UNION ALL
    SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite type' WHEN 'd' THEN 'domain'
           ELSE 'type' END,
           n.nspname || '.' || t.typname
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND NOT EXISTS (
            SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c'))
    UNION ALL
    SELECT 'function', n.nspname || '.' || p.proname
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    UNION ALL
    SELECT 'policy', pol.polname || ' on ' || pol.polrelid::regclass::text FROM pg_policy pol
) AS objects(kind, name)
WHERE split_part(name, '.', 1) NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND split_part(name, '.', 1) NOT LIKE 'pg_temp%' AND split_part(name, '.', 1) NOT LIKE 'pg_toast_temp%'
ORDER BY kind, name
"""


def catalog_objects(connection: Connection) -> list[tuple[str, str]]:
    """Every table, index, sequence, view, type, function and policy outside PostgreSQL's own schemas."""
    return [tuple(row) for row in connection.execute(text(CATALOG_QUERY))]


def main(argv: Sequence[str] | None = None) -> int:
    """Write alembic/schema.sql from a throwaway database migrated to head."""
    Parser(prog="python -m smartstore.tools.schema", description=main.__doc__).parse_args(argv)
    from smartstore.migrations import upgrade
    from smartstore.tools.scratch import scratch_database

    checkout = locate().checkout
    if checkout is None:
        raise SmartstoreError(f"{REFRESH_COMMAND} writes alembic/schema.sql: run it in a checkout.")

    with scratch_database("schema_snapshot") as url:
        upgrade(url)
        snapshot_path().write_text(dump_schema(url))
    print(
        f"Wrote {snapshot_path().relative_to(checkout)}: the schema at head, as pg_dump --schema-only."
    )
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
