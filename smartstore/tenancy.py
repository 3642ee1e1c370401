"""The tenant boundary: work as the application role, for one store at a time.

The second migration turns on Row-Level Security for `products`: the role `smartstore_app` sees and
writes only the rows whose `store_id` equals the transaction's `app.current_store_id`.

Use `store_transaction(engine, store_id)` (a Connection) or `store_session(engine, store_id)` (an ORM
Session): one call opens a transaction, drops to `smartstore_app`, scopes it to the store, and
checks that Row-Level Security really applies there, refusing with a `SmartstoreError` if it would
not (a superuser or BYPASSRLS role, `row_security` off, a database not migrated to the RLS
revision). Without that check a forgotten step fails open: the owner's connection silently sees
every store.

`use_app_role()` and `set_current_store()` are the two steps it takes, kept for teaching. Both last
until the end of the current transaction, so a pooled connection never carries one store's scope
into the next request.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from smartstore.db import session_scope
from smartstore.errors import SmartstoreError

APP_ROLE = "smartstore_app"
STORE_SETTING = "app.current_store_id"
TENANT_TABLE = "products"

RLS_CHECK = text("""
SELECT r.rolsuper, r.rolbypassrls, current_setting('row_security') = 'on', c.relrowsecurity,
       c.relowner = r.oid AND NOT c.relforcerowsecurity
FROM pg_roles r, pg_class c
WHERE r.rolname = current_user AND c.oid = CAST(:table AS regclass)
""")


def use_app_role(connection: Connection | Session) -> None:
    """Act as `smartstore_app` for the rest of this transaction (the login user must be a member)."""
    connection.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))


def set_current_store(connection: Connection | Session, store_id: int) -> None:
    """Scope the rest of this transaction to one store's products."""
    if isinstance(store_id, bool) or not isinstance(store_id, int):
        raise TypeError(f"store_id must be an int, not {store_id!r}")
    connection.execute(
        text("SELECT set_config(:setting, :store_id, true)"),
        {"setting": STORE_SETTING, "store_id": str(store_id)},
    )


def refuse_unless_rls_applies(connection: Connection | Session, table: str = TENANT_TABLE) -> None:
    """Raise SmartstoreError if Row-Level Security would not filter this transaction's reads of
    `table` (products, or another tenant table such as product_embeddings)."""
    row = connection.execute(RLS_CHECK, {"table": table}).one()
    superuser, bypass, row_security, enabled, owner_exempt = row
    role = f"the role {APP_ROLE}"
    reasons = [
        (superuser, f"{role} is a superuser (ALTER ROLE {APP_ROLE} NOSUPERUSER)"),
        (bypass, f"{role} has BYPASSRLS (ALTER ROLE {APP_ROLE} NOBYPASSRLS)"),
        (not row_security, "row_security is off on this connection (do not set it)"),
        (not enabled, f"{table} has no Row-Level Security here (alembic upgrade head)"),
        (owner_exempt, f"{role} owns {table}, and owners are exempt (change its owner)"),
    ]
    found = [reason for applies, reason in reasons if applies]
    if found:
        raise SmartstoreError(
            f"refusing to scope a transaction to a store: Row-Level Security would not apply, as "
            f"{'; '.join(found)}."
        )


def scope_to_store(connection: Connection | Session, store_id: int) -> None:
    """The rest of this transaction acts as `smartstore_app` for one store, checked."""
    use_app_role(connection)
    set_current_store(connection, store_id)
    refuse_unless_rls_applies(connection)


@contextmanager
def store_transaction(engine: Engine, store_id: int) -> Iterator[Connection]:
    """A connection in one transaction, acting as `smartstore_app` for one store: it commits if the
    block succeeds and rolls back if it raises. Refuses where Row-Level Security would not apply."""
    with engine.begin() as connection:
        scope_to_store(connection, store_id)
        yield connection


@contextmanager
def store_session(engine: Engine, store_id: int) -> Iterator[Session]:
    """`store_transaction`'s ORM twin: a Session in one transaction, scoped and checked the same
    way; it commits if the block succeeds and rolls back if it raises."""
    with session_scope(engine) as session:
        scope_to_store(session, store_id)
        yield session
