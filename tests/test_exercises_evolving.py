"""Notebooks 12 and 13's checkers, each given a wrong and a right answer on a real database."""

from smartstore.workbook.exercises import evolving

ADD_AND_USE = """
op.execute("ALTER TYPE user_role ADD VALUE 'auditor'")
op.execute("UPDATE users SET role = 'auditor' WHERE email = 'alan@example.com'")
"""

COMMIT_FIRST = """
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'auditor'")
op.execute("UPDATE users SET role = 'auditor' WHERE email = 'alan@example.com'")
"""

REBUILD = """
ALTER TYPE user_role RENAME TO user_role_old;
CREATE TYPE user_role AS ENUM ('shopper', 'manager', 'admin');
ALTER TABLE users ALTER COLUMN role DROP DEFAULT;
ALTER TABLE users DROP CONSTRAINT ck_users_store_manager_has_store;
ALTER TABLE users ALTER COLUMN role TYPE user_role
    USING replace(role::text, 'store_manager', 'manager')::user_role;
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'shopper';
ALTER TABLE users ADD CONSTRAINT ck_users_store_manager_has_store
    CHECK (role <> 'manager' OR store_id IS NOT NULL);
DROP TYPE user_role_old;
"""


def test_12_1_using_the_new_value_before_it_is_committed_is_not_yet() -> None:
    verdict = evolving.check_auditor_migration(ADD_AND_USE)
    assert not verdict
    assert "before the value was committed" in verdict.message


def test_12_1_committing_the_value_first_is_right() -> None:
    assert evolving.check_auditor_migration(COMMIT_FIRST)


def test_12_1_nothing_yet() -> None:
    assert not evolving.check_auditor_migration(None)


def test_12_2_a_rebuild_of_the_type_is_not_yet() -> None:
    verdict = evolving.check_rename_in_place(REBUILD)
    assert not verdict
    assert "rebuilt the type" in verdict.message


def test_12_2_adding_a_value_is_no_rename() -> None:
    verdict = evolving.check_rename_in_place("ALTER TYPE user_role ADD VALUE 'manager'")
    assert not verdict
    assert "store_manager" in verdict.message


def test_12_2_rename_value_is_right() -> None:
    sql = "ALTER TYPE user_role RENAME VALUE 'store_manager' TO 'manager'"
    assert evolving.check_rename_in_place(sql)


def test_13_1_a_volatile_default_rewrites_the_table() -> None:
    sql = "ALTER TABLE products ADD COLUMN is_featured boolean NOT NULL DEFAULT (random() < 0)"
    verdict = evolving.check_column_without_rewrite(sql)
    assert not verdict
    assert "rewritten" in verdict.message


def test_13_1_an_update_of_every_row_is_not_yet() -> None:
    sql = """
    ALTER TABLE products ADD COLUMN is_featured boolean;
    UPDATE products SET is_featured = false;
    ALTER TABLE products ALTER COLUMN is_featured SET NOT NULL;
    """
    verdict = evolving.check_column_without_rewrite(sql)
    assert not verdict
    assert "written again" in verdict.message


def test_13_1_a_constant_default_is_right() -> None:
    sql = "ALTER TABLE products ADD COLUMN is_featured boolean NOT NULL DEFAULT false"
    assert evolving.check_column_without_rewrite(sql)


def test_13_2_a_plain_create_index_is_refused_by_the_gate() -> None:
    verdict = evolving.check_index_the_gate_accepts(
        "CREATE INDEX ix_products_price_cents ON products (price_cents)"
    )
    assert not verdict
    assert "require-concurrent-index-creation (a plain CREATE INDEX blocks every write" in (
        verdict.message
    )


def test_13_2_concurrently_and_if_not_exists_is_right() -> None:
    sql = (
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_products_price_cents ON products (price_cents)"
    )
    assert evolving.check_index_the_gate_accepts(sql)


def test_12_3_deleting_the_support_users_is_not_yet() -> None:
    verdict = evolving.check_rows_before_rebuild("DELETE FROM users WHERE role = 'support'")
    assert not verdict
    assert "1 user(s) deleted" in verdict.message


