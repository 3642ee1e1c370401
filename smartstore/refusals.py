"""The database's refusals, explained: a constraint violation becomes an `InvalidInput` that names
the field and the rule.

Every constraint has a predictable name (the naming convention in models/base.py), so this table can
map each one to what a person needs to read. `smartstore.db.make_engine()` attaches `explain_refusal`
to each engine it makes (and to no other); a refusal it does not know keeps SQLAlchemy's own error.
"""

import re

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
still refer to. PostgreSQL names the same constraint and the same (referencing) table at both ends;
the statement's own table tells them apart (`explain`)."""


def explain(error: BaseException, target_table: str | None = None) -> InvalidInput | None:
    """The InvalidInput for a psycopg error, or None if it is not a refusal we can explain.

    `target_table` is the table the failed statement wrote to (`statement_table()`), when known. Only
    fields that read the same in every server language decide: the SQLSTATE (the error's class),
    the constraint's and the table's names, and the server function that raised the error
    (`diag.source_function`), never the message, which a server with `lc_messages = 'de_DE.UTF-8'`
    words in German.
    """
    diag = getattr(error, "diag", None)
    if diag is None:
        return None
    if (
        isinstance(error, psycopg.errors.ForeignKeyViolation)
        and diag.constraint_name in STILL_REFERENCED
        and target_table is not None
        and target_table != diag.table_name
    ):
        # the key names the referencing table (diag.table_name) at both ends; a statement that
        # wrote to another table (the store) was refused for the rows that still point at it
        return InvalidInput(*STILL_REFERENCED[diag.constraint_name])
    if diag.constraint_name in RULES:
        return InvalidInput(*RULES[diag.constraint_name])
    if isinstance(error, psycopg.errors.NotNullViolation) and diag.column_name:
        return InvalidInput(diag.column_name, "is required")
    if (
        isinstance(error, psycopg.errors.InvalidTextRepresentation)
        and diag.source_function == ENUM_INPUT
        and target_table == "users"
    ):
        return InvalidInput("role", f"must be one of {', '.join(role.value for role in UserRole)}")
    if (
        isinstance(error, psycopg.errors.InsufficientPrivilege)
        and diag.source_function == ROW_SECURITY_CHECK
    ):
        return InvalidInput("store_id", "belongs to another store than the one this session is for")
    return None


ENUM_INPUT = "enum_in"
"""The server function that reads an ENUM value: a 22P02 raised there is a label the type lacks
(`users.role` is the schema's one ENUM column)."""
ROW_SECURITY_CHECK = "ExecWithCheckOptions"
"""The server function that checks a written row against the row-level security policies (and
views' CHECK OPTION): a 42501 raised there is a row for another store, not a missing privilege."""

WRITE = re.compile(
    r'^\s*(?:insert\s+into|update|delete\s+from|copy)\s+(?:only\s+)?(?:\w+\.)?"?(\w+)', re.I
)
"""The table a written SQL statement names first (our statement's text, never the server's)."""


def statement_table(context: ExceptionContext) -> str | None:
    """The table the failed statement writes to: the ORM's or Core's insert, update or delete knows
    it; a text statement names it after INSERT INTO, UPDATE, DELETE FROM or COPY."""
    compiled = getattr(context.execution_context, "compiled", None)
    table = getattr(getattr(compiled, "statement", None), "table", None)
    if isinstance(getattr(table, "name", None), str):
        return table.name
    written = WRITE.match(context.statement or "")
    return written[1].lower() if written else None


def explain_refusal(context: ExceptionContext) -> InvalidInput | None:
    """SQLAlchemy's handle_error hook: an exception returned here is raised instead, with the
    driver's original error as its `__cause__`."""
    if isinstance(context.original_exception, InvalidInput):
        return context.original_exception  # a Python check in a column type: no need to wrap it
    return explain(context.original_exception, statement_table(context))
