"""Notebooks 4 and 5's checkers: a wrong and a right answer each, on real scratch databases."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Boolean, Column, Integer, true
from sqlalchemy.engine import URL

from smartstore.migrations import alembic_config, head, upgrade
from smartstore.workbook.exercises.migrating import (
    check_brought_to_head,
    check_foreign_keys,
    check_is_active_draft,
    check_is_active_runs,
    check_store_id_index,
    generate,
    scratch_metadata,
)


def draft(versions: Path, url: URL, **column: object) -> Path:
    metadata = scratch_metadata()
    if column:
        metadata.tables["products"].append_column(Column("is_active", Boolean, **column))
    versions.mkdir(exist_ok=True)
    return generate(metadata, versions, url, "active0001", "products are active")


def test_an_empty_draft_is_not_yet_the_is_active_migration(
    migrated_url: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "generate it" in check_is_active_draft(tmp_path, migrated_url).message
    draft(tmp_path, migrated_url)
    assert str(check_is_active_draft(tmp_path, migrated_url)) == (
        "Exercise 4.1: not yet: it does not add products.is_active: add the column to the copy."
    )
    assert "do Exercise 4.1 first" in check_is_active_runs(tmp_path).message


def test_the_plain_draft_is_right_on_paper_and_fails_on_a_table_with_rows(
    migrated_url: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = draft(tmp_path, migrated_url, nullable=False, default=True)
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == "Detected added column 'products.is_active'"
    assert shown[-1].startswith("Generating ") and shown[-1].endswith(
        "-active0001_products_are_active.py ...  done"
    )
    assert str(check_is_active_draft(tmp_path, migrated_url)) == (
        "Exercise 4.1: right: active0001 adds products.is_active after the newest migration; "
        "its downgrade drops it."
    )
    verdict = check_is_active_runs(tmp_path)
    assert not verdict
    assert verdict.message == (
        'the upgrade fails on a table with rows: NotNullViolation: column "is_active" of relation '
        '"products" contains null values. Which value should the existing rows get?'
    )

    plain = path.read_text()
    path.write_text(plain.replace("sa.Boolean(),", "sa.Boolean(), server_default=sa.false(),"))
    assert (
        "existing products are not active: default to true"
        in check_is_active_runs(tmp_path).message
    )
    path.write_text(plain.replace('op.drop_column("products", "is_active")', "pass"))
    assert str(check_is_active_runs(tmp_path)) == (
        "Exercise 4.2: not yet: the draft as it stands: its downgrade does not drop is_active."
    )
    fixed = plain.replace("sa.Boolean(),", "sa.Boolean(), server_default=sa.true(),")
    path.write_text(fixed)
    assert str(check_is_active_runs(tmp_path)) == (
        "Exercise 4.2: right: on a database with products: up, down and up again; "
        "every product active."
    )


def test_a_nullable_is_active_is_not_yet(migrated_url: URL, tmp_path: Path) -> None:
    draft(tmp_path, migrated_url, nullable=True, server_default=true())
    assert "may be NULL" in check_is_active_draft(tmp_path, migrated_url).message


def test_a_database_one_migration_behind_is_not_at_head_until_upgraded(scratch_url: URL) -> None:
    first = head().down_revision
    upgrade(scratch_url, first)
    assert str(check_brought_to_head(scratch_url)) == (
        "Exercise 5.1: not yet: it is not at head yet (`alembic current` says where it is): "
        "upgrade it."
    )
    command.stamp(alembic_config(scratch_url, configure_logging=False), "head")
    assert "`alembic stamp` records a revision without running it" in (
        check_brought_to_head(scratch_url).message
    )
    # back to where it really stands, then the right answer
    command.stamp(alembic_config(scratch_url, configure_logging=False), first)
    upgrade(scratch_url)
    assert check_brought_to_head(scratch_url)


def test_foreign_keys_with_their_delete_rule(migrated_url: URL) -> None:
    names_only = (
        "SELECT table_name, constraint_name, 'x' FROM information_schema.table_constraints "
        "WHERE table_schema = 'public' AND constraint_type = 'FOREIGN KEY'"
    )
    assert "delete_rule" in check_foreign_keys(names_only, migrated_url).message
    verdict = check_foreign_keys(
        "SELECT tc.table_name, rc.constraint_name, rc.delete_rule "
        "FROM information_schema.referential_constraints rc "
        "JOIN information_schema.table_constraints tc USING (constraint_schema, constraint_name)",
        migrated_url,
    )
    assert str(verdict) == (
        "Exercise 5.2: right: fk_product_embeddings_product_id_products: CASCADE, "
        "fk_product_embeddings_store_id_stores: CASCADE, fk_products_store_id_stores: CASCADE, "
        "fk_users_store_id_stores: NO ACTION."
    )


def test_the_store_id_index_is_the_unique_one_that_starts_with_store_id(migrated_url: URL) -> None:
    assert not check_store_id_index("pk_products", migrated_url)
    assert check_store_id_index("uq_products_store_id_sku", migrated_url)


def test_4_1_an_integer_is_active_is_not_yet(migrated_url: URL, tmp_path: Path) -> None:
    metadata = scratch_metadata()
    metadata.tables["products"].append_column(Column("is_active", Integer, nullable=False))
    generate(metadata, tmp_path, migrated_url, "active0001", "products are active")
    assert str(check_is_active_draft(tmp_path, migrated_url)) == (
        "Exercise 4.1: not yet: is_active should be a Boolean."
    )


def test_4_1_and_4_2_a_draft_that_does_not_render_names_the_error(
    migrated_url: URL, tmp_path: Path
) -> None:
    """A hand edit with a typo in it: the error's kind and first line, no traceback."""
    path = draft(tmp_path, migrated_url, nullable=False)
    path.write_text(path.read_text().replace("sa.Boolean()", "sa.Boolen()"))
    verdict = check_is_active_draft(tmp_path, migrated_url)
    assert verdict.message == (
        "the migration does not render: AttributeError: module 'sqlalchemy' has no attribute "
        "'Boolen'"
    )
    assert check_is_active_runs(tmp_path).message == "the draft as it stands: " + verdict.message


