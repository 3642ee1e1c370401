"""Notebook 9's checkers: with a bug brought back, the test that protects against it goes red, and
one that does not stays green. Each check starts a pytest of its own on a throwaway database.

`run_with_bug` itself is proved by notebook 9, which nbval runs strictly: its stored outputs are the
four tests PASSED without a bug, and with the enum bug back the round trip FAILED with "left behind:
[('enum', 'public.user_role')]" while the cascade test PASSED. A right answer to each exercise is
proved by the solutions notebook (each "right"). What neither shows is here."""

from smartstore.workbook.exercises import testing

CASCADE = "tests/test_models.py::test_product_belongs_to_store_and_cascades"


def test_check_catches_names_a_test_that_goes_red() -> None:
    """A name pytest would not take is refused without a run; a test that stays green with the bug
    back is not yet an answer."""
    check = testing.check_catches
    assert "as pytest does" in check("Exercise 9.2", "naive-timestamps", None).message
    assert "stays green" in check("Exercise 9.2", "naive-timestamps", CASCADE).message


def test_a_test_the_notebook_already_named_does_not_count() -> None:
    """9.2: notebook 9 names NAIVE_REFUSED in a cell, so its check passes it as `shown`."""
    naive_refused = "tests/test_models.py::test_naive_datetime_is_refused"
    verdict = testing.check_catches(
        "Exercise 9.2", "naive-timestamps", naive_refused, shown=[naive_refused]
    )
    assert str(verdict) == (
        "Exercise 9.2: not yet: the notebook showed that one already: find another."
    )


def test_a_misspelt_test_is_named_as_missing() -> None:
    """The typo in a name: no test runs, so nothing can go red; the hint says so."""
    misspelt = "tests/test_migrations.py::test_round_trip_leaves_nothing_behnd"
    verdict = testing.check_catches("Exercise 9.1", "enum", misspelt)
    assert str(verdict) == (
        f"Exercise 9.1: not yet: pytest finds no test {misspelt!r}: check the file and name."
    )


def test_a_misspelt_file_among_other_names_is_missing_and_the_others_still_run() -> None:
    """pytest runs nothing when one of its names is unknown (a test or a whole file): the others are
    run again without it."""
    misspelt = "tests/test_migration.py::test_round_trip_leaves_nothing_behind"
    cascade, missing = testing.run_with_bug("enum", [CASCADE, misspelt])
    assert (cascade.status, missing.status) == ("PASSED", "MISSING")
