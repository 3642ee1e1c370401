"""Refusals read the same whatever language the server speaks: every case of the refusal table, a
store that still has users, and a cross-store write are explained alike by a PostgreSQL answering in
German and by the run's own server (which answers in English).

The explanation may only rest on what the server does not translate: the SQLSTATE, the constraint's
and table's names, the server function that raised the error, and our own statement.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from smartstore.db import make_engine
from smartstore.migrations import upgrade
from smartstore.tenancy import store_session
from smartstore.validation import InvalidInput
from tests import german_server
from tests.test_bad_input import REFUSED_BY_THE_DATABASE, STORE

ROW_LEVEL_SECURITY = "4d3c1617c846"
"""The newest migration Debian's PostgreSQL 15 can take here (the later one needs pgvector); every
table and rule the refusal table touches is there."""


@pytest.fixture(scope="module")
def german() -> Iterator[Engine]:
    if (why := german_server.missing()) is not None:
        pytest.skip(why)
    with german_server.german_server() as url:
        upgrade(make_url(url), ROW_LEVEL_SECURITY)
        engine = make_engine(make_url(url))
        yield engine
        engine.dispose()


def refusal(engine: Engine, scene: str, refused: str) -> tuple[str, str]:
    """The field and rule the refused statement is explained with; nothing is kept."""
    with engine.connect() as connection, connection.begin():
        session = Session(bind=connection)
        store = session.execute(text(STORE.replace("'shop'", "'shop-de'"))).scalar_one()
        if scene:
            session.execute(text(scene.format(store=store)))
        with pytest.raises(InvalidInput) as explained:
            session.execute(text(refused.format(store=store).replace("'shop'", "'shop-de'")))
        connection.rollback()
    return explained.value.field, explained.value.rule


def test_the_server_really_speaks_german(german: Engine) -> None:
    with german.connect() as connection, pytest.raises(DataError) as error:
        connection.execute(text("SELECT 1 / 0"))
    assert "Division durch Null" in str(error.value.orig)


@pytest.mark.parametrize(
    ("scene", "refused"),
    [case[1:3] for case in REFUSED_BY_THE_DATABASE],
    ids=[case[0] for case in REFUSED_BY_THE_DATABASE],
)
def test_each_refusal_reads_the_same_in_german(
    german: Engine, engine: Engine, scene: str, refused: str
) -> None:
    assert refusal(german, scene, refused) == refusal(engine, scene, refused)


STORE_WITH_A_USER = (
    "INSERT INTO users (email, full_name, role, store_id) "
    "VALUES ('m@example.com', 'M', 'store_manager', {store})"
)


def test_a_store_that_still_has_users_reads_the_same_in_german(
    german: Engine, engine: Engine
) -> None:
    delete = "DELETE FROM stores WHERE id = {store}"
    said = refusal(german, STORE_WITH_A_USER, delete)
    assert said == refusal(engine, STORE_WITH_A_USER, delete)
    assert said[0] == "store"


def cross_store_write(engine: Engine) -> tuple[str, str]:
    with engine.connect() as connection, connection.begin():
        ids = connection.execute(
            text("INSERT INTO stores (name, slug) VALUES ('A', 'a-de'), ('B', 'b-de') RETURNING id")
        ).scalars()
        connection.commit()
    first, second = ids.all() if hasattr(ids, "all") else list(ids)
    try:
        with pytest.raises(InvalidInput) as explained, store_session(engine, first) as session:
            session.execute(
                text(
                    "INSERT INTO products (store_id, sku, name, price_cents) VALUES (:s, 'X', 'x', 1)"
                ),
                {"s": second},
            )
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM stores WHERE slug IN ('a-de', 'b-de')"))
    return explained.value.field, explained.value.rule


def test_a_write_for_another_store_reads_the_same_in_german(german: Engine, engine: Engine) -> None:
    said = cross_store_write(german)
    assert said == cross_store_write(engine)
    assert said[0] == "store_id"
