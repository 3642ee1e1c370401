"""`make demo`: from nothing to a migrated, seeded database, saying what it did at each step."""

from sqlalchemy import func, select

from smartstore.db import (
    display_url,
    make_engine,
    server_version,
    session_scope,
    start_embedded_database,
)
from smartstore.embedded import server as embedded
from smartstore.errors import run_command
from smartstore.migrations import head, upgrade
from smartstore.models import Product, Store, User
from smartstore.seed import seed
from smartstore.settings import get_settings


def main() -> int:
    settings = get_settings()
    if settings.uses_embedded_server:
        print(f"1. Starting the embedded PostgreSQL {embedded.POSTGRES_MAJOR} server…")
    else:
        print("1. Connecting to the server in DATABASE_URL…")
    url = start_embedded_database(settings)
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
            f"Your data lives in {embedded.pgdata_of(settings.home)} (delete it to start afresh)."
        )
        print(
            "The server stops when this command ends, unless `smartstore db start` keeps it running."
        )
    else:
        print("Your data lives in the DATABASE_URL server's database shown above.")
    print("Next: `make lab` opens the notebooks; `make test` runs every test.")
    return 0


if __name__ == "__main__":
    run_command(main)
