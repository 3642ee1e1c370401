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
