"""Checkers for notebooks 2 and 3: a constraint's name, a model of your own, and the import that
makes autogenerate see it.

The learner's model is created in a scratch database (at head, so `products` is there to point at)
and probed with real rows inside a transaction that is rolled back: a rule counts only when
PostgreSQL enforces it.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy import MetaData
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

from smartstore.db import connect, make_engine
from smartstore.models.base import NAMING_CONVENTION, Base
from smartstore.validation import InvalidInput
from smartstore.workbook import lab
from smartstore.workbook.exercises import Verdict, not_yet, right


def scratch_base() -> type[DeclarativeBase]:
    """A declarative base of its own for an exercise's models, with the project's naming convention
    and copies of the real tables (so `ForeignKey("products.id")` resolves).

    A fresh one each call: running the exercise's cell again defines the model again without
    "Table 'reviews' is already defined", and the project's own `Base.metadata` never sees it.
    """
    copies = MetaData(naming_convention=NAMING_CONVENTION)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(copies)

    class ScratchBase(DeclarativeBase):
        metadata = copies

    return ScratchBase


def _violated_constraint(conn: psycopg.Connection, sql: str) -> str | None:
    """What refuses `sql`: a constraint's name (or the error's kind, for NOT NULL), or None if it is
    accepted. Either way it is undone."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(sql)
    except psycopg.errors.IntegrityError as error:
        return error.diag.constraint_name or type(error).__name__
    return None


STORE_AND_PRODUCT = (
    "WITH s AS (INSERT INTO stores (name, slug) VALUES ('Check', 'exercise-check') RETURNING id) "
)


def check_negative_price(answer: object, url: URL) -> Verdict:
    """Exercise 2.1: the name of the constraint that refuses a negative price, predicted."""
    name = "Exercise 2.1"
    if not isinstance(answer, str) or not answer.strip():
        return not_yet(name, "write the constraint's name as a string.")
    with connect(url) as conn:
        refused_by = _violated_constraint(
            conn,
            STORE_AND_PRODUCT + "INSERT INTO products (store_id, sku, name, price_cents) "
            "SELECT id, 'SKU-1', 'A thing', -1 FROM s",
        )
    if answer.strip() == refused_by:
        return right(name, f"PostgreSQL refused the price -1 with {refused_by}.")
    if answer.strip().lower() == refused_by:
        return not_yet(
            name, "the right name in other letters: PostgreSQL's names are lower case, write it so."
        )
    if not answer.strip().lower().startswith("ck_"):
        return not_yet(name, "a CHECK constraint's name starts with ck_ (the naming convention).")
    return not_yet(name, "not that one: ck_<table>_<the name given in the model>.")


def _review_table(model: object) -> str | Verdict:
    name = "Exercise 2.2"
    table = getattr(model, "__table__", None)
    if table is None:
        return not_yet(name, "define a class Review(Base) with Base = scratch_base().")
    if table.name != "reviews":
        return not_yet(name, f"the table is called {table.name!r}: name it 'reviews'.")
    if not {"product_id", "stars"} <= set(table.columns.keys()):
        return not_yet(name, "the model needs the columns product_id and stars.")
    return table.name


def _missing_foreign_key_target(table: object, url: URL) -> str | None:
    """The first foreign key's target `table.column` the database does not have, else None.

    Asked of the database before the table is created, because SQLAlchemy's own error for a typo
    there is about something else ("Can't generate DDL for NullType()" when the column's type was
    to come from the missing target)."""
    targets = [
        element.target_fullname
        for constraint in getattr(table, "foreign_key_constraints", ())
        for element in constraint.elements
    ]
    with connect(url) as conn:
        for target in targets:
            table_name, _, column = target.rpartition(".")
            found = conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = %s AND column_name = %s",
                (table_name, column),
            ).fetchone()
            if found is None:
                return target
    return None


