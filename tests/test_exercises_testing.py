"""Notebook 9's checkers: with a bug brought back, the test that protects against it goes red, and
one that does not stays green. Each check starts a pytest of its own on a throwaway database."""

from smartstore.workbook.exercises import testing

ROUND_TRIP = "tests/test_migrations.py::test_round_trip_leaves_nothing_behind"
CASCADE = "tests/test_models.py::test_product_belongs_to_store_and_cascades"
NAIVE_REFUSED = "tests/test_models.py::test_naive_datetime_is_refused"


def test_with_the_enum_bug_back_the_round_trip_goes_red_and_the_cascade_test_does_not() -> None:
    round_trip, cascade, missing = testing.run_with_bug(
        "enum", [ROUND_TRIP, CASCADE, "tests/test_models.py::test_no_such_test"]
    )
    assert (round_trip.status, cascade.status, missing.status) == ("FAILED", "PASSED", "MISSING")
    assert "left behind: [('enum', 'public.user_role')]" in round_trip.reason


def test_without_a_bug_the_same_tests_pass() -> None:
    outcomes = testing.run_with_bug(None, [ROUND_TRIP, NAIVE_REFUSED])
    assert [outcome.status for outcome in outcomes] == ["PASSED", "PASSED"]


def test_check_catches_names_a_test_that_goes_red() -> None:
    check = testing.check_catches
    assert "as pytest does" in check("Exercise 9.2", "naive-timestamps", None).message
    assert "stays green" in check("Exercise 9.2", "naive-timestamps", CASCADE).message
    verdict = check("Exercise 9.2", "naive-timestamps", NAIVE_REFUSED)
    assert verdict.passed, verdict


def test_a_test_the_notebook_already_named_does_not_count() -> None:
    """9.2: notebook 9 names NAIVE_REFUSED in a cell, so its check passes it as `shown`."""
    naive_refused = "tests/test_models.py::test_naive_datetime_is_refused"
    verdict = testing.check_catches(
        "Exercise 9.2", "naive-timestamps", naive_refused, shown=[naive_refused]
    )
    assert str(verdict) == (
        "Exercise 9.2: not yet: the notebook showed that one already: find another."
    )


def test_a_misspelt_test_or_file_is_named_as_missing() -> None:
    """The typo in a name: no test runs, so nothing can go red; the hint says so."""
    for misspelt in (
        "tests/test_migrations.py::test_round_trip_leaves_nothing_behnd",
        "tests/test_migration.py::test_round_trip_leaves_nothing_behind",
    ):
        verdict = testing.check_catches("Exercise 9.1", "enum", misspelt)
        assert str(verdict) == (
            f"Exercise 9.1: not yet: pytest finds no test {misspelt!r}: check the file and name."
        )
