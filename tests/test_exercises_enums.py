"""Notebook 8's checkers on real databases: the ENUM query, and the downgrade line proved by a round trip."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from smartstore.db import make_engine
from smartstore.workbook.exercises import enums
from smartstore.workbook.plain_migration import write_plain_autogenerate_migration


@pytest.fixture
def plain_migration(tmp_path: Path) -> Path:
    """The first migration as plain autogenerate writes it, made from the committed one."""
    return write_plain_autogenerate_migration(tmp_path)


@pytest.fixture
def with_leftover_type(scratch_url: URL) -> Iterator[Engine]:
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TYPE user_role AS ENUM ('shopper', 'admin')"))
    yield engine
    engine.dispose()


def test_the_enum_query_must_ask_the_catalog_for_enums_only(with_leftover_type: Engine) -> None:
    check = enums.check_enum_query
    assert "keep enums only" in check("SELECT typname FROM pg_type", with_leftover_type).message
    assert "misses a type" in check("SELECT 'user_role'", with_leftover_type).message
    assert "refused" in check("SELEC typname", with_leftover_type).message
    verdict = check("SELECT typname FROM pg_type WHERE typtype = 'e'", with_leftover_type)
    assert verdict.passed, verdict
    with with_leftover_type.connect() as connection:  # the checker's own type was rolled back
        names = connection.execute(text(enums.ENUMS_IN_PUBLIC)).scalars().all()
    assert names == ["user_role"]


def test_a_downgrade_without_the_drop_is_not_yet(migrated_url: URL, plain_migration: Path) -> None:
    verdict = enums.check_downgrade_line("pass", plain_migration)
    assert not verdict
    assert "pg_type still holds ['user_role']" in verdict.message
    assert "not valid Python" in enums.check_downgrade_line("op.execute(", plain_migration).message
    misspelt = enums.check_downgrade_line('op.execute("DROP TYPE user_rol")', plain_migration)
    assert misspelt.message == (
        'downgrade base failed: UndefinedObject: type "user_rol" does not exist'
    )


def test_the_drop_makes_the_round_trip_work(migrated_url: URL, plain_migration: Path) -> None:
    line = 'sa.Enum(name="user_role").drop(op.get_bind())'
    verdict = enums.check_downgrade_line(line, plain_migration)
    assert verdict.passed, verdict


def test_8_1_a_list_an_oid_or_no_rows_at_all_is_not_yet(with_leftover_type: Engine) -> None:
    """The wrong type returned: one array of every name, or numbers; and a statement that is no
    query. None of them may raise inside the checker."""
    check = enums.check_enum_query
    one_row = "SELECT array_agg(typname) FROM pg_type WHERE typtype = 'e'"
    hint = "return one type's name per row, as text: typname, not an oid or list."
    assert check(one_row, with_leftover_type).message == hint
    assert check("SELECT oid FROM pg_type WHERE typtype = 'e'", with_leftover_type).message == hint
    assert check("SELECT FROM pg_type WHERE typtype = 'e'", with_leftover_type).message == hint
    assert check("SET search_path = public", with_leftover_type).message == (
        "that statement returns no rows: ask with a SELECT."
    )
    assert check("SELECT typname FROM pg_types", with_leftover_type).message == (
        'the database refused it: UndefinedTable: relation "pg_types" does not exist'
    )
