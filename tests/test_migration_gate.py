"""The migration gate (`make check-migrations`): squawk passes the real history and refuses a
migration that would lock a busy `products` table (tests/fixtures/locking_migration/)."""

from pathlib import Path

from smartstore.migrations import locate
from smartstore.tools.migration_lint import lint, main

VERSIONS = locate().script_location / "versions"
LOCKING = Path(__file__).parent / "fixtures" / "locking_migration"

SAFE = {
    "0003safe_add_column_and_foreign_key_not_valid.py": """
import sqlalchemy as sa
from alembic import op

revision, down_revision = "0003safe", "4d3c1617c846"


def upgrade() -> None:
    op.add_column("products", sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_products_created_by_id_users", "products", "users", ["created_by_id"], ["id"],
        postgresql_not_valid=True,
    )
""",
    "0004safe_validate_the_foreign_key.py": """
from alembic import op

revision, down_revision = "0004safe", "0003safe"


def upgrade() -> None:
    op.execute("ALTER TABLE products VALIDATE CONSTRAINT fk_products_created_by_id_users")
""",
    "0005safe_index_products_name_concurrently.py": """
from alembic import op

revision, down_revision = "0005safe", "0004safe"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_products_name", "products", ["name"],
            postgresql_concurrently=True, if_not_exists=True,
        )
""",
}
"""The same change, written the safe way: one migration per transaction (env.py commits each
migration on its own), the index alone in its own migration, outside any transaction."""


def test_the_committed_migrations_pass(capsys) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == "squawk: no locking or unsafe operations in the migrations.\n"


def test_it_refuses_an_index_without_concurrently_and_a_foreign_key_without_not_valid() -> None:
    status, report = lint([VERSIONS, LOCKING])
    assert status == 1
    findings = [line.split(": ")[2].split()[0] for line in report.splitlines()]
    assert findings == [
        "constraint-missing-not-valid",
        "adding-foreign-key-constraint",
        "require-concurrent-index-creation",
    ]
    assert all(line.startswith("0003locking_index_and_foreign_key") for line in report.splitlines())


def test_it_passes_the_same_change_written_the_safe_way(tmp_path: Path) -> None:
    for name, text in SAFE.items():
        (tmp_path / name).write_text(text)
    assert lint([VERSIONS, tmp_path]) == (0, "")
