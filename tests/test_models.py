"""The models against the real schema: what the database keeps, refuses and cascades."""

from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from smartstore.models import Product, Store, User, UserRole
from smartstore.validation import InvalidInput
from tests.conftest import count


def make_store(session: Session, slug: str = "test-store") -> Store:
    store = Store(name="Test Store", slug=slug)
    session.add(store)
    session.flush()
    return store


def test_create_store(session: Session) -> None:
    store = make_store(session)
    session.commit()
    row = session.execute(text("SELECT name, slug FROM stores WHERE id = :id"), {"id": store.id})
    assert row.one() == ("Test Store", "test-store")


def test_product_belongs_to_store_and_cascades(session: Session) -> None:
    store = make_store(session)
    product = Product(store=store, sku="SKU-1", name="Mug", price_cents=1250)
    session.add(product)
    session.flush()
    assert product.store_id == store.id

    # delete at the database level: no ORM help, the foreign key's ON DELETE CASCADE does it
    session.execute(text("DELETE FROM stores WHERE id = :id"), {"id": store.id})
    assert count(session, "SELECT count(*) FROM products WHERE id = :id", id=product.id) == 0


def test_orm_delete_of_store_leaves_the_cascade_to_the_database(session: Session) -> None:
    store = make_store(session)
    session.add_all(Product(store=store, sku=f"S{i}", name="x", price_cents=1) for i in range(3))
    session.flush()
    session.expunge_all()  # passive_deletes: the ORM must not need the products loaded
    session.delete(session.get(Store, store.id))
    session.flush()
    assert count(session, "SELECT count(*) FROM products WHERE store_id = :id", id=store.id) == 0


def test_user_role_defaults_to_shopper(session: Session) -> None:
    user = User(email="new@example.com", full_name="New User")
    session.add(user)
    session.flush()
    assert user.role is UserRole.SHOPPER
    # the server default too, for rows written without the ORM
    session.execute(text("INSERT INTO users (email, full_name) VALUES ('raw@example.com', 'Raw')"))
    role = session.execute(text("SELECT role::text FROM users WHERE email = 'raw@example.com'"))
    assert role.scalar_one() == "shopper"


def test_user_role_is_the_postgres_enum_user_role(session: Session) -> None:
    labels = session.execute(
        text(
            "SELECT enumlabel FROM pg_enum JOIN pg_type t ON t.oid = enumtypid "
            "WHERE t.typname = 'user_role' ORDER BY enumsortorder"
        )
    ).scalars()
    assert list(labels) == [role.value for role in UserRole]


def test_user_email_must_be_unique(session: Session) -> None:
    session.add(User(email="same@example.com", full_name="First"))
    session.flush()
    session.add(User(email="same@example.com", full_name="Second"))
    with pytest.raises(InvalidInput, match="already registered") as refusal:
        session.flush()
    assert isinstance(
        refusal.value.__cause__, psycopg.errors.UniqueViolation
    )  # the database's refusal


def test_store_manager_belongs_to_a_store(session: Session) -> None:
    store = make_store(session)
    manager = User(email="m@example.com", full_name="M", role=UserRole.STORE_MANAGER, store=store)
    session.add(manager)
    session.flush()
    assert store.users == [manager]


def test_timestamps_come_back_aware_in_utc_whatever_the_session_zone(session: Session) -> None:
    session.execute(text("SET LOCAL TimeZone = 'America/New_York'"))
    store = make_store(session)
    session.commit()
    session.expire_all()
    fresh = session.execute(select(Store).where(Store.id == store.id)).scalar_one()
    assert fresh.created_at.tzinfo is UTC
    assert abs(datetime.now(UTC) - fresh.created_at) < timedelta(minutes=1)
    for column in ("created_at", "updated_at"):
        sql_type = session.execute(
            text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'stores' AND column_name = :c"
            ),
            {"c": column},
        ).scalar_one()
        assert sql_type == "timestamp with time zone"


def test_aware_datetimes_in_any_zone_are_the_same_instant(session: Session) -> None:
    instant = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    tokyo = instant.astimezone(timezone(timedelta(hours=9)))
    store = Store(name="Zoned", slug="zoned", created_at=tokyo)
    session.add(store)
    session.flush()
    session.expire_all()
    assert session.get(Store, store.id).created_at == instant


def test_naive_datetime_is_refused(session: Session) -> None:
    session.add(Store(name="Naive", slug="naive", created_at=datetime(2026, 1, 1, 12, 0)))
    with pytest.raises(InvalidInput, match="naive datetime"):
        session.flush()


def test_updated_at_changes_on_update(session: Session) -> None:
    store = make_store(session)
    session.flush()
    before = store.updated_at
    store.name = "Renamed"
    session.flush()
    session.refresh(store)
    assert store.updated_at > before
    assert store.created_at <= before


def test_price_is_whole_cents_in_an_integer_column(session: Session) -> None:
    column = inspect(session.bind).get_columns("products")
    types = {c["name"]: str(c["type"]) for c in column}
    assert types["price_cents"] == "INTEGER"
