"""A product, owned by one store: `store_id` is the tenant boundary.

Every query in later phases (RAG retrieval, the API, Row-Level Security) filters by `store_id`. The
unique index on `(store_id, sku)` starts with `store_id`, so it is also the index those queries use;
a second index on `store_id` alone would cost every insert and speed up nothing.
"""

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Identity, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from smartstore.models.base import Base, Cents, TimestampMixin
from smartstore.validation import not_blank, whole_cents

if TYPE_CHECKING:
    from smartstore.models.store import Store


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("store_id", "sku"),
        CheckConstraint("price_cents >= 0", name="price_cents_not_negative"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        CheckConstraint("length(btrim(sku)) > 0", name="sku_not_blank"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    """Unique within a store; two stores may use the same SKU."""
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    price_cents: Mapped[int] = mapped_column(Cents())
    """Money as a whole number of cents: 899 is $8.99. Floats cannot hold 0.10 exactly."""

    store: Mapped["Store"] = relationship(back_populates="products")

    @validates("name", "sku")
    def check_text(self, key: str, value: str) -> str:
        return not_blank(key, value)

    @validates("price_cents")
    def check_price(self, key: str, cents: int) -> int:
        return whole_cents(key, cents)

    def __repr__(self) -> str:
        return f"Product(id={self.id!r}, store_id={self.store_id!r}, sku={self.sku!r})"
