"""The tenant boundary: work as the application role, for one store at a time.

The second migration turns on Row-Level Security for `products`: the role `smartstore_app` sees and
writes only the rows whose `store_id` equals the transaction's `app.current_store_id`. Both settings
here last until the end of the current transaction, so a pooled connection never carries one
store's scope into the next request.
"""

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

APP_ROLE = "smartstore_app"
STORE_SETTING = "app.current_store_id"


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