def test_12_3_doing_nothing_first_fails_the_rebuild() -> None:
    verdict = evolving.check_rows_before_rebuild("SELECT 1")
    assert not verdict
    assert "still holds 'support'" in verdict.message


def test_12_3_an_update_without_where_demotes_everyone_and_is_not_yet() -> None:
    """The classic missing WHERE: the rebuild goes through, but the admin and the store manager
    are shoppers now."""
    verdict = evolving.check_rows_before_rebuild("UPDATE users SET role = 'shopper'")
    assert not verdict
    assert "other user(s) lost their role too" in verdict.message
    assert "add a WHERE" in verdict.message


def test_12_3_a_typo_in_the_table_quotes_the_database() -> None:
    verdict = evolving.check_rows_before_rebuild(
        "UPDATE user SET role = 'shopper' WHERE role = 'support'"
    )
    assert not verdict
    assert verdict.message.startswith("the database refused it: ")


def test_12_3_not_a_string_is_not_yet() -> None:
    verdict = evolving.check_rows_before_rebuild(42)
    assert not verdict
    assert "write the SQL as a string" in verdict.message


def test_12_3_moving_them_to_another_role_is_right() -> None:
    sql = "UPDATE users SET role = 'shopper' WHERE role = 'support'"
    verdict = evolving.check_rows_before_rebuild(sql)
    assert verdict
    assert "(shopper)" in verdict.message


# ---- more wrong answers: each checker is tried with at least three, and none escapes ----


def test_12_1_adding_the_value_but_forgetting_alan_is_not_yet() -> None:
    add_only = """
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'auditor'")
"""
    verdict = evolving.check_auditor_migration(add_only)
    assert str(verdict) == (
        "Exercise 12.1: not yet: alan@example.com is still 'admin': give him the role as well."
    )


def test_12_1_an_update_without_where_makes_everyone_an_auditor_and_is_not_yet() -> None:
    """The classic missing WHERE: Alan is an auditor, and so are Ada and Grace."""
    everyone = COMMIT_FIRST.replace(" WHERE email = 'alan@example.com'", "")
    verdict = evolving.check_auditor_migration(everyone)
    assert not verdict
    assert verdict.message == (
        "2 other user(s) became auditors too (ada@example.com, grace@example.com): "
        "add a WHERE so that only Alan's row changes."
    )


def test_12_1_deleting_the_other_users_is_not_yet_and_says_so() -> None:
    """Nobody else became an auditor because nobody else is left: that is not the answer either."""
    deletes = COMMIT_FIRST + "op.execute(\"DELETE FROM users WHERE email <> 'alan@example.com'\")\n"
    verdict = evolving.check_auditor_migration(deletes)
    assert not verdict
    assert verdict.message == (
        "2 other user(s) deleted (ada@example.com, grace@example.com): change only Alan's row."
    )


def test_12_1_a_typo_in_the_type_quotes_the_database() -> None:
    typo = COMMIT_FIRST.replace("ALTER TYPE user_role", "ALTER TYPE userrole")
    verdict = evolving.check_auditor_migration(typo)
    assert not verdict
    assert verdict.message == (
        'the migration failed: UndefinedObject: type "userrole" does not exist'
    )


def test_12_1_lines_that_are_not_python_are_not_yet() -> None:
    verdict = evolving.check_auditor_migration(
        "op.execute(\"ALTER TYPE user_role ADD VALUE 'auditor'\""
    )
    assert not verdict
    assert verdict.message.startswith("that is not valid Python: ")


def test_12_2_a_typo_in_the_value_quotes_the_database() -> None:
    verdict = evolving.check_rename_in_place(
        "ALTER TYPE user_role RENAME VALUE 'store_manger' TO 'manager'"
    )
    assert not verdict
    assert verdict.message == (
        'the database refused it: InvalidParameterValue: "store_manger" is not an existing '
        "enum label"
    )


def test_12_2_renaming_the_type_instead_of_the_value_is_not_yet() -> None:
    verdict = evolving.check_rename_in_place("ALTER TYPE user_role RENAME TO manager")
    assert not verdict
    assert "there is no type user_role any more" in verdict.message


