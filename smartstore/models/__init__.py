"""Every model, imported here on purpose.

Alembic's autogenerate only sees tables whose classes have been imported, because importing a model
class is what adds its table to `Base.metadata`. `alembic/env.py` imports this package, so a model
missing from this list is a model no migration will ever create.
"""

from smartstore.models.base import Base, TimestampMixin, UTCDateTime, metadata, utc_now
from smartstore.models.embedding import EMBEDDING_DIMENSIONS, ProductEmbedding
from smartstore.models.product import Product
from smartstore.models.roles import UserRole
from smartstore.models.store import Store
from smartstore.models.user import User

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "Base",
    "Product",
    "ProductEmbedding",
    "Store",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "UserRole",
    "metadata",
    "utc_now",
]