def check_review_model(model: object, url: URL) -> Verdict:
    """Exercise 2.2: a `Review` (id, product_id, stars) whose rules PostgreSQL enforces: stars 1 to
    5 by a named CHECK constraint, the product required, deleted with its product."""
    name = "Exercise 2.2"
    table = _review_table(model)
    if isinstance(table, Verdict):
        return table
    missing = _missing_foreign_key_target(model.__table__, url)
    if missing:
        return not_yet(
            name,
            f"the foreign key points at {missing}, which does not exist in the database: "
            "the table is products, its key products.id.",
        )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS reviews")
            model.__table__.create(conn)
    except SQLAlchemyError as error:  # an unnamed CHECK, a foreign key to a missing table, ...
        return not_yet(name, f"the table cannot be created: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()
    product = (
        STORE_AND_PRODUCT + ", p AS (INSERT INTO products (store_id, sku, name, price_cents) "
        "SELECT id, 'SKU-1', 'A thing', 100 FROM s RETURNING id) "
    )
    with connect(url) as conn:
        for stars in (0, 6):
            refused_by = _violated_constraint(
                conn, product + f"INSERT INTO reviews (product_id, stars) SELECT id, {stars} FROM p"
            )
            if refused_by is None:
                return not_yet(
                    name, f"the database accepts {stars} stars: a CheckConstraint should refuse it."
                )
            if not refused_by.startswith("ck_reviews_"):
                return not_yet(name, f"{stars} stars is refused by {refused_by}: is it a CHECK?")
        for stars in (1, 5):
            if _violated_constraint(
                conn, product + f"INSERT INTO reviews (product_id, stars) SELECT id, {stars} FROM p"
            ):
                return not_yet(name, f"{stars} stars is refused, but 1 to 5 are allowed.")
        orphan = _violated_constraint(
            conn, "INSERT INTO reviews (product_id, stars) VALUES (NULL, 3)"
        )
        if orphan is None:
            return not_yet(name, "a review without a product is accepted: product_id is required.")
        left = _reviews_left_after_deleting_the_product(conn, product)
    if left is None:
        return not_yet(name, "the product cannot be deleted while it has reviews: ON DELETE?")
    if left:
        return not_yet(name, "the review outlives its product: delete it with the product.")
    return right(name, f"stars 1 to 5 by {refused_by}, and a review goes with its product.")


def _reviews_left_after_deleting_the_product(conn: psycopg.Connection, product: str) -> int | None:
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(product + "INSERT INTO reviews (product_id, stars) SELECT id, 4 FROM p")
            conn.execute("DELETE FROM products WHERE sku = 'SKU-1'")
            return conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    except psycopg.errors.IntegrityError:
        return None


def check_review_validates(model: object) -> Verdict:
    """Exercise 2.3: Python refuses bad stars first, with the one error type, naming the field."""
    name = "Exercise 2.3"
    table = _review_table(model)
    if isinstance(table, Verdict):
        return not_yet(name, "do Exercise 2.2 first: " + table.message)
    for stars in (1, 5):
        try:
            review = model(stars=stars)
        except InvalidInput:
            return not_yet(name, f"{stars} stars is refused in Python, but 1 to 5 are allowed.")
        except Exception as error:  # the learner's code may raise anything; say what it was
            return not_yet(name, f"{stars} stars raises {type(error).__name__}: {error}")
        kept = getattr(review, "stars", None)
        if kept != stars:  # the classic @validates mistake: the method forgets `return stars`
            return not_yet(
                name,
                f"Review(stars={stars}) stores {kept!r}: a @validates method must return the value.",
            )
    for stars in (0, 6, 3.5):
        try:
            model(stars=stars)
        except InvalidInput as error:
            if error.field != "stars":
                return not_yet(name, f"the error names the field {error.field!r}, not 'stars'.")
        except Exception as error:  # the learner's code may raise anything; say what it was
            return not_yet(name, f"{stars!r} raises {type(error).__name__}: raise InvalidInput.")
        else:
            return not_yet(name, f"Review(stars={stars!r}) is accepted in Python: use @validates.")
    return right(name, "Review(stars=6) is refused in Python, before the database sees it.")


def _package_sees(name: str, package: Path, url: URL) -> list[str] | Verdict:
    """What autogenerate sees when a new process imports only the package: a copy of it, alone in
    a folder, so that only the package's own modules can be imported (not a file beside it)."""
    with tempfile.TemporaryDirectory(prefix="smartstore-exercise-") as folder:
        shutil.copytree(
            package, Path(folder) / package.name, ignore=shutil.ignore_patterns("__pycache__")
        )
        try:
            return lab.autogenerate_sees([package.name], url, extra_path=Path(folder))
        except subprocess.CalledProcessError as error:
            last = (error.stderr or "").strip().splitlines()[-1:] or ["it failed"]
            return not_yet(name, f"importing {package.name} fails: {last[0]}")


def check_init_imports(package: Path, url: URL) -> Verdict:
    """Exercise 3.1: the scratch package's `__init__.py` imports the review model, so that
    autogenerate, importing only the package as env.py does, sees the table."""
    name = "Exercise 3.1"
    ops = _package_sees(name, package, url)
    if isinstance(ops, Verdict):
        return ops
    if "CreateTableOp reviews" in ops:
        return right(name, f"importing {package.name} alone now brings reviews into the metadata.")
    return not_yet(
        name, f"importing {package.name} alone still does not define reviews: which module does?"
    )


def check_transitive_import(prediction: object, package: Path, url: URL) -> Verdict:
    """Exercise 3.2: predicted, then measured: does autogenerate see `wishlists`, which only the
    review module imports?"""
    name = "Exercise 3.2"
    if not isinstance(prediction, bool):
        return not_yet(name, "predict True (it is seen) or False (it is not).")
    ops = _package_sees(name, package, url)
    if isinstance(ops, Verdict):
        return ops
    seen = "CreateTableOp wishlists" in ops
    if prediction == seen:
        how = "an import anywhere in the chain" if seen else "nothing imports it"
        return right(name, f"wishlists is {'seen' if seen else 'not seen'}: {how}.")
    return not_yet(name, "measured otherwise: what runs when Python imports the review module?")
