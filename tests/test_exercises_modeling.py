"""Notebooks 2 and 3's checkers: a wrong and a right answer each, probed on a real database."""

from pathlib import Path

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Identity
from sqlalchemy.engine import URL
from sqlalchemy.orm import Mapped, mapped_column, validates

from smartstore.validation import InvalidInput
from smartstore.workbook.exercises.modeling import (
    check_init_imports,
    check_negative_price,
    check_review_model,
    check_review_validates,
    check_transitive_import,
    scratch_base,
)


def review_model(
    *, check: bool, cascade: bool, validator: bool, returns: bool = True, error: type = InvalidInput
) -> type:
    Base = scratch_base()

    class Review(Base):
        __tablename__ = "reviews"
        __table_args__ = (
            (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_between_1_and_5"),)
            if check
            else ()
        )
        id: Mapped[int] = mapped_column(Identity(), primary_key=True)
        product_id: Mapped[int] = mapped_column(
            ForeignKey("products.id", ondelete="CASCADE" if cascade else None)
        )
        stars: Mapped[int]

        if validator:

            @validates("stars")
            def check_stars(self, key: str, stars: int) -> int:
                if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
                    if error is InvalidInput:
                        raise InvalidInput(key, "must be a whole number from 1 to 5")
                    raise error("stars must be 1 to 5")
                return stars if returns else None  # type: ignore[return-value]

    return Review


def test_the_negative_price_is_refused_by_the_constraint_named_by_the_convention(
    migrated_scratch: URL,
) -> None:
    assert "ck_" in check_negative_price("price_cents_not_negative", migrated_scratch).message
    assert not check_negative_price("ck_products_name_not_blank", migrated_scratch)
    assert check_negative_price(None, migrated_scratch).message == (
        "write the constraint's name as a string."
    )
    typo = check_negative_price("ck_products_price_cent_not_negative", migrated_scratch)
    assert typo.message == "not that one: ck_<table>_<the name given in the model>."
    capitals = check_negative_price("CK_PRODUCTS_PRICE_CENTS_NOT_NEGATIVE", migrated_scratch)
    assert not capitals
    assert "the right name in other letters" in capitals.message
    assert str(check_negative_price("ck_products_price_cents_not_negative", migrated_scratch)) == (
        "Exercise 2.1: right: PostgreSQL refused the price -1 with "
        "ck_products_price_cents_not_negative."
    )


def test_a_review_model_counts_only_what_postgresql_enforces(migrated_scratch: URL) -> None:
    assert str(check_review_model(None, migrated_scratch)) == (
        "Exercise 2.2: not yet: define a class Review(Base) with Base = scratch_base()."
    )
    no_check = review_model(check=False, cascade=True, validator=False)
    assert str(check_review_model(no_check, migrated_scratch)) == (
        "Exercise 2.2: not yet: the database accepts 0 stars: a CheckConstraint should refuse it."
    )
    misspelt = review_model(check=True, cascade=True, validator=False)
    misspelt.__table__.append_constraint(ForeignKeyConstraint(["product_id"], ["product.id"]))
    assert check_review_model(misspelt, migrated_scratch).message == (
        "the foreign key points at product.id, which does not exist in the database: "
        "the table is products, its key products.id."
    )
    no_cascade = review_model(check=True, cascade=False, validator=False)
    assert "ON DELETE" in check_review_model(no_cascade, migrated_scratch).message
    right_one = review_model(check=True, cascade=True, validator=False)
    verdict = check_review_model(right_one, migrated_scratch)
    assert str(verdict) == (
        "Exercise 2.2: right: stars 1 to 5 by ck_reviews_stars_between_1_and_5, "
        "and a review goes with its product."
    )
    assert check_review_model(right_one, migrated_scratch), "checking twice works too"


def test_python_refuses_bad_stars_first_only_with_a_validator() -> None:
    without = review_model(check=True, cascade=True, validator=False)
    assert "use @validates" in check_review_validates(without).message
    verdict = check_review_validates(review_model(check=True, cascade=True, validator=True))
    assert verdict, verdict


def test_a_validator_that_forgets_to_return_the_value_is_not_yet() -> None:
    """The classic @validates mistake: every Review would be stored with stars=None."""
    forgets = review_model(check=True, cascade=True, validator=True, returns=False)
    verdict = check_review_validates(forgets)
    assert not verdict
    assert verdict.message == (
        "Review(stars=1) stores None: a @validates method must return the value."
    )


def test_a_validator_raising_another_error_type_is_not_yet() -> None:
    verdict = check_review_validates(
        review_model(check=True, cascade=True, validator=True, error=ValueError)
    )
    assert not verdict
    assert verdict.message == "0 raises ValueError: raise InvalidInput."


def test_2_3_without_a_model_is_not_yet_without_a_traceback() -> None:
    verdict = check_review_validates(None)
    assert not verdict
    assert verdict.message.startswith("do Exercise 2.2 first")


def write_package(folder: Path, init: str) -> Path:
    package = folder / "shop_models"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(init)
    (package / "wishlist.py").write_text(
        "from sqlalchemy import Identity\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n"
        "from smartstore.models.base import Base\n\n"
        "class Wishlist(Base):\n"
        "    __tablename__ = 'wishlists'\n"
        "    id: Mapped[int] = mapped_column(Identity(), primary_key=True)\n"
    )
    (package / "review.py").write_text(
        "from sqlalchemy import Identity\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n"
        "from smartstore.models.base import Base\n"
        "from shop_models.wishlist import Wishlist  # noqa: F401\n\n"
        "class Review(Base):\n"
        "    __tablename__ = 'reviews'\n"
        "    id: Mapped[int] = mapped_column(Identity(), primary_key=True)\n"
    )
    return package


def test_autogenerate_sees_the_review_only_once_the_package_imports_it(
    migrated_scratch: URL, tmp_path: Path
) -> None:
    forgetful = write_package(tmp_path / "before", "import smartstore.models  # noqa: F401\n")
    assert not check_init_imports(forgetful, migrated_scratch)
    assert not check_transitive_import(True, forgetful, migrated_scratch)
    assert check_transitive_import(False, forgetful, migrated_scratch)

    fixed = write_package(
        tmp_path / "after",
        "import smartstore.models  # noqa: F401\nfrom shop_models.review import Review  # noqa: F401\n",
    )
    assert check_init_imports(fixed, migrated_scratch)
    assert str(check_transitive_import(True, fixed, migrated_scratch)) == (
        "Exercise 3.2: right: wishlists is seen: an import anywhere in the chain."
    )
    assert str(check_transitive_import(False, fixed, migrated_scratch)) == (
        "Exercise 3.2: not yet: measured otherwise: what runs when Python imports the review "
        "module?"
    )


def test_3_2_a_prediction_that_is_not_true_or_false_is_not_yet(tmp_path: Path) -> None:
    """Checked before anything is measured: text, None, or a number are no prediction."""
    package = write_package(tmp_path, "import smartstore.models  # noqa: F401\n")
    for not_a_bool in (None, "True", 1):
        verdict = check_transitive_import(not_a_bool, package, None)  # type: ignore[arg-type]
        assert verdict.message == "predict True (it is seen) or False (it is not)."


def test_only_the_packages_own_module_counts_and_a_failing_import_is_a_hint(
    migrated_scratch: URL, tmp_path: Path
) -> None:
    beside = write_package(tmp_path / "beside", "import reviews  # noqa: F401\n")
    (beside.parent / "reviews.py").write_text((beside / "review.py").read_text())
    assert str(check_init_imports(beside, migrated_scratch)) == (
        "Exercise 3.1: not yet: importing shop_models fails: "
        "ModuleNotFoundError: No module named 'reviews'"
    )
    typo = write_package(tmp_path / "typo", "from shop_models.reviews import Review\n")
    assert (
        "No module named 'shop_models.reviews'"
        in check_init_imports(typo, migrated_scratch).message
    )
