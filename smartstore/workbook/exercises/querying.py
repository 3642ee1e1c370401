"""Checkers for notebook 6's exercises: queries through the ORM, and what a DELETE really does.

Each runs the learner's statement on the real database inside a transaction that is rolled back, so
checking an answer never changes the data.
"""

from sqlalchemy import Engine, Select, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from smartstore.models import Product, Store, User
from smartstore.validation import InvalidInput
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right
from smartstore.workbook.exercises.rollback import rolled_back_session


def check_cheapest_product(
    statement: object, engine: Engine, slug: str = "northwind-books"
) -> Verdict:
    """Exercise 6.1: one `select(Product)` statement that returns the store's cheapest product.

    Run after the checker adds a cheaper product to the store (and one cheaper still to every other
    store), so a statement that names today's cheapest product, or forgets the store, is found out.
    """
    name = "Exercise 6.1"
    if not isinstance(statement, Select):
        return not_yet(name, "build a statement with select(Product) and give it to `answer`.")
    with rolled_back_session(engine) as session:
        # a query that names today's cheapest product instead of finding it must fail, and so
        # must one that forgets the store: every other store gets a product cheaper still
        store_id = session.scalar(select(Store.id).where(Store.slug == slug))
        for store in session.scalars(select(Store.id)).all():
            cents = 1 if store == store_id else 0
            session.execute(
                insert(Product).values(
                    store_id=store, sku="EX-CHEAPEST", name="Bookmark", price_cents=cents
                )
            )
        try:
            rows = session.execute(statement).all()
        except (SQLAlchemyError, InvalidInput) as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
        prices = select(Product.id).join(Product.store).where(Store.slug == slug)
        cheapest = session.scalars(prices.order_by(Product.price_cents, Product.id)).first()
        if not rows:
            return not_yet(name, f"it returns no rows: is the store's slug spelled '{slug}'?")
        if len(rows[0]) != 1 or not isinstance(rows[0][0], Product):
            return not_yet(
                name, "select the Product entity itself, select(Product), not its columns."
            )
        products = [row[0] for row in rows]
        if len(products) > 1:
            return not_yet(
                name, f"it returns {len(products)} products: keep only the first one (limit)."
            )
        if products[0].store_id != store_id:
            return not_yet(
                name, f"that product is not {slug}'s: join the store and filter on its slug."
            )
    if products[0].id != cheapest:
        return not_yet(
            name,
            "that is not the cheapest one (the checker added a cheaper product first): "
            "let the database sort by price, lowest first.",
        )
    return right(name, f"it found the cheapest product of {slug}, even the one the checker added.")


def check_delete_prediction(prediction: object, engine: Engine) -> Verdict:
    """Exercise 6.3: how many products and users are left after `DELETE FROM stores`?

    The DELETE really runs, inside a transaction that is rolled back afterwards.
    """
    name = "Exercise 6.3"
    if not isinstance(prediction, dict) or set(prediction) != {"products_left", "users_left"}:
        return not_yet(name, 'predict both numbers: {"products_left": ..., "users_left": ...}.')
    if not all(isinstance(value, int) for value in prediction.values()):
        return not_yet(name, "write your prediction as two whole numbers, not None.")
    with rolled_back_session(engine) as session:
        try:
            with session.begin_nested():
                session.execute(delete(Store))
        except (SQLAlchemyError, InvalidInput):
            pass  # refused: the savepoint is rolled back, nothing was deleted
        left = {
            "products_left": session.scalar(select(func.count()).select_from(Product)),
            "users_left": session.scalar(select(func.count()).select_from(User)),
        }
    if prediction == left:
        return right(name, f"{left['products_left']} products and {left['users_left']} users left.")
    if prediction["products_left"] > left["products_left"]:
        return not_yet(name, "not that many products: count them again.")
    if prediction["products_left"] != left["products_left"]:
        return not_yet(
            name,
            "more products are left than that: does the DELETE succeed at all? Look at who still "
            "points at a store (users.store_id has no cascade).",
        )
    return not_yet(name, "the products are right; count the users again.")


def check_products_per_store(statement: object, engine: Engine) -> Verdict:
    """Exercise 6.2: every store's slug and its number of products, stores without products too.

    The checker adds a store with no products (rolled back afterwards) before it runs the statement.
    """
    name = "Exercise 6.2"
    if not isinstance(statement, Select):
        return not_yet(name, "build a select(Store.slug, ...) statement and give it to `answer`.")
    with rolled_back_session(engine) as session:
        session.execute(insert(Store).values(name="Empty Shelf", slug="empty-shelf"))
        expected = {
            slug: session.scalar(
                select(func.count(Product.id)).join(Product.store).where(Store.slug == slug)
            )
            for slug in session.scalars(select(Store.slug))
        }
        try:
            rows = session.execute(statement).all()
        except (SQLAlchemyError, InvalidInput) as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
    if any(len(row) != 2 for row in rows):
        return not_yet(name, "each row should hold two things: the store's slug and a count.")
    found = dict(rows)
    if not all(isinstance(slug, str) for slug in found):
        return not_yet(name, "each row should start with the store's slug, then its count.")
    if "empty-shelf" not in found:
        return not_yet(
            name, "a store with no products is missing: an inner join drops it (try outerjoin)."
        )
    if found.get("empty-shelf") == 1:
        return not_yet(name, "the empty store counts 1: count(Product.id), not count(*).")
    if found != expected:
        return not_yet(name, f"the counts differ from the database's: {found}.")
    return right(name, "every store is there, the one without products with 0.")
