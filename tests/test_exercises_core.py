"""The verdict every exercise checker returns: one line, right or not yet."""

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from smartstore.workbook.exercises import Verdict, database_error, first_line, not_yet, right


def test_a_right_verdict_reads_as_one_line_and_is_true() -> None:
    verdict = right("Exercise 6.1", "it returns the cheapest product of store 1.")
    assert str(verdict) == "Exercise 6.1: right: it returns the cheapest product of store 1."
    assert repr(verdict) == str(verdict)
    assert verdict


def test_a_not_yet_verdict_gives_the_hint_and_is_false() -> None:
    verdict = not_yet("Exercise 6.1", "order by price_cents before you take the first row.")
    assert (
        str(verdict) == "Exercise 6.1: not yet: order by price_cents before you take the first row."
    )
    assert not verdict
    assert verdict == Verdict(
        "Exercise 6.1", False, "order by price_cents before you take the first row."
    )


def test_a_hint_quotes_the_first_line_of_the_databases_own_error(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(ProgrammingError) as failure:
        conn.execute(text("SELECT no_such_column FROM products"))
    assert first_line(failure.value) == 'column "no_such_column" does not exist'
    assert database_error(failure.value) == (
        'UndefinedColumn: column "no_such_column" does not exist'
    )
    assert first_line(ValueError()) == "ValueError"  # no message: its kind
