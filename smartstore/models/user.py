"""A user of the app: a shopper, a store manager (of one store), or an admin."""

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Identity, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from smartstore.models.base import Base, TimestampMixin
from smartstore.models.roles import UserRole
from smartstore.validation import matches, not_blank, one_of

if TYPE_CHECKING:
    from smartstore.models.store import Store

EMAIL_PATTERN = r"[^@\s]+@[^@\s]+"
"""Something, an @, something: the database's ck_users_email_format says the same."""

USER_ROLE = Enum(
    UserRole,
    name="user_role",
    values_callable=lambda roles: [role.value for role in roles],
)
"""The PostgreSQL ENUM type `user_role`, holding the roles' values (`store_manager`, not names)."""


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so the plain unique constraint also refuses an email that
        # differs from another only in letter case.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("email ~ '^[^@[:space:]]+@[^@[:space:]]+$'", name="email_format"),
        CheckConstraint("length(btrim(full_name)) > 0", name="full_name_not_blank"),
        CheckConstraint(
            "role <> 'store_manager' OR store_id IS NOT NULL", name="store_manager_has_store"
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[UserRole] = mapped_column(
        USER_ROLE, default=UserRole.SHOPPER, server_default=UserRole.SHOPPER.value
    )
    # No cascade: deleting a store must not silently delete its managers' accounts.
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)

    store: Mapped["Store | None"] = relationship(back_populates="users")

    @validates("email")
    def normalise_email(self, key: str, email: str) -> str:
        """`Ada@Example.com` and `ada@example.com` are one address: store it lower-cased."""
        email = email.strip().lower() if isinstance(email, str) else email
        return matches(key, email, EMAIL_PATTERN, "name@example.com")

    @validates("full_name")
    def check_full_name(self, key: str, full_name: str) -> str:
        return not_blank(key, full_name)

    @validates("role")
    def check_role(self, key: str, role: UserRole | str) -> UserRole:
        return one_of(key, role, UserRole)

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r})"
