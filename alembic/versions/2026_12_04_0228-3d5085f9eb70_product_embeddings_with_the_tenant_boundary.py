"""product embeddings with the tenant boundary

Revision ID: 3d5085f9eb70
Revises: 4d3c1617c846
Create Date: 2026-12-04 02:28:41.538716+00:00

The first piece of Phase 2's vector search: each product's embedding, under the same tenant boundary
as the product. Autogenerate wrote the table and its indexes (with `pgvector.sqlalchemy.vector`
unimported: fixed below); the extension, the grant and the policy were written by hand and reviewed.

- **The `vector` extension** (pgvector). Before creating it the upgrade looks in
  `pg_available_extensions`: a server without pgvector stops the upgrade with one message that says
  what to install, instead of PostgreSQL's `could not open extension control file`. pgvector is not
  a trusted extension, so creating it needs a superuser; a login that may not gets the exact
  statement an administrator must run. An extension that is already there (an administrator
  installed it, or another schema uses it) is left alone.
- **Its downgrade drops the extension only if this upgrade created it.** The upgrade marks the
  extension it creates with a comment (`COMMENT ON EXTENSION`); the downgrade drops the extension
  only when that mark is there, and keeps it (with a NOTICE) if something else has started using it
  since. An extension found already installed is never ours to drop: dropping it would break
  whatever else uses it, or take away what an administrator set up on purpose.
- **A table keyed by product, not a column on `products`.** Embeddings are derived data with a life
  of their own: `ingest` rewrites them in bulk (a column on `products` would rewrite every product
  row, 200,000 new row versions, and bloat the table the application's writes use); Phase 2 swaps in
  a real model with another dimension by replacing this one table and its index, without touching
  `products`; and the HNSW index is built over this table only. The cost of the choice is that
  `store_id` is copied: the table carries it because a vector query (and its RLS policy) must filter
  on the rows the index returns, without a join. `ingest` copies it from the product, re-embeds a
  product whose `store_id` no longer matches, and `smartstore.catalog.search` joins back to
  `products` on both `id` and `store_id`, so a stale copy can never surface another store's product.
- **Row-Level Security with the same policy as `products`**: a row is visible (and writable) only
  when its `store_id` equals the transaction's `app.current_store_id`. `smartstore_app` may only
  read it: embeddings are written by `ingest`, which runs as the owner, like the seed.
- **Indexes**: HNSW with cosine distance (`vector_cosine_ops`, what `<=>` and the catalog use), and a
  B-tree on `store_id`, which is what exact search within one store reads (see smartstore.catalog
  for why that, not the HNSW index, is the default path). The table is new and empty, so a plain
  CREATE INDEX takes no time and blocks nobody.
- Round trip checked (tests/test_migrations.py): each step down restores the schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import VECTOR

revision: str = "3d5085f9eb70"
down_revision: str | Sequence[str] | None = "4d3c1617c846"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "smartstore_app"
CURRENT_STORE = "NULLIF(current_setting('app.current_store_id', true), '')::integer"
EXTENSION = "vector"
CREATED_HERE = "pgvector, created by the smartstore migration 3d5085f9eb70 (its downgrade drops it)"
"""The mark on an extension this migration created: the downgrade drops only a marked one."""

# Kept as a template so tests can run it on an extension name that no server has (the message a
# server without pgvector gives).
REQUIRE_EXTENSION = """
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = '{name}') THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = '{name}') THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', MESSAGE = format(
            'this PostgreSQL server (%s) does not have the extension {name} (pgvector), which the '
            'product embeddings need: install pgvector on the server (for example the package '
            'postgresql-%s-pgvector, or build it from https://github.com/pgvector/pgvector), '
            'or use the embedded server, which ships it; then run the upgrade again',
            current_setting('server_version'), current_setting('server_version_num')::int / 10000);
    END IF;
    BEGIN
        CREATE EXTENSION {name};
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
            'the user %I may not create the extension {name} (only a superuser may): have an '
            'administrator run CREATE EXTENSION {name}; in the database %I, then run the upgrade '
            'again', current_user, current_database());
    END;
    COMMENT ON EXTENSION {name} IS '{mark}';
END $$
"""

DROP_EXTENSION_IF_CREATED_HERE = f"""
DO $$
BEGIN
    IF obj_description((SELECT oid FROM pg_extension WHERE extname = '{EXTENSION}'), 'pg_extension')
       IS DISTINCT FROM '{CREATED_HERE}' THEN
        RETURN;  -- not ours: it was there before the upgrade
    END IF;
    DROP EXTENSION {EXTENSION};
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE 'extension {EXTENSION} kept: other objects in this database use it now';
END $$
"""


def upgrade() -> None:
    op.execute(REQUIRE_EXTENSION.format(name=EXTENSION, mark=CREATED_HERE))
    op.create_table(
        "product_embeddings",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("text_md5", sa.String(length=32), nullable=False),
        sa.Column("embedding", VECTOR(dim=128), nullable=False),
        sa.Column(
            "embedded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_embeddings_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_product_embeddings_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_embeddings")),
    )
    op.create_index(
        "ix_product_embeddings_embedding_hnsw",
        "product_embeddings",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(
        op.f("ix_product_embeddings_store_id"), "product_embeddings", ["store_id"], unique=False
    )
    op.execute(f"GRANT SELECT ON product_embeddings TO {APP_ROLE}")
    op.execute("ALTER TABLE product_embeddings ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"""
        CREATE POLICY product_embeddings_store_isolation ON product_embeddings
            USING (store_id = {CURRENT_STORE})
            WITH CHECK (store_id = {CURRENT_STORE})
        """
    )


def downgrade() -> None:
    # the table takes its policy, its grant and its indexes with it
    op.drop_table("product_embeddings")
    op.execute(DROP_EXTENSION_IF_CREATED_HERE)
