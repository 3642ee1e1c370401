"""Notebook 7's checkers on the real database: aware datetimes in another zone, and the USING clause."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from smartstore.workbook.exercises import timestamps


def test_noon_in_tokyo_must_be_aware_and_in_tokyo(engine: Engine) -> None:
    check = timestamps.check_tokyo_noon
    assert "naive" in check(datetime(2026, 6, 1, 12, 0), engine).message
    in_utc = check(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), engine)
    assert not in_utc
    assert "12:00 UTC" in in_utc.message
    assert check(datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo")), engine)
    assert check(datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=9))), engine)
    with engine.connect() as connection:  # the checker's store was rolled back
        count = "SELECT count(*) FROM stores WHERE slug = 'tokyo-exercise'"
        assert connection.execute(text(count)).scalar_one() == 0


def test_the_using_expression_must_name_new_york(engine: Engine) -> None:
    check = timestamps.check_using_expression
    assert "session's zone" in check("created_at", engine).message
    assert "as UTC" in check("created_at AT TIME ZONE 'UTC'", engine).message
    assert "not recognized" in check("created_at AT TIME ZONE 'Nowhere'", engine).message
    four_hours = check("(created_at + interval '4 hours') AT TIME ZONE 'UTC'", engine)
    assert "right in June, but 08:00 on 15 January became 12:00 UTC" in four_hours.message
    verdict = check("created_at AT TIME ZONE 'America/New_York'", engine)
    assert verdict.passed, verdict
    with engine.connect() as connection:  # the checker's table was rolled back
        exists = connection.execute(text("SELECT to_regclass('legacy_events')")).scalar_one()
    assert exists is None


def test_7_1_text_or_a_time_converted_twice_is_not_yet(engine: Engine) -> None:
    check = timestamps.check_tokyo_noon
    assert check("2026-06-01 12:00+09:00", engine).message == (
        "give a datetime object: noon on 1 June 2026, with Tokyo's time zone."
    )
    # noon in Tokyo converted to UTC by hand, then labelled Tokyo again: nine hours early
    twice = check(datetime(2026, 6, 1, 3, 0, tzinfo=ZoneInfo("Asia/Tokyo")), engine)
    assert twice.message == ("it came back as 2026-05-31 18:00 UTC, which is not noon in Tokyo.")


def test_7_1_a_datetime_the_database_cannot_give_back_is_not_yet_without_a_traceback(
    engine: Engine,
) -> None:
    verdict = timestamps.check_tokyo_noon(datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo")), engine)
    assert not verdict
    assert verdict.message.startswith(
        "it could not be stored and read back: DataError: timestamp too small (before year 1)"
    )


def test_7_2_null_or_a_misspelt_column_is_not_yet(engine: Engine) -> None:
    check = timestamps.check_using_expression
    assert check("NULL", engine).message == (
        "the column holds NULL afterwards: convert the value in created_at, keep it."
    )
    assert check("create_at AT TIME ZONE 'America/New_York'", engine).message == (
        'the database refused it: UndefinedColumn: column "create_at" does not exist'
    )