def test_4_2_a_hand_written_statement_the_database_refuses_is_quoted(
    migrated_url: URL, tmp_path: Path
) -> None:
    """Renders on paper, fails on the server: the database's words, without the NOT NULL question."""
    path = draft(tmp_path, migrated_url, nullable=False)
    path.write_text(
        path.read_text()
        .replace(
            "sa.Boolean(), nullable=False",
            "sa.Boolean(), server_default=sa.true(), nullable=False",
        )
        .replace(
            "    # ### end Alembic commands ###",
            '    op.execute("UPDATE product SET is_active = true")\n'
            "    # ### end Alembic commands ###",
            1,
        )
    )
    assert str(check_is_active_runs(tmp_path)) == (
        'Exercise 4.2: not yet: the upgrade fails: UndefinedTable: relation "product" does not '
        "exist."
    )


def test_5_1_a_database_never_migrated_has_no_alembic_version(scratch_url: URL) -> None:
    assert str(check_brought_to_head(scratch_url)) == (
        "Exercise 5.1: not yet: that database has no alembic_version table: is it the right one?"
    )


def test_5_2_every_constraint_is_too_many_and_a_typo_is_quoted(migrated_url: URL) -> None:
    every_constraint = (
        "SELECT tc.table_name, tc.constraint_name, rc.delete_rule "
        "FROM information_schema.table_constraints tc "
        "LEFT JOIN information_schema.referential_constraints rc "
        "USING (constraint_schema, constraint_name) WHERE tc.table_schema = 'public'"
    )
    verdict = check_foreign_keys(every_constraint, migrated_url)
    assert not verdict
    assert verdict.message.endswith("rows, but there are 4 foreign keys.")
    typo = every_constraint.replace("referential_constraints", "referential_constraint")
    assert check_foreign_keys(typo, migrated_url).message == (
        "the database refused it: UndefinedTable: relation "
        '"information_schema.referential_constraint" does not exist'
    )
    two = "SELECT table_name, constraint_name FROM information_schema.table_constraints"
    assert check_foreign_keys(two, migrated_url).message == (
        "return 3 values per row: table_name, constraint_name, delete_rule."
    )


def test_5_3_a_misspelt_index_is_named_as_missing(migrated_url: URL) -> None:
    assert check_store_id_index(None, migrated_url).message == (
        "write the index's name as a string."
    )
    assert check_store_id_index("uq_products_store_sku", migrated_url).message == (
        "products has no index named 'uq_products_store_sku': copy the name from the plan "
        "(Index Scan using ...)."
    )
    assert "another index" in check_store_id_index("pk_products", migrated_url).message


def test_4_2_emptying_the_table_first_is_not_yet(migrated_url: URL, tmp_path: Path) -> None:
    """The harmful way to make NOT NULL pass on a table with rows: delete the rows."""
    path = draft(tmp_path, migrated_url, nullable=False)
    path.write_text(
        path.read_text().replace(
            '    op.add_column("products"',
            '    op.execute("DELETE FROM products")\n    op.add_column("products"',
            1,
        )
    )
    assert str(check_is_active_runs(tmp_path)) == (
        "Exercise 4.2: not yet: 5 of 5 products are gone: a migration keeps the rows."
    )
