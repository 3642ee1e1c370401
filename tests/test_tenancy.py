"""The tenant boundary, enforced by PostgreSQL: as `smartstore_app`, a transaction for store A
reads, changes and deletes only store A's products, and cannot write into store B."""

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from smartstore.models import Product, Store
from smartstore.tenancy import APP_ROLE, set_current_store, use_app_role
from smartstore.validation import InvalidInput
from tests.conftest import count


@pytest.fixture
def stores(session: Session) -> tuple[int, int]:
    """Two stores with their products, written as the owner (who is not subject to RLS)."""
    a, b = Store(name="Store A", slug="store-a"), Store(name="Store B", slug="store-b")
    session.add_all([Product(store=a, sku=f"A{i}", name="a", price_cents=100) for i in range(3)])
    session.add_all([Product(store=b, sku=f"B{i}", name="b", price_cents=200) for i in range(2)])
    session.flush()
    return a.id, b.id


def as_app_for(session: Session, store_id: int | None) -> None:
    use_app_role(session)
    if store_id is not None:
        set_current_store(session, store_id)


def owner_view(session: Session) -> dict[int, int]:
    """Products per store, seen by the owner again."""
    session.execute(text("RESET ROLE"))
    rows = session.execute(text("SELECT store_id, count(*) FROM products GROUP BY store_id"))
    return dict(rows.all())


def test_the_app_role_is_neither_owner_nor_superuser(session: Session) -> None:
    role = session.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
    ).one()
    assert tuple(role) == (False, False)
    owner = session.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'products'"))
    assert owner.scalar_one() != APP_ROLE
    enabled = session.execute(
        text("SELECT relrowsecurity FROM pg_class WHERE relname = 'products'")
    )
    assert enabled.scalar_one() is True


def test_a_store_reads_only_its_own_products(session: Session, stores: tuple[int, int]) -> None:
    a, _ = stores
    as_app_for(session, a)
    seen = session.execute(text("SELECT DISTINCT store_id FROM products")).scalars().all()
    assert seen == [a]
    assert count(session, "SELECT count(*) FROM products") == 3


def test_a_store_updates_only_its_own_products(session: Session, stores: tuple[int, int]) -> None:
    a, b = stores
    as_app_for(session, a)
    changed = session.execute(text("UPDATE products SET price_cents = 1"))
    assert changed.rowcount == 3
    session.execute(text("RESET ROLE"))
    assert (
        count(
            session, "SELECT count(*) FROM products WHERE store_id = :b AND price_cents = 200", b=b
        )
        == 2
    )


def test_a_store_deletes_only_its_own_products(session: Session, stores: tuple[int, int]) -> None:
    a, b = stores
    as_app_for(session, a)
    deleted = session.execute(text("DELETE FROM products"))
    assert deleted.rowcount == 3
    assert owner_view(session) == {b: 2}


def test_a_store_cannot_insert_a_product_for_another_store(
    session: Session, stores: tuple[int, int]
) -> None:
    a, b = stores
    as_app_for(session, a)
    with pytest.raises(InvalidInput, match="another store") as refusal, session.begin_nested():
        session.execute(
            text(
                "INSERT INTO products (store_id, sku, name, price_cents) VALUES (:b, 'X', 'x', 1)"
            ),
            {"b": b},
        )
    assert refusal.value.field == "store_id"
    session.execute(  # its own store is fine
        text("INSERT INTO products (store_id, sku, name, price_cents) VALUES (:a, 'X', 'x', 1)"),
        {"a": a},
    )
    assert owner_view(session) == {a: 4, b: 2}


def test_a_store_cannot_move_its_product_into_another_store(
    session: Session, stores: tuple[int, int]
) -> None:
    a, b = stores
    as_app_for(session, a)
    with pytest.raises(InvalidInput, match="another store"), session.begin_nested():
        session.execute(text("UPDATE products SET store_id = :b"), {"b": b})
    assert owner_view(session) == {a: 3, b: 2}


def test_no_store_setting_means_no_rows(session: Session, stores: tuple[int, int]) -> None:
    a, _ = stores
    as_app_for(session, None)
    assert count(session, "SELECT count(*) FROM products") == 0
    with pytest.raises(InvalidInput), session.begin_nested():
        session.execute(
            text(
                "INSERT INTO products (store_id, sku, name, price_cents) VALUES (:a, 'X', 'x', 1)"
            ),
            {"a": a},
        )


def test_the_orm_works_within_the_boundary(session: Session, stores: tuple[int, int]) -> None:
    a, b = stores
    as_app_for(session, b)
    products = session.query(Product).all()
    assert {p.store_id for p in products} == {b}
    assert session.get(Store, a).name == "Store A"  # stores stay readable: names, not data
