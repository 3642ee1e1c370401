"""The database's refusals, explained: a constraint violation becomes an `InvalidInput` that names
the field and the rule.

Every constraint has a predictable name (the naming convention in models/base.py), so this table can
map each one to what a person needs to read. `smartstore.db.make_engine()` attaches `explain_refusal`
to each engine it makes (and to no other); a refusal it does not know keeps SQLAlchemy's own error.
"""

import psycopg.errors
from sqlalchemy.engine import ExceptionContext

from smartstore.models.roles import UserRole
from smartstore.validation import InvalidInput

RULES: dict[str, tuple[str, str]] = {
    "ck_stores_name_not_blank": ("name", "must not be empty or blank"),
    "ck_stores_slug_format": (
        "slug",
        "must be lower-case words joined by hyphens, like 'northwind-books'",
    ),
    "uq_stores_slug": ("slug", "is already taken by another store"),
    "ck_products_name_not_blank": ("name", "must not be empty or blank"),
    "ck_products_sku_not_blank": ("sku", "must not be empty or blank"),
    "ck_products_price_cents_not_negative": ("price_cents", "must be 0 or more"),
    "uq_products_store_id_sku": ("sku", "is already used by another product of the same store"),
    "fk_products_store_id_stores": ("store_id", "must be the id of an existing store"),
    "ck_users_email_lower_case": ("email", "must be stored lower-case"),
    "ck_users_email_format": ("email", "must look like 'name@example.com'"),
    "uq_users_email": ("email", "is already registered (emails are compared ignoring letter case)"),
    "ck_users_full_name_not_blank": ("full_name", "must not be empty or blank"),
    "ck_users_store_manager_has_store": ("store_id", "a store_manager must belong to a store"),
    "fk_users_store_id_stores": ("store_id", "must be the id of an existing store"),
    "fk_product_embeddings_product_id_products": (
        "product_id",
        "must be the id of an existing product",
    ),
    "fk_product_embeddings_store_id_stores": ("store_id", "must be the id of an existing store"),
}

STILL_REFERENCED: dict[str, tuple[str, str]] = {
    "fk_users_store_id_stores": (
        "store",
        "still has users who belong to it: move them to another store or delete them first",
    ),
    "fk_products_store_id_stores": (
        "store",
        "still has products that belong to it: move them to another store or delete them first",
    ),
}
"""The same foreign keys seen from the other end: a delete (or a change of id) of a store that rows
still refer to. PostgreSQL names the same constraint; its message says which end was refused."""


def explain(error: BaseException) -> InvalidInput | None:
    """The InvalidInput for a psycopg error, or None if it is not a refusal we can explain."""
    diag = getattr(error, "diag", None)
    if diag is None:
        return None
    if _refused_at_referenced_end(error) and diag.constraint_name in STILL_REFERENCED:
        return InvalidInput(*STILL_REFERENCED[diag.constraint_name])
    if diag.constraint_name in RULES:
        return InvalidInput(*RULES[diag.constraint_name])
    if isinstance(error, psycopg.errors.NotNullViolation) and diag.column_name:
        return InvalidInput(diag.column_name, "is required")
    if isinstance(error, psycopg.errors.InvalidTextRepresentation) and "user_role" in str(error):
        return InvalidInput("role", f"must be one of {', '.join(role.value for role in UserRole)}")
    if isinstance(error, psycopg.errors.InsufficientPrivilege) and "row-level security" in str(
        error
    ):
        return InvalidInput("store_id", "belongs to another store than the one this session is for")
    return None


def _refused_at_referenced_end(error: BaseException) -> bool:
    """A foreign key refuses either a row that points nowhere ("insert or update on table ...") or
    the removal of a row others still point at ("update or delete on table ..."): same constraint,
    opposite advice."""
    message = error.diag.message_primary or ""
    return isinstance(error, psycopg.errors.ForeignKeyViolation) and message.startswith(
        "update or delete on table"
    )


def explain_refusal(context: ExceptionContext) -> InvalidInput | None:
    """SQLAlchemy's handle_error hook: an exception returned here is raised instead, with the
    driver's original error as its `__cause__`."""
    if isinstance(context.original_exception, InvalidInput):
        return context.original_exception  # a Python check in a column type: no need to wrap it
    return explain(context.original_exception)
