"""The tenant boundary, enforced by PostgreSQL: as `smartstore_app`, a transaction for store A
reads, changes and deletes only store A's products, and cannot write into store B."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore.db import make_engine, session_scope
from smartstore.errors import SmartstoreError
from smartstore.migrations import upgrade
from smartstore.models import Product, Store
from smartstore.tenancy import (
    APP_ROLE,
    scope_to_store,
    set_current_store,
    store_session,
    store_transaction,
    use_app_role,
)
from smartstore.tools.scratch import scratch_database
from smartstore.validation import InvalidInput
from tests.conftest import count, migrated_database

FIRST_REVISION = "e7ccee06e47a"


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


@pytest.fixture(scope="module")
def two_stores(migrated_url: URL) -> Iterator[tuple[Engine, int, int]]:
    """A database of the module's own with two stores' products, committed (the safe API opens
    transactions of its own, so it cannot see a test's uncommitted rows)."""
    with migrated_database("tenancy_api", migrated_url) as url:
        engine = make_engine(url)
        with session_scope(engine) as session:
            a, b = Store(name="Store A", slug="store-a"), Store(name="Store B", slug="store-b")
            session.add_all(
                [Product(store=a, sku=f"A{i}", name="a", price_cents=1) for i in range(3)]
            )
            session.add_all(
                [Product(store=b, sku=f"B{i}", name="b", price_cents=2) for i in range(2)]
            )
        yield engine, a.id, b.id
        engine.dispose()


def test_store_transaction_sees_and_writes_one_store_only(two_stores) -> None:
    engine, a, b = two_stores
    with store_transaction(engine, a) as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
        assert conn.execute(text("SELECT DISTINCT store_id FROM products")).scalars().all() == [a]
        with pytest.raises(InvalidInput, match="another store"), conn.begin_nested():
            conn.execute(text("UPDATE products SET store_id = :b"), {"b": b})
    with engine.connect() as conn:  # the owner again: the scope ended with the transaction
        assert conn.execute(text("SELECT current_user")).scalar_one() != APP_ROLE
        assert conn.execute(text("SELECT count(*) FROM products")).scalar_one() == 5


def test_store_session_is_the_same_boundary_for_the_orm(two_stores) -> None:
    engine, a, b = two_stores
    with store_session(engine, b) as session:
        assert {p.store_id for p in session.scalars(select(Product))} == {b}
        session.add(Product(store_id=b, sku="B-NEW", name="new", price_cents=3))
    with store_session(engine, b) as session:  # committed, within the store
        assert session.scalars(select(Product.sku).where(Product.sku == "B-NEW")).one() == "B-NEW"
        session.execute(text("DELETE FROM products WHERE sku = 'B-NEW'"))
    with pytest.raises(InvalidInput, match="another store"), store_session(engine, a) as session:
        session.add(Product(store_id=b, sku="B-SNEAK", name="sneak", price_cents=3))
        session.flush()


def test_it_refuses_a_database_without_row_level_security(migrated_url: URL) -> None:
    with scratch_database("tenancy_no_rls", migrated_url) as url:
        upgrade(url, FIRST_REVISION)  # products exist, RLS does not yet
        engine = make_engine(url)
        try:
            refused = pytest.raises(SmartstoreError, match="products has no Row-Level Security")
            with refused, store_transaction(engine, 1):
                pass
        finally:
            engine.dispose()


def test_it_refuses_a_connection_with_row_security_off(two_stores) -> None:
    engine, a, _ = two_stores
    off = make_engine(engine.url.update_query_dict({"options": "-c row_security=off"}))
    try:
        with pytest.raises(SmartstoreError, match="row_security is off"), store_session(off, a):
            pass
    finally:
        off.dispose()


@pytest.mark.parametrize(
    ("alteration", "reason"), [("BYPASSRLS", "has BYPASSRLS"), ("SUPERUSER", "is a superuser")]
)
def test_it_refuses_an_app_role_that_skips_row_level_security(
    session: Session, stores: tuple[int, int], alteration: str, reason: str
) -> None:
    """Roles are shared by the whole server: the change stays inside this test's transaction,
    which is rolled back, so no other test ever sees it."""
    if not session.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar_one():
        pytest.skip("only a superuser may give a role SUPERUSER or BYPASSRLS")
    session.execute(text(f"ALTER ROLE {APP_ROLE} {alteration}"))
    with pytest.raises(SmartstoreError, match=reason):
        scope_to_store(session, stores[0])
