"""Checkers for the workbook's exercises.

A checker looks at what the learner made (a query, a migration file, a database) against the real
database and answers in one line: that it is right, or what is still wrong. A hint, never the
answer: the worked solutions live in `notebooks/solutions/`, where nbval runs them like every other
notebook, so a checker that stops accepting its own solution fails the test suite.

Each topic has its own module (`smartstore.workbook.exercises.querying`, ...); every checker returns a
`Verdict`, whose one line is what the notebook shows.
"""

from dataclasses import dataclass

from smartstore.validation import InvalidInput
from smartstore.workbook import progress


@dataclass(frozen=True)
class Verdict:
    exercise: str
    """Which exercise, as the notebook's heading names it: "Exercise 6.1"."""
    passed: bool
    message: str
    """Why it is right, or a hint at what is still wrong; one sentence."""

    def __str__(self) -> str:
        mark = "right" if self.passed else "not yet"
        return f"{self.exercise}: {mark}: {self.message}"

    def __repr__(self) -> str:
        # a Verdict left as a cell's last value shows its one line, not the dataclass
        return str(self)

    def __bool__(self) -> bool:
        return self.passed


def right(exercise: str, message: str) -> Verdict:
    return judged(Verdict(exercise, True, message))


def not_yet(exercise: str, hint: str) -> Verdict:
    return judged(Verdict(exercise, False, hint))


def judged(verdict: Verdict) -> Verdict:
    """Every verdict is recorded in the learner's progress (`smartstore progress`) on its way out."""
    progress.record(verdict)
    return verdict


def first_line(error: BaseException) -> str:
    """The first line of an error's message, the database's own under SQLAlchemy's wrapper (a hint
    has room for one line; the rest repeats the statement), or its kind when it has no message."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def database_error(error: BaseException) -> str:
    """`Kind: first line` of the database's own error (`UndefinedColumn: column "x" does not
    exist`), found under SQLAlchemy's wrapper and under smartstore's InvalidInput raised from it."""
    if isinstance(error, InvalidInput) and error.__cause__ is not None:
        error = error.__cause__
    cause = getattr(error, "orig", None) or error
    message = str(cause).strip()
    return f"{type(cause).__name__}: {message.splitlines()[0]}" if message else type(cause).__name__
