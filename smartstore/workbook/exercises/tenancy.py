"""Checkers for notebook 10's exercises: try to cross the tenant boundary, and predict what the
policy does to a product moved into another store.

Each runs on the real database, inside a transaction that is rolled back, as the application role
`smartstore_app` scoped to one store (`scope_to_store`, what `store_session` does), as the
application would be.
"""

from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from smartstore.models import Product, Store
from smartstore.tenancy import scope_to_store
from smartstore.validation import InvalidInput
from smartstore.workbook.exercises import Verdict, first_line, not_yet, right
from smartstore.workbook.exercises.rollback import rolled_back_session

STORE_A, STORE_B = "northwind-books", "harbor-coffee"


def _store_ids(session: Session) -> tuple[int, int]:
    ids = dict(session.execute(select(Store.slug, Store.id)).all())
    return ids[STORE_A], ids[STORE_B]


def _count_found(
    read_other_store: Callable[[Session, int], object], session: Session, store_id: int
) -> int | str:
    """How many products the learner's query finds, or a plain sentence saying why it could not
    be counted: the learner's code may raise anything (a database error, quoted) or return
    something that is not a list of rows."""
    try:
        with session.begin_nested():  # a refused statement leaves the checker's session usable
            found = read_other_store(session, store_id)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return f"the database refused your query: {first_line(cause)}"
    except Exception as error:  # the learner's code may raise anything; say what it was
        return f"your function raised {type(error).__name__}: {first_line(error)}"
    if found is None:
        return "return what your query finds (a list of store B's products)."
    if isinstance(found, (int, str, bytes)) or not hasattr(found, "__iter__"):
        return (
            f"your function returns {type(found).__name__} {found!r}: return the products "
            "themselves (session.scalars(...).all()), not a count."
        )
    return len(list(found))  # type: ignore[call-overload]


def check_cross_store_read(
    read_other_store: Callable[[Session, int], object], engine: Engine
) -> Verdict:
    """Exercise 10.1: a query for store B's products, run once as the table's owner (it must find
    them) and once in store A's session (Row-Level Security must hide them); and, as the owner, for a
    third store the checker adds, so a query that ignores the id it is given is found out."""
    name = "Exercise 10.1"
    with rolled_back_session(engine) as session:
        a, b = _store_ids(session)
        b_products = session.scalar(select(func.count()).where(Product.store_id == b))
        found = _count_found(read_other_store, session, b)
        if isinstance(found, str):
            return not_yet(name, found)
        if found != b_products:
            return not_yet(
                name,
                f"with nothing in its way your query should find store B's {b_products} products; "
                f"it finds {found}: filter on store B's id.",
            )
        # a third store (rolled back): a query that ignores the id it is given finds the wrong rows
        c = session.scalar(
            insert(Store).values(name="Checker Store", slug="checker-store").returning(Store.id)
        )
        session.execute(insert(Product).values(store_id=c, sku="C-1", name="Mug", price_cents=1))
        found_c = _count_found(read_other_store, session, c)
        if isinstance(found_c, str):
            return not_yet(name, found_c)
        if found_c != 1:
            return not_yet(
                name,
                f"asked for another store's products (1 of them), it finds {found_c}: "
                "use the id it is given, other_store_id.",
            )
        session.expunge_all()
        scope_to_store(session, a)
        seen = _count_found(read_other_store, session, b)
        if isinstance(seen, str):
            return not_yet(name, "in store A's session " + seen)
    if seen:
        return not_yet(name, f"store A's session saw {seen} of store B's products: is RLS on?")
    return right(
        name,
        f"as the owner your query finds store B's {b_products} products; "
        "in store A's session, none: the database hid them.",
    )


def check_move_prediction(prediction: object, engine: Engine) -> Verdict:
    """Exercise 10.2: in store B's transaction, `UPDATE products SET store_id = <store A>`: how many
    rows move, or is it "refused"?"""
    name = "Exercise 10.2"
    if isinstance(prediction, str):
        prediction = prediction.strip().lower()
    if prediction != "refused" and (
        isinstance(prediction, bool) or not isinstance(prediction, int)
    ):
        return not_yet(name, 'predict a number of rows, or "refused".')
    with rolled_back_session(engine) as session:
        a, b = _store_ids(session)
        scope_to_store(session, b)
        try:
            with session.begin_nested():
                moved = session.execute(update(Product).values(store_id=a)).rowcount
            outcome: int | str = moved
        except (InvalidInput, SQLAlchemyError):
            outcome = "refused"
        session.execute(text("RESET ROLE"))
    if prediction == outcome:
        return right(name, f"{outcome}: the new rows would belong to another store (WITH CHECK).")
    if outcome == "refused":
        return not_yet(
            name,
            "not what happened: the policy has two halves, USING and WITH CHECK; "
            "which one does a moved row meet?",
        )
    return not_yet(name, f"not what happened: {outcome} rows moved.")
