"""Notebook 6's checkers, on a real seeded database: a wrong answer gets a hint, the solution passes."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore.db import make_engine
from smartstore.models import Product, Store
from smartstore.seed import seed
from smartstore.workbook.exercises import querying


@pytest.fixture
def seeded(migrated_scratch: URL) -> Iterator[Engine]:
    engine = make_engine(migrated_scratch)
    with Session(engine) as session:
        seed(session)
        session.commit()
    yield engine
    engine.dispose()


def test_cheapest_product_hints_then_accepts_the_solution(seeded: Engine) -> None:
    check = querying.check_cheapest_product
    assert "select(Product)" in check(None, seeded).message
    assert "not its columns" in check(select(Product.sku), seeded).message
    every_store = select(Product).order_by(Product.price_cents).limit(1)
    assert "not northwind-books's" in check(every_store, seeded).message
    of_the_store = select(Product).join(Product.store).where(Store.slug == "northwind-books")
    dearest = of_the_store.order_by(Product.price_cents.desc()).limit(1)
    assert "not the cheapest" in check(dearest, seeded).message
    named = select(Product).where(Product.sku == "NB-1003")  # today's cheapest, named, not found
    assert "the checker added a cheaper product" in check(named, seeded).message
    verdict = check(of_the_store.order_by(Product.price_cents).limit(1), seeded)
    assert verdict.passed, verdict
    with Session(seeded) as session:  # the checker's cheaper product was rolled back
        assert session.scalar(select(func.min(Product.price_cents))) == 1650


def test_6_1_a_refused_statement_quotes_the_database(seeded: Engine) -> None:
    typo = select(Product).where(text("price_cent < 100")).limit(1)
    verdict = querying.check_cheapest_product(typo, seeded)
    assert not verdict
    assert verdict.message == (
        'the database refused it: UndefinedColumn: column "price_cent" does not exist'
    )


def test_6_2_a_count_without_group_by_quotes_the_database(seeded: Engine) -> None:
    no_group_by = select(Store.slug, func.count(Product.id)).outerjoin(Store.products)
    verdict = querying.check_products_per_store(no_group_by, seeded)
    assert not verdict
    assert verdict.message.startswith(
        'the database refused it: GroupingError: column "stores.slug" must appear in the GROUP BY'
    )


def test_6_3_too_few_and_too_many_products_get_the_right_hint(seeded: Engine) -> None:
    check = querying.check_delete_prediction
    assert (
        "does the DELETE succeed at all"
        in check({"products_left": 0, "users_left": 0}, seeded).message
    )
    assert "not that many products" in check({"products_left": 9, "users_left": 3}, seeded).message
    assert "count the users again" in check({"products_left": 5, "users_left": 0}, seeded).message


def test_delete_prediction_runs_the_delete_and_changes_nothing(seeded: Engine) -> None:
    check = querying.check_delete_prediction
    assert not check({"products_left": 0, "users_left": 3}, seeded)
    assert not check({"products_left": None, "users_left": None}, seeded)
    assert check({"products_left": 5, "users_left": 3}, seeded)
    with Session(seeded) as session:  # the checker's DELETE was rolled back
        assert session.scalar(select(func.count()).select_from(Store)) == 2


def test_products_per_store_needs_the_outer_join(seeded: Engine) -> None:
    check = querying.check_products_per_store
    inner = select(Store.slug, func.count(Product.id)).join(Store.products).group_by(Store.slug)
    assert "outerjoin" in check(inner, seeded).message
    star = select(Store.slug, func.count()).outerjoin(Store.products).group_by(Store.slug)
    assert "count(Product.id)" in check(star, seeded).message
    by_id = select(Store.id, func.count(Product.id)).outerjoin(Store.products).group_by(Store.id)
    assert "start with the store's slug" in check(by_id, seeded).message
    outer = select(Store.slug, func.count(Product.id)).outerjoin(Store.products)
    assert check(outer.group_by(Store.slug), seeded)
    with Session(seeded) as session:  # the checker's empty store was rolled back
        assert session.scalar(select(func.count()).select_from(Store)) == 2
