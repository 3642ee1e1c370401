"""A product's embedding: where the tenant boundary meets vector search.

A table of its own, keyed by product, not a column on `products` (the migration argues the choice).
It carries the product's `store_id` itself, because the filter of a vector search, and the
Row-Level Security policy that backs it, must be able to see the tenant on the very rows the index
returns, without a join. `text_md5` is the md5 of the text that was embedded, so `ingest` can tell
an embedding that still fits its product from one that an edit made stale.
"""

from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from smartstore.models.base import Base, UTCDateTime

EMBEDDING_DIMENSIONS = 128
"""The stand-in embedding's size (see smartstore.catalog.embed). A real model in Phase 2 brings its
own size (384, 768, ...): that is a new migration, which re-creates this column and its index."""


class ProductEmbedding(Base):
    __tablename__ = "product_embeddings"
    __table_args__ = (
        Index(
            "ix_product_embeddings_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    """The product's store, copied by `ingest`: the column every vector query filters on."""
    text_md5: Mapped[str] = mapped_column(String(32))
    """md5 of the text that was embedded (the product's name and description)."""
    embedding: Mapped[list[float]] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    embedded_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    def __repr__(self) -> str:
        return f"ProductEmbedding(product_id={self.product_id!r}, store_id={self.store_id!r})"
