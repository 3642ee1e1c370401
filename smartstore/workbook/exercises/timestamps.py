"""Checkers for notebook 7's exercises: an aware datetime in another zone, and the `USING` clause
that converts old naive values to `timestamptz` the way they were meant.

Both write to the real database inside a transaction that is rolled back.
"""

from datetime import UTC, datetime

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from smartstore.models import Store
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right
from smartstore.workbook.exercises.rollback import rolled_back, rolled_back_session

TOKYO_NOON_IN_UTC = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
NEW_YORK_08_IN_UTC = datetime(2026, 6, 1, 12, 0)
"""08:00 in New York on 1 June (daylight saving time, UTC-4) is 12:00 UTC."""
NEW_YORK_WINTER_08_IN_UTC = datetime(2026, 1, 15, 13, 0)
"""08:00 in New York on 15 January (standard time, UTC-5) is 13:00 UTC: adding four hours is wrong
half of the year."""


def check_tokyo_noon(value: object, engine: Engine) -> Verdict:
    """Exercise 7.1: noon on 1 June 2026 in Tokyo, as an aware datetime, stored as a store's
    `created_at` (a `UTCDateTime` column) and read back."""
    name = "Exercise 7.1"
    if not isinstance(value, datetime):
        return not_yet(name, "give a datetime object: noon on 1 June 2026, with Tokyo's time zone.")
    if value.tzinfo is None or value.utcoffset() is None:
        return not_yet(name, "it is naive, and UTCDateTime refuses it: give it Tokyo's zone.")
    with rolled_back_session(engine) as session:
        try:
            session.add(Store(name="Tokyo Exercise", slug="tokyo-exercise", created_at=value))
            session.flush()
            session.expunge_all()  # read back what the database holds, not the object we made
            stored = session.scalars(
                select(Store.created_at).where(Store.slug == "tokyo-exercise")
            ).one()
        except Exception as error:  # a datetime at the edge of the calendar, for one
            return not_yet(name, f"it could not be stored and read back: {database_error(error)}")
    if stored != TOKYO_NOON_IN_UTC:
        return not_yet(
            name, f"it came back as {stored:%Y-%m-%d %H:%M} UTC, which is not noon in Tokyo."
        )
    return right(name, f"it came back as {stored:%Y-%m-%d %H:%M} UTC: the same instant.")


def check_using_expression(expression: object, engine: Engine) -> Verdict:
    """Exercise 7.2: the expression after `USING` that converts a `timestamp` column holding New
    York wall-clock times into `timestamptz`, whatever the session's TimeZone.

    The checker's session runs in Tokyo's zone, so an expression that leans on the session's zone
    gives the wrong instant.
    """
    name = "Exercise 7.2"
    if not isinstance(expression, str) or not expression.strip():
        return not_yet(name, "write the SQL expression that goes after USING, as a string.")
    with rolled_back(engine) as connection:
        connection.execute(text("SET LOCAL TimeZone = 'Asia/Tokyo'"))
        connection.execute(text("CREATE TABLE legacy_events (created_at timestamp)"))
        connection.execute(
            text("INSERT INTO legacy_events VALUES ('2026-06-01 08:00'), ('2026-01-15 08:00')")
        )
        alter = "ALTER TABLE legacy_events ALTER COLUMN created_at TYPE timestamptz USING "
        try:
            connection.execute(text(alter + expression))
        except SQLAlchemyError as error:
            return not_yet(name, f"the database refused it: {database_error(error)}")
        stored, winter = connection.execute(
            text("SELECT created_at AT TIME ZONE 'UTC' FROM legacy_events ORDER BY created_at DESC")
        ).scalars()
    if stored is None or winter is None:
        return not_yet(
            name, "the column holds NULL afterwards: convert the value in created_at, keep it."
        )
    if stored == NEW_YORK_08_IN_UTC and winter != NEW_YORK_WINTER_08_IN_UTC:
        return not_yet(
            name,
            f"right in June, but 08:00 on 15 January became {winter:%H:%M} UTC, not 13:00: "
            "New York's offset changes with the season.",
        )
    if stored == NEW_YORK_08_IN_UTC:
        return right(name, "08:00 in New York became 12:00 UTC, whatever the session's zone.")
    if stored == datetime(2026, 5, 31, 23, 0):
        return not_yet(name, "it read 08:00 in the session's zone (Tokyo): name the zone it meant.")
    if stored == datetime(2026, 6, 1, 8, 0):
        return not_yet(name, "it read 08:00 as UTC; these values are New York wall-clock times.")
    return not_yet(name, f"08:00 in New York became {stored:%Y-%m-%d %H:%M} UTC, not 12:00.")
