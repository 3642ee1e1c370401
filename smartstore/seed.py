"""The sample data every later phase starts from: 2 stores, 5 products, 3 users.

Run it with `python -m smartstore.seed` (or `smartstore seed`). It is idempotent: rows are matched on
their natural keys (store slug, store + SKU, email) and a row that is already there is left as it is,
so running it twice duplicates nothing and never overwrites what a learner changed. It runs in one
transaction: interrupted, it leaves nothing half-written.
"""

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smartstore.arguments import Parser
from smartstore.db import configured_url, make_engine
from smartstore.errors import SmartstoreError, one_line, run_command
from smartstore.models import Product, Store, User, UserRole

STORES = [
    {"slug": "northwind-books", "name": "Northwind Books"},
    {"slug": "harbor-coffee", "name": "Harbor Coffee Roasters"},
]

PRODUCTS = [
    ("northwind-books", "NB-1001", "The Pragmatic Programmer", "20th anniversary edition, hardcover.", 4299),
    ("northwind-books", "NB-1002", "Designing Data-Intensive Applications", "Paperback, 616 pages.", 5499),
    ("northwind-books", "NB-1003", "Reading Lamp", "Clip-on LED lamp, warm white, USB powered.", 1899),
    ("harbor-coffee", "HC-2001", "Ethiopia Yirgacheffe, 340 g", "Light roast, whole bean. Jasmine and lemon.", 1650),
    ("harbor-coffee", "HC-2002", "House Espresso, 1 kg", "Medium-dark roast, whole bean.", 3400),
]  # fmt: skip

USERS = [
    ("ada@example.com", "Ada Shopper", UserRole.SHOPPER, None),
    ("grace@example.com", "Grace Manager", UserRole.STORE_MANAGER, "northwind-books"),
    ("alan@example.com", "Alan Admin", UserRole.ADMIN, None),
]


@dataclass(frozen=True)
class SeedResult:
    """What this run inserted, table by table: all zeros when the sample data was already there."""

    stores: int
    products: int
    users: int

    @property
    def created(self) -> int:
        return self.stores + self.products + self.users

    def summary(self) -> str:
        inserted = ", ".join(
            f"{n} {noun}{'' if n == 1 else 's'}"
            for n, noun in (
                (self.stores, "store"),
                (self.products, "product"),
                (self.users, "user"),
            )
        )
        if self.created == 0:
            return "Seeded nothing: the sample data was already there."
        if (self.stores, self.products, self.users) != (len(STORES), len(PRODUCTS), len(USERS)):
            return f"Seeded {inserted}; the rest of the sample data was already there."
        return f"Seeded {inserted}."


def seed(session: Session) -> SeedResult:
    """Insert whatever of the sample data is missing; the caller commits (or rolls back)."""
    stores = _insert_missing(session, Store, STORES, ["slug"])
    wanted = select(Store.slug, Store.id).where(Store.slug.in_([s["slug"] for s in STORES]))
    store_ids: dict[str, int] = dict(session.execute(wanted).all())
    products = [
        {
            "store_id": store_ids[slug],
            "sku": sku,
            "name": name,
            "description": text,
            "price_cents": cents,
        }
        for slug, sku, name, text, cents in PRODUCTS
    ]
    users = [
        {"email": email, "full_name": name, "role": role, "store_id": store_ids.get(slug)}
        for email, name, role, slug in USERS
    ]
    return SeedResult(
        stores=stores,
        products=_insert_missing(session, Product, products, ["store_id", "sku"]),
        users=_insert_missing(session, User, users, ["email"]),
    )


def _insert_missing(session: Session, model: type, rows: list[dict], keys: list[str]) -> int:
    """Insert the rows whose keys are not there yet; how many it inserted (RETURNING says)."""
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)
    return len(session.execute(statement.returning(model.id)).all())


@contextmanager
def lost_mid_seed() -> Iterator[None]:
    """A connection lost in the middle of a seed (the server stopped or crashed) becomes an error
    that says what the user needs to know: a seed is one transaction, so nothing of it was kept."""
    try:
        yield
    except (OperationalError, psycopg.OperationalError) as exc:
        detail = one_line(exc)
        raise SmartstoreError(
            f"the database went away in the middle of the seed ({detail}). Nothing of this seed "
            "was kept (it is one transaction), so running it again is safe."
        ) from exc


def seed_url(url: URL) -> None:
    """Seed the database at `url` and say what was added (`smartstore seed`, `python -m
    smartstore.seed`)."""
    engine = make_engine(url)
    try:
        # a server that is not there fails at connect(), plainly, before the seed has begun
        with engine.connect() as connection, Session(bind=connection) as session:
            with lost_mid_seed():
                result = seed(session)
                session.flush()
            session.commit()
    finally:
        engine.dispose()
    print(result.summary())


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m smartstore.seed`: the database in DATABASE_URL."""
    Parser(prog="python -m smartstore.seed", description=__doc__.splitlines()[0]).parse_args(argv)
    seed_url(configured_url())


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
