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
- The migrating user must be able to act as `smartstore_app` (the tenancy helpers and the tests
  `SET ROLE` to it). A superuser can; any other user is made a member that may SET it where it may
  grant that to itself: on PostgreSQL 16 and later the creator of a role holds ADMIN on it but not
  SET, so `GRANT smartstore_app TO <user> WITH SET TRUE`; on 15 a CREATEROLE user may grant any
  non-superuser role, so `GRANT smartstore_app TO <user>`. Where it may not (no CREATEROLE, or the
  role was made by someone else), the upgrade stops with the exact GRANT an administrator must run.
  Dropping the role in the downgrade takes the membership with it.
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


# Creates the role if missing, then lets the migrating user SET ROLE to it (see the docstring). The
# GRANT is dynamic SQL: PostgreSQL 15 cannot even parse `WITH SET TRUE`.
ACT_AS_APP_ROLE = f"""
DO $$
DECLARE
    login text := current_user;
    needed text := CASE WHEN current_setting('server_version_num')::int >= 160000
                        THEN format('GRANT {APP_ROLE} TO %I WITH SET TRUE', current_user)
                        ELSE format('GRANT {APP_ROLE} TO %I', current_user) END;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
                'the user %I may not create the role {APP_ROLE}: give it CREATEROLE '
                '(ALTER ROLE %I CREATEROLE), or have an administrator run: '
                'CREATE ROLE {APP_ROLE} NOLOGIN; %s;', login, login, needed);
        END;
    END IF;
    -- one test at a time: SQL does not promise to short-circuit OR, and 15 has no 'SET' privilege
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = login) THEN
        RETURN;
    ELSIF current_setting('server_version_num')::int >= 160000 THEN
        IF pg_has_role(login, '{APP_ROLE}', 'SET') THEN
            RETURN;
        END IF;
    ELSIF pg_has_role(login, '{APP_ROLE}', 'MEMBER') THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE needed;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
            'the user %I cannot act as the role {APP_ROLE} (SET ROLE), which the application '
            'works as; have an administrator (or the role''s creator) run: %s;', login, needed);
    END;
END $$
"""


def upgrade() -> None:
    op.execute(ACT_AS_APP_ROLE)
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
