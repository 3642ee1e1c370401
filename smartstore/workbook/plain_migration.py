"""The first migration as plain autogenerate writes it, derived from the committed one at call time.

Without alembic-postgresql-enum, autogenerate lets `create_table("users")` create the ENUM type
`user_role` and never drops it in downgrade(): after `downgrade base` the type is still there and the
next upgrade fails with `DuplicateObject: type "user_role" already exists` (Alembic issue #886). The
migration safety net's tests, the `enum` bug reproduction and exercise 8.2 need that broken file.

It is made from the committed migration, not kept as a copy beside it: three reviewed lines are
undone (the explicit create, the column's `create_type=False`, the drop at the end of downgrade()),
so every other line stays what the project really runs. Each edit must find its line: a committed
migration that no longer has it raises instead of yielding a file that is not broken.
"""

from pathlib import Path

from alembic.script import Script, ScriptDirectory

from smartstore.migrations import alembic_config

REVISION = "0001broken"
FILE_NAME = f"{REVISION}_plain_autogenerate_forgets_user_role.py"
ROLES = '"shopper", "store_manager", "admin", name="user_role"'
DOCSTRING = '''"""create stores, products and users, as plain autogenerate writes them (DELIBERATELY BROKEN)

Revision ID: 0001broken
Revises:

Made by smartstore/workbook/plain_migration.py from the committed first migration, never in
alembic/versions/: `create_table("users")` creates the ENUM type `user_role` on the way up, and
downgrade() drops the tables but never the type. After `downgrade base` the type is still there, so
the next upgrade fails with `psycopg.errors.DuplicateObject: type "user_role" already exists`.
"""
'''
UNDONE = [
    # the explicit create: plain autogenerate leaves it to create_table
    (f"    sa.Enum({ROLES}).create(op.get_bind())\n", ""),
    # so the column's type creates it, where the committed one says create_type=False
    (
        f"            postgresql.ENUM(\n                {ROLES}, create_type=False\n            ),\n",
        f"            sa.Enum({ROLES}),\n",
    ),
    ("from sqlalchemy.dialects import postgresql\n", ""),
    # the reviewed line at the end of downgrade(): without it the type outlives the tables
    (
        "    # reviewed: without this line the type outlives the tables (Alembic issue #886)\n"
        f"    sa.Enum({ROLES}).drop(op.get_bind())\n",
        "",
    ),
]


def committed_first_migration() -> Script:
    """The project's first migration (the base of its history)."""
    history = ScriptDirectory.from_config(alembic_config(configure_logging=False))
    script = history.get_revision(history.get_base())
    assert script is not None, "the project has no migration"
    return script


def plain_autogenerate_source() -> str:
    """The committed first migration with the enum's create and drop undone, as revision 0001broken."""
    committed = committed_first_migration()
    source = Path(committed.path).read_text()
    source = DOCSTRING + source[source.index('"""', 3) + len('"""\n') :]
    renamed = (f'revision: str = "{committed.revision}"', f'revision: str = "{REVISION}"')
    for before, after in [*UNDONE, renamed]:
        if before not in source:
            raise ValueError(
                f"{Path(committed.path).name} no longer contains {before.strip()!r}: "
                f"update {__name__} to the migration's new text"
            )
        source = source.replace(before, after, 1)
    return source


def write_plain_autogenerate_migration(folder: Path) -> Path:
    """Write it into `folder` (a versions folder of its own) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    path.write_text(plain_autogenerate_source())
    return path
