"""A store: the tenant. Every product belongs to exactly one."""

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Identity, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from smartstore.models.base import Base, TimestampMixin
from smartstore.validation import matches, not_blank

if TYPE_CHECKING:
    from smartstore.models.product import Product
    from smartstore.models.user import User

SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


class Store(TimestampMixin, Base):
    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    """Lower-case words joined by hyphens (`northwind-books`): safe in a URL, unique."""

    # passive_deletes: the database's ON DELETE CASCADE removes the products in one statement,
    # instead of the ORM loading every product to delete it row by row.
    products: Mapped[list["Product"]] = relationship(
        back_populates="store", cascade="all, delete-orphan", passive_deletes=True
    )
    users: Mapped[list["User"]] = relationship(back_populates="store")

    @validates("name")
    def check_name(self, key: str, name: str) -> str:
        return not_blank(key, name)

    @validates("slug")
    def check_slug(self, key: str, slug: str) -> str:
        return matches(key, slug, SLUG_PATTERN, "northwind-books")

    def __repr__(self) -> str:
        return f"Store(id={self.id!r}, slug={self.slug!r})"