def test_12_2_another_new_name_is_not_yet() -> None:
    verdict = evolving.check_rename_in_place(
        "ALTER TYPE user_role RENAME VALUE 'store_manager' TO 'Manager'"
    )
    assert not verdict
    assert verdict.message == (
        "user_role now holds ['shopper', 'Manager', 'admin']: rename store_manager, nothing else."
    )


def test_13_1_a_nullable_column_is_not_yet() -> None:
    verdict = evolving.check_column_without_rewrite(
        "ALTER TABLE products ADD COLUMN is_featured boolean DEFAULT false"
    )
    assert not verdict
    assert verdict.message == "is_featured is boolean, nullable YES: make it a NOT NULL boolean."


def test_13_1_not_null_without_a_default_is_refused_with_the_databases_words() -> None:
    """The refused statement: the existing rows would hold NULL."""
    verdict = evolving.check_column_without_rewrite(
        "ALTER TABLE products ADD COLUMN is_featured boolean NOT NULL"
    )
    assert not verdict
    assert verdict.message == (
        'the database refused it: NotNullViolation: column "is_featured" of relation "products" '
        "contains null values"
    )


def test_13_1_a_typo_in_the_table_quotes_the_database() -> None:
    verdict = evolving.check_column_without_rewrite(
        "ALTER TABLE product ADD COLUMN is_featured boolean NOT NULL DEFAULT false"
    )
    assert verdict.message == (
        'the database refused it: UndefinedTable: relation "product" does not exist'
    )


def test_13_2_without_if_not_exists_the_gate_asks_for_a_step_that_can_run_again() -> None:
    verdict = evolving.check_index_the_gate_accepts(
        "CREATE INDEX CONCURRENTLY ix_products_price_cents ON products (price_cents)"
    )
    assert not verdict
    assert verdict.message == (
        "the gate refuses it: prefer-robust-stmts (a step that can be run again after a failure: "
        "add IF NOT EXISTS)."
    )


def test_13_2_an_index_on_another_column_is_not_yet() -> None:
    verdict = evolving.check_index_the_gate_accepts(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_products_price ON products (store_id)"
    )
    assert not verdict
    assert verdict.message == "there is no index on products (price_cents) afterwards."


def test_13_2_a_typo_in_the_table_quotes_the_database() -> None:
    """squawk reads SQL without the schema: the gate accepts it, the database does not."""
    verdict = evolving.check_index_the_gate_accepts(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_products_price_cents ON product (price_cents)"
    )
    assert verdict.message == (
        'the database refused it: UndefinedTable: relation "product" does not exist'
    )


def test_13_2_a_misspelt_keyword_is_named_in_plain_words() -> None:
    verdict = evolving.check_index_the_gate_accepts(
        "CREATE INDX CONCURRENTLY IF NOT EXISTS ix_products_price_cents ON products (price_cents)"
    )
    assert not verdict
    assert verdict.message == (
        "the gate refuses it: syntax-error (squawk cannot read it as SQL: check the spelling of "
        "every keyword)."
    )


def test_13_2_a_rule_without_plain_words_shows_squawks_own_message() -> None:
    verdict = evolving.check_index_the_gate_accepts("DROP INDEX IF EXISTS uq_products_store_id_sku")
    assert not verdict
    assert verdict.message.startswith("the gate refuses it: require-concurrent-index-deletion (")
    assert "(see the report)" not in verdict.message


def test_13_2_statements_sent_together_run_in_one_transaction() -> None:
    verdict = evolving.check_index_the_gate_accepts(
        "SET lock_timeout = '2s'; "
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_products_price_cents ON products (price_cents)"
    )
    assert verdict.message == (
        "the database refused it: ActiveSqlTransaction: CREATE INDEX CONCURRENTLY cannot run "
        "inside a transaction block; statements sent together run in one transaction, so send "
        "the CREATE INDEX alone."
    )


def test_13_1_and_12_2_dropping_what_the_exercise_is_about_is_no_refusal() -> None:
    """The facts cannot be read afterwards: the hint says what is gone, not that the database
    refused the learner's SQL (it did not)."""
    assert evolving.check_column_without_rewrite("DROP TABLE products CASCADE").message == (
        "there is no table products any more: add a column, drop nothing."
    )
    assert evolving.check_rename_in_place("DROP TYPE user_role CASCADE").message.startswith(
        "there is no type user_role any more"
    )
