"""The SQL an ORM call really sent, collected for a reader, the way SQLAlchemy's tutorial shows it.

`echo=True` would log the same statements, but with timings and cache notes that change on every
run; this log keeps only the statement and its parameters, so a notebook's output stays the same.
The listener is attached to one engine for the length of a `with` block, and removed afterwards.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event


@dataclass
class StatementLog:
    statements: list[tuple[str, object]] = field(default_factory=list)
    """(SQL, parameters) in the order they reached the driver."""

    def __str__(self) -> str:
        return "\n".join(_one(sql, parameters) for sql, parameters in self.statements)

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def log_statements(engine: Engine) -> Iterator[StatementLog]:
    """Collect every statement the engine sends to the database inside the block."""
    log = StatementLog()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        log.statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _one(sql: str, parameters: object) -> str:
    text = "\n".join(line.rstrip() for line in sql.strip().splitlines())
    return f"{text}\n{parameters!r}" if parameters else text
