"""row level security on products

Revision ID: 4d3c1617c846
Revises: e7ccee06e47a
Create Date: 2026-11-25 07:12:34.434315+00:00

The tenant boundary, enforced by the database. Autogenerate found nothing to do (Alembic does not
compare roles, grants or policies), so the operations below were written by hand and reviewed:
- `smartstore_app` is the role the application works as: NOLOGIN (the app's login user is granted
  it, or ops give it a password), not a superuser, no BYPASSRLS, and not the owner of `products`.
  Roles belong to the whole server, not to one database: the upgrade creates it only if it is
  missing, and the downgrade drops it only if no other database still grants it anything.
- It may read, insert, update and delete products, and read stores; nothing else.
- Row-Level Security on `products`: a row is visible and writable only when its `store_id` equals
  the transaction's `app.current_store_id` (set with `set_config(…, true)`; see smartstore.tenancy).
  No setting means NULL, and `store_id = NULL` is never true: no rows, and no insert.
- The table owner (the migrating user) and superusers bypass RLS, so migrations and the seed work.
  Running a migration needs CREATEROLE, unless the role exists already.
- Round trip checked (tests/test_migrations.py): each step down restores the schema, grants included.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4d3c1617c846"
down_revision: str | Sequence[str] | None = "e7ccee06e47a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "smartstore_app"
CURRENT_STORE = "NULLIF(current_setting('app.current_store_id', true), '')::integer"


def upgrade() -> None:
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$
        """
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON products TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON stores TO {APP_ROLE}")
    op.execute("ALTER TABLE products ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"""
        CREATE POLICY products_store_isolation ON products
            USING (store_id = {CURRENT_STORE})
            WITH CHECK (store_id = {CURRENT_STORE})
        """
    )


def downgrade() -> None:
    op.execute("DROP POLICY products_store_isolation ON products")
    op.execute("ALTER TABLE products DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON stores FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON products FROM {APP_ROLE}")
    op.execute(
        f"""
        DO $$ BEGIN
            DROP ROLE IF EXISTS {APP_ROLE};
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role {APP_ROLE} kept: another database on this server still uses it';
        END $$
        """
    )
