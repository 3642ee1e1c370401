"""The sample data every later phase starts from: 2 stores, 5 products, 3 users.

Run it with `python -m smartstore.seed` (or `smartstore seed`). It is idempotent: rows are matched on
their natural keys (store slug, store + SKU, email) and a row that is already there is left as it is,
so running it twice duplicates nothing and never overwrites what a learner changed. It runs in one
transaction: interrupted, it leaves nothing half-written.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

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
    stores: int
    products: int
    users: int
    created: int
    """Rows this run inserted; 0 when the sample data was already there."""

    def summary(self) -> str:
        return f"Seeded {self.stores} stores, {self.products} products, {self.users} users."


def seed(session: Session) -> SeedResult:
    """Insert whatever of the sample data is missing; the caller commits (or rolls back)."""
    created = 0
    created += _insert_missing(session, Store, STORES, ["slug"])
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
    created += _insert_missing(session, Product, products, ["store_id", "sku"])
    users = [
        {"email": email, "full_name": name, "role": role, "store_id": store_ids.get(slug)}
        for email, name, role, slug in USERS
    ]
    created += _insert_missing(session, User, users, ["email"])
    return SeedResult(stores=len(STORES), products=len(PRODUCTS), users=len(USERS), created=created)


def _insert_missing(session: Session, model: type, rows: list[dict], keys: list[str]) -> int:
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)
    return len(session.execute(statement.returning(model.id)).all())


def main() -> None:
    from smartstore.db import session_scope

    with session_scope() as session:
        result = seed(session)
    print(result.summary())


if __name__ == "__main__":
    from smartstore.errors import run_command

    run_command(main)
