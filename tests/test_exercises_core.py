"""The verdict every exercise checker returns: one line, right or not yet."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from smartstore.workbook import exercises
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


def test_every_checker_is_tried_by_a_test() -> None:
    """Every `check_*` in the exercises package is called in a tests/test_exercises_*.py (where it
    meets its right answer and its classic wrong ones), so a new checker cannot arrive untried."""
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_exercises_*.py"))
    checkers = [
        (module_info.name, name)
        for module_info in pkgutil.iter_modules(exercises.__path__)
        for name, function in inspect.getmembers(
            importlib.import_module(f"{exercises.__name__}.{module_info.name}"), inspect.isfunction
        )
        if name.startswith("check_") and function.__module__.endswith(f".{module_info.name}")
    ]
    assert len(checkers) >= 30
    untried = [
        f"{module}.{name}"
        for module, name in checkers
        if f"{name}(" not in tests and f"check = {module}.{name}" not in tests
    ]
    assert untried == []
