"""The one definition of a user's role; RBAC in later phases imports it from here."""

import enum


class UserRole(enum.StrEnum):
    """Stored as the PostgreSQL ENUM type `user_role`, by value."""

    SHOPPER = "shopper"
    STORE_MANAGER = "store_manager"
    """Manages one store: `users.store_id` says which."""
    ADMIN = "admin"
