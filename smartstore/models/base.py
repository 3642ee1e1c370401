"""What every model shares: the metadata with its naming convention, and timestamps done right.

Two rules live here so no model can forget them:
- every constraint and index gets a predictable name (`uq_products_store_id_sku`), so a migration can
  refer to it by name and a constraint error names the rule that was broken;
- every timestamp is an aware UTC `datetime` stored as `timestamptz`. `datetime.utcnow()` returns a
  *naive* value (no zone) and is deprecated since Python 3.12; `utc_now()` is its replacement.
"""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, MetaData, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from smartstore.validation import InvalidInput, whole_cents

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata
"""Every table's MetaData. pytest-alembic's check that every model is imported looks for a MetaData
(or an old-style DeclarativeMeta base, which SQLAlchemy 2's DeclarativeBase is not) in the models'
package, so `smartstore.models` exports it by this name."""


def utc_now() -> datetime:
    """The current instant, aware, in UTC: what `datetime.utcnow()` should have been."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`timestamptz` that refuses naive datetimes and always gives back UTC.

    A naive value has no zone, so storing it means guessing one; we refuse to guess. Aware values in
    any zone are stored as the same instant, and come back in UTC whatever the session's TimeZone.
    Migrations see it as plain `sa.DateTime(timezone=True)` (see alembic/env.py).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise InvalidInput(
                "timestamp",
                f"naive datetime {value.isoformat()} refused: give an aware datetime "
                "(for example smartstore.models.utc_now() or datetime.now(timezone.utc))",
            )
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None


class Cents(TypeDecorator[int]):
    """An INTEGER of cents that refuses floats on every SQLAlchemy path, Core inserts included.

    PostgreSQL itself would round `8.99` to `9` when it casts a float into an integer column, so the
    float has to be caught before it leaves Python.
    """

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        return value if value is None else whole_cents("price_cents", value)


class TimestampMixin:
    """`created_at` set once; `updated_at` set again by every ORM or Core update of the row."""

    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utc_now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utc_now, server_default=func.now(), onupdate=utc_now
    )
