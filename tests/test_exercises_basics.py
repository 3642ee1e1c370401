"""Notebook 1's checkers, with a wrong and a right answer each, on a real migrated database."""

from sqlalchemy.engine import URL

from smartstore.workbook.exercises.basics import (
    check_nullable_columns,
    check_products_columns,
    check_where_am_i,
)


def test_where_am_i_wants_the_major_version_as_a_number(migrated_url: URL) -> None:
    assert str(check_where_am_i(None, migrated_url)) == (
        "Exercise 1.1: not yet: write your query as a string of SQL and give it to `answer`."
    )
    whole = check_where_am_i("SELECT current_database(), version()", migrated_url)
    assert not whole
    assert "the whole version text ('PostgreSQL " in whole.message
    assert "::int" not in whole.message.split(":", 1)[0]
    as_text = check_where_am_i(
        "SELECT current_database(), (current_setting('server_version_num')::int / 10000)::text",
        migrated_url,
    )
    assert "cast it (::int)" in as_text.message
    hint = check_where_am_i(
        "SELECT current_database(), current_setting('server_version_num')::int", migrated_url
    )
    assert "major * 10000 + minor" in hint.message
    verdict = check_where_am_i(
        "SELECT current_database(), current_setting('server_version_num')::int / 10000",
        migrated_url,
    )
    assert verdict, verdict
    assert verdict.message.startswith("the database you are in, on PostgreSQL ")


def test_a_query_the_database_refuses_gets_its_error_as_the_hint(migrated_url: URL) -> None:
    verdict = check_where_am_i("SELECT nothing FROM nowhere", migrated_url)
    assert str(verdict) == (
        "Exercise 1.1: not yet: the database refused it: "
        'UndefinedTable: relation "nowhere" does not exist'
    )


def test_products_columns_must_be_filtered_and_ordered(migrated_url: URL) -> None:
    everything = "SELECT column_name, data_type FROM information_schema.columns"
    assert "filter on table_name" in check_products_columns(everything, migrated_url).message
    unordered = (
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'products' ORDER BY column_name"
    )
    assert "order by their position" in check_products_columns(unordered, migrated_url).message
    no_order = unordered.replace(" ORDER BY column_name", "")
    assert not check_products_columns(no_order, migrated_url), "right order by chance is not yet"
    verdict = check_products_columns(
        unordered.replace("ORDER BY column_name", "ORDER BY ordinal_position"), migrated_url
    )
    assert verdict, verdict


def test_only_users_store_id_may_be_null(migrated_url: URL) -> None:
    everything = "SELECT table_name, column_name FROM information_schema.columns"
    assert not check_nullable_columns(everything, migrated_url)
    verdict = check_nullable_columns(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_nullable = 'YES'",
        migrated_url,
    )
    assert str(verdict) == (
        "Exercise 1.3: right: only users.store_id may be NULL; every other column is NOT NULL."
    )


def test_1_2_a_typo_in_the_table_name_finds_no_rows_and_says_so(migrated_url: URL) -> None:
    verdict = check_products_columns(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'product' ORDER BY ordinal_position",
        migrated_url,
    )
    assert str(verdict) == (
        "Exercise 1.2: not yet: it returns no rows: is every name in its WHERE spelled as the "
        "catalog has it?"
    )


def test_1_2_a_query_without_where_that_finds_nothing_is_not_asked_about_a_where(
    migrated_url: URL,
) -> None:
    verdict = check_products_columns(
        "SELECT column_name, data_type FROM information_schema.columns LIMIT 0", migrated_url
    )
    assert verdict.message == "it returns no rows: is every name spelled as the catalog has it?"


def test_1_2_a_typo_in_the_view_name_quotes_the_database(migrated_url: URL) -> None:
    verdict = check_products_columns(
        "SELECT column_name, data_type FROM information_schema.column", migrated_url
    )
    assert verdict.message == (
        'the database refused it: UndefinedTable: relation "information_schema.column" does not '
        "exist"
    )


def test_1_2_the_wrong_column_or_one_too_many_is_not_yet(migrated_url: URL) -> None:
    """column_default instead of data_type: NULL for some columns, text for others."""
    defaults = (
        "SELECT column_name, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'products' ORDER BY ordinal_position"
    )
    verdict = check_products_columns(defaults, migrated_url)
    assert str(verdict) == (
        "Exercise 1.2: not yet: not the columns' names and types: look at column_name and "
        "data_type."
    )
    three = defaults.replace("column_default", "data_type, column_default")
    assert check_products_columns(three, migrated_url).message == (
        "return 2 values per row: column_name, data_type."
    )


def test_1_3_the_other_schemas_nullable_columns_are_too_many(migrated_url: URL) -> None:
    every_schema = (
        "SELECT table_name, column_name FROM information_schema.columns WHERE is_nullable = 'YES'"
    )
    verdict = check_nullable_columns(every_schema, migrated_url)
    assert not verdict
    assert verdict.message.endswith(
        "rows is too many: keep the columns that may be NULL (is_nullable), in the public schema "
        "only."
    )


def test_1_3_is_nullable_in_lower_case_finds_nothing(migrated_url: URL) -> None:
    lower = (
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_nullable = 'yes'"
    )
    assert "it returns no rows" in check_nullable_columns(lower, migrated_url).message


def test_1_3_a_column_mixing_null_and_text_is_not_yet_without_a_traceback(
    migrated_url: URL,
) -> None:
    """Seven rows of one table, column_default NULL in some and text in others: compared in any
    order without ordering NULL against text (sorted() raised TypeError here)."""
    defaults = (
        "SELECT table_name, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'users'"
    )
    verdict = check_nullable_columns(defaults, migrated_url)
    assert str(verdict) == (
        "Exercise 1.3: not yet: 7 rows is too many: keep the columns that may be NULL "
        "(is_nullable), in the public schema only."
    )
    not_null = defaults.replace("table_name = 'users'", "is_nullable = 'NO'")
    assert not check_nullable_columns(not_null, migrated_url)
    refused = check_nullable_columns("SELECT table_name, column_name FROM columns", migrated_url)
    assert refused.message == (
        'the database refused it: UndefinedTable: relation "columns" does not exist'
    )
