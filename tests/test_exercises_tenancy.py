"""Notebook 10's checkers on a real seeded database, as the application role under Row-Level Security."""

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from smartstore.models import Product
from smartstore.workbook.exercises import tenancy
from tests.test_exercises_querying import seeded  # noqa: F401  (the fixture)


def test_a_query_for_store_b_must_find_it_as_owner_and_nothing_as_store_a(seeded: Engine) -> None:  # noqa: F811
    check = tenancy.check_cross_store_read
    assert "return what your query finds" in check(lambda session, b: None, seeded).message
    every_product = check(lambda session, b: session.scalars(select(Product)).all(), seeded)
    assert "it finds 5: filter on store B's id" in every_product.message
    harbor_by_sku = check(
        lambda session, b: session.scalars(select(Product).where(Product.sku.like("HC-%"))).all(),
        seeded,
    )
    assert "use the id it is given" in harbor_by_sku.message

    def read_other_store(session: Session, b: int) -> list[Product]:
        return session.scalars(select(Product).where(Product.store_id == b)).all()

    verdict = check(read_other_store, seeded)
    assert verdict.passed, verdict


def test_10_1_a_typo_in_the_table_quotes_the_database_without_a_traceback(
    seeded: Engine,  # noqa: F811
) -> None:
    verdict = tenancy.check_cross_store_read(
        lambda session, b: session.execute(
            text("SELECT * FROM product WHERE store_id = :b"), {"b": b}
        ).all(),
        seeded,
    )
    assert not verdict
    assert verdict.message == ('the database refused your query: relation "product" does not exist')


def test_10_1_returning_a_count_is_not_yet(seeded: Engine) -> None:  # noqa: F811
    verdict = tenancy.check_cross_store_read(
        lambda session, b: session.scalar(
            select(func.count()).select_from(Product).where(Product.store_id == b)
        ),
        seeded,
    )
    assert not verdict
    assert verdict.message.startswith("your function returns int 2: return the products")


def test_10_1_a_function_raising_is_not_yet(seeded: Engine) -> None:  # noqa: F811
    def broken(session: Session, b: int) -> list[Product]:
        raise KeyError("store_b")

    verdict = tenancy.check_cross_store_read(broken, seeded)
    assert not verdict
    assert verdict.message.startswith("your function raised KeyError")


def test_moving_products_into_another_store_is_refused(seeded: Engine) -> None:  # noqa: F811
    check = tenancy.check_move_prediction
    assert (
        check(2, seeded).message == "not what happened: the policy has two halves, USING "
        "and WITH CHECK; which one does a moved row meet?"
    )
    # the guess that RLS hides the rows from the UPDATE, so none move: it is refused instead
    assert not check(0, seeded)
    for not_a_prediction in (None, True, "0"):
        assert check(not_a_prediction, seeded).message == 'predict a number of rows, or "refused".'
    assert check("refused", seeded)
    assert check(" Refused", seeded)
    with Session(seeded) as session:  # nothing moved
        per_store = select(Product.store_id, func.count()).group_by(Product.store_id)
        assert sorted(count for _, count in session.execute(per_store)) == [2, 3]
