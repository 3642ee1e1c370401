"""Where a checker tries a learner's answer: the real database, inside a transaction that is always
rolled back, so checking an answer never changes the data the notebook goes on with."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back at the end, whatever happened in it."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """The same as an ORM session; its commits and failures become savepoints inside it."""
    with rolled_back(engine) as connection:
        yield Session(bind=connection, join_transaction_mode="create_savepoint")
