"""Bad input: refused by the database itself, explained by Python, and nothing left half-written.

Each case is tried twice: through the models (a friendly check fails at once, naming the field), and
as raw SQL that skips Python entirely (the database's constraint refuses it, and the refusal comes
back as the same kind of error, naming the field and the rule).
"""

from datetime import datetime

import pytest
from sqlalchemy import Engine, PrimaryKeyConstraint, insert, text
from sqlalchemy.orm import Session

from smartstore.db import session_scope
from smartstore.models import Base, Product, Store, User, UserRole
from smartstore.refusals import RULES
from smartstore.validation import InvalidInput
from tests.conftest import count

STORE = "INSERT INTO stores (name, slug) VALUES ('Shop', 'shop') RETURNING id"
PRODUCT = "INSERT INTO products (store_id, sku, name, price_cents) VALUES ({store}, {sku}, {name}, {price})"
USER = "INSERT INTO users (email, full_name, role, store_id) VALUES ({email}, 'Full Name', {role}, NULL)"

# (case, SQL run first to set the scene, the refused SQL, the field the error names)
REFUSED_BY_THE_DATABASE = [
    ("negative price", "", PRODUCT.format(store="{store}", sku="'S1'", name="'Mug'", price=-1), "price_cents"),
    ("store that does not exist", "", PRODUCT.format(store=999999, sku="'S1'", name="'Mug'", price=1), "store_id"),
    ("duplicate SKU in one store", PRODUCT.format(store="{store}", sku="'S1'", name="'Mug'", price=1),
     PRODUCT.format(store="{store}", sku="'S1'", name="'Cup'", price=2), "sku"),
    ("empty product name", "", PRODUCT.format(store="{store}", sku="'S1'", name="''", price=1), "name"),
    ("blank product name", "", PRODUCT.format(store="{store}", sku="'S1'", name="'   '", price=1), "name"),
    ("blank store name", "", "INSERT INTO stores (name, slug) VALUES (' ', 'other')", "name"),
    ("blank slug", "", "INSERT INTO stores (name, slug) VALUES ('Other', ' ')", "slug"),
    ("duplicate slug", "", "INSERT INTO stores (name, slug) VALUES ('Other', 'shop')", "slug"),
    ("email without @", "", USER.format(email="'nobody.example.com'", role="'shopper'"), "email"),
    ("email differing only in case", USER.format(email="'ada@example.com'", role="'shopper'"),
     USER.format(email="'Ada@Example.com'", role="'shopper'"), "email"),
    ("unknown role", "", USER.format(email="'x@example.com'", role="'superuser'"), "role"),
    ("store_manager without a store", "", USER.format(email="'m@example.com'", role="'store_manager'"), "store_id"),
    ("missing required value", "", "INSERT INTO stores (name) VALUES ('No slug')", "slug"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scene", "refused", "field"),
    [case[1:] for case in REFUSED_BY_THE_DATABASE],
    ids=[case[0] for case in REFUSED_BY_THE_DATABASE],
)
def test_the_database_refuses_it_and_python_names_the_field(
    session: Session, scene: str, refused: str, field: str
) -> None:
    store = session.execute(text(STORE)).scalar_one()
    if scene:
        session.execute(text(scene.format(store=store)))
    before = count(session, "SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM users)")
    with pytest.raises(InvalidInput) as refusal, session.begin_nested():
        session.execute(text(refused.format(store=store)))
    assert refusal.value.field == field
    assert str(refusal.value).startswith(f"{field}: ")
    after = count(session, "SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM users)")
    assert after == before  # the refused write left nothing


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: Product(sku="S1", name="Mug", price_cents=-1), "price_cents", "0 or more"),
        (lambda: Product(sku="S1", name="Mug", price_cents=8.99), "price_cents", "899"),
        (lambda: Product(sku="S1", name="Mug", price_cents=True), "price_cents", "whole cents"),
        (lambda: Product(sku="S1", name="  ", price_cents=1), "name", "blank"),
        (lambda: Product(sku="", name="Mug", price_cents=1), "sku", "blank"),
        (lambda: Store(name="", slug="shop"), "name", "blank"),
        (lambda: Store(name="Shop", slug=" "), "slug", "northwind-books"),
        (lambda: Store(name="Shop", slug="Bad Slug"), "slug", "northwind-books"),
        (lambda: User(email="nobody.example.com", full_name="N"), "email", "name@example.com"),
        (lambda: User(email="n@example.com", full_name=" "), "full_name", "blank"),
        (lambda: User(email="n@example.com", full_name="N", role="superuser"), "role", "shopper"),
    ],
    ids=[
        "negative price", "float price", "bool price", "blank product name", "empty sku",
        "empty store name", "blank slug", "slug with capitals and a space", "email without @",
        "blank full name", "unknown role",
    ],
)  # fmt: skip
def test_python_explains_it_before_the_database_is_asked(make, field: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as refusal:
        make()
    assert refusal.value.field == field


def test_a_float_price_is_refused_on_core_inserts_too(session: Session) -> None:
    store = session.execute(text(STORE)).scalar_one()
    statement = insert(Product).values(store_id=store, sku="S1", name="Mug", price_cents=8.99)
    with pytest.raises(InvalidInput, match="899"), session.begin_nested():
        session.execute(statement)
    assert count(session, "SELECT count(*) FROM products") == 0


@pytest.mark.parametrize(
    ("second", "field", "words"),
    [
        (lambda store: Product(store=store, sku="S1", name="Cup", price_cents=2), "sku", "same store"),
        (lambda store: Product(store_id=999999, sku="S9", name="Cup", price_cents=2), "store_id", "existing store"),
        (lambda store: User(email="Ada@Example.com", full_name="Other Ada"), "email", "already registered"),
        (lambda store: User(email="m@example.com", full_name="M", role=UserRole.STORE_MANAGER),
         "store_id", "store_manager"),
    ],
    ids=["duplicate SKU in one store", "store that does not exist", "email differing only in case",
         "store_manager without a store"],
)  # fmt: skip
def test_rules_across_rows_are_refused_at_flush(
    session: Session, second, field: str, words: str
) -> None:
    store = Store(name="Shop", slug="shop")
    session.add_all([store, Product(store=store, sku="S1", name="Mug", price_cents=1)])
    session.add(User(email="ada@example.com", full_name="Ada"))
    session.flush()
    session.add(second(store))
    with pytest.raises(InvalidInput, match=words) as refusal:
        session.flush()
    assert refusal.value.field == field


def test_the_same_sku_in_two_stores_is_fine(session: Session) -> None:
    first, second = Store(name="One", slug="one"), Store(name="Two", slug="two")
    session.add_all(
        [Product(store=s, sku="SAME", name="Mug", price_cents=1) for s in (first, second)]
    )
    session.flush()
    assert count(session, "SELECT count(*) FROM products WHERE sku = 'SAME'") == 2


def test_a_refused_unit_of_work_leaves_nothing_behind(engine: Engine) -> None:
    """The store is fine, its product is not: neither is written (one transaction)."""
    with pytest.raises(InvalidInput), session_scope(engine) as session:
        store = Store(name="Half Written", slug="half-written")
        session.add(store)
        session.flush()
        session.add(Product(store_id=999999, sku="S1", name="Mug", price_cents=1))
    with engine.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM stores WHERE slug = 'half-written'"))
        assert left.scalar_one() == 0


def test_a_naive_datetime_is_refused_for_every_timestamp(session: Session) -> None:
    for column in ("created_at", "updated_at"):
        session.add(Store(name="Naive", slug="naive", **{column: datetime(2026, 1, 1)}))
        with pytest.raises(InvalidInput, match="naive datetime") as refusal:
            session.flush()
        assert refusal.value.field == "timestamp"
        session.rollback()


def test_text_that_looks_like_sql_is_stored_verbatim(session: Session) -> None:
    attack = "'; DROP TABLE users; --"
    store = Store(name=attack, slug="bobby-tables")
    session.add(store)
    session.add(User(email="bobby@example.com", full_name=attack))
    session.flush()
    session.expire_all()
    assert session.get(Store, store.id).name == attack
    assert count(session, "SELECT count(*) FROM users WHERE full_name = :n", n=attack) == 1


def named_constraints() -> set[str]:
    """Every constraint and unique index a write can break, by name (primary keys aside: the
    database makes the ids)."""
    names = set()
    for table in Base.metadata.tables.values():
        names |= {c.name for c in table.constraints if not isinstance(c, PrimaryKeyConstraint)}
        names |= {index.name for index in table.indexes if index.unique}
    return names


def test_every_constraint_in_the_models_has_an_explanation() -> None:
    assert named_constraints() - RULES.keys() == set(), "add them to smartstore/refusals.py"


def test_every_constraint_in_the_migrated_database_has_an_explanation(session: Session) -> None:
    """What the migrations made, which is what refuses: the same names, none missing."""
    in_database = session.execute(
        text(
            "SELECT conname FROM pg_constraint JOIN pg_namespace n ON n.oid = connamespace "
            "WHERE n.nspname = 'public' AND contype IN ('c', 'u', 'f', 'x') "
            "UNION SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND i.indisunique AND NOT i.indisprimary"
        )
    ).scalars()
    names = set(in_database)
    assert names - RULES.keys() == set(), "add them to smartstore/refusals.py"
    assert names == named_constraints()


def test_the_role_refusal_lists_every_role(session: Session) -> None:
    with pytest.raises(InvalidInput) as refusal, session.begin_nested():
        session.execute(text(USER.format(email="'r@example.com'", role="'owner'")))
    assert refusal.value.rule == f"must be one of {', '.join(role.value for role in UserRole)}"


def test_deleting_a_store_that_still_has_users_says_so(session: Session) -> None:
    """The users' foreign key has no cascade: the store's delete is refused, and the explanation is
    about the store's users, not about a store id that does not exist (the same constraint refuses
    both)."""
    store = Store(name="Shop", slug="shop")
    session.add_all(
        [
            store,
            Product(store=store, sku="S1", name="Mug", price_cents=1),
            User(email="m@example.com", full_name="M", role=UserRole.STORE_MANAGER, store=store),
        ]
    )
    session.flush()
    with pytest.raises(InvalidInput) as refusal, session.begin_nested():
        session.execute(text("DELETE FROM stores WHERE slug = 'shop'"))
    assert refusal.value.field == "store"
    assert refusal.value.rule.startswith("still has users who belong to it")
    assert refusal.value.__cause__.diag.constraint_name == "fk_users_store_id_stores"
    assert count(session, "SELECT count(*) FROM products WHERE sku = 'S1'") == 1
