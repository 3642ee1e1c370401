"""Notebook 14's checkers: each with its solution and the classic wrong answers, on the real server
(the sample stores hidden among 10,000 products, ingested) and in Qdrant's local mode."""

from collections.abc import Iterator

import pytest
from qdrant_client import models
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore import catalog
from smartstore.db import make_engine
from smartstore.seed import seed
from smartstore.tools.scale import scale_seed
from smartstore.workbook.exercises import vectors
from tests.conftest import migrated_database


@pytest.fixture(scope="module")
def catalogue(migrated_url: URL) -> Iterator[tuple[Engine, int]]:
    """(engine, the id of northwind-books: 3 products among 10,005)."""
    with migrated_database("scratch_vectors", migrated_url) as url:
        engine = make_engine(url)
        with Session(engine) as session:
            seed(session)
            session.commit()
        scale_seed(url, stores=20, products_per_store=500, seed=14, progress=False)
        catalog.ingest(engine)
        with engine.connect() as connection:
            store = connection.execute(text("SELECT id FROM stores WHERE slug = 'northwind-books'"))
            store_id = store.scalar_one()
        yield engine, store_id
        engine.dispose()


# ---- 14.1 ----


def store_filter(store_id: int, key: str = "store_id") -> models.Filter:
    return models.Filter(
        must=[models.FieldCondition(key=key, match=models.MatchValue(value=store_id))]
    )


def right_answer(client, collection, store_id, vector, k):
    return client.query_points(
        collection, query=vector, query_filter=store_filter(store_id), limit=k
    ).points


def test_the_qdrant_query_accepts_the_solution() -> None:
    verdict = vectors.check_qdrant_query(right_answer)
    assert verdict.passed, verdict


def test_the_unscoped_qdrant_query_is_caught_leaking() -> None:
    def unscoped(client, collection, store_id, vector, k):
        return client.query_points(collection, query=vector, limit=k).points

    verdict = vectors.check_qdrant_query(unscoped)
    assert not verdict
    assert "hits come from other stores" in verdict.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c, col, s, v, k: None, "return the points"),
        # must_not: every store but this one
        (
            lambda c, col, s, v, k: (
                c.query_points(
                    col, query=v, query_filter=models.Filter(must_not=store_filter(s).must), limit=k
                ).points
            ),
            "hits come from other stores",
        ),
        # a store id written in, not the one asked for
        (
            lambda c, col, s, v, k: (
                c.query_points(col, query=v, query_filter=store_filter(1), limit=k).points
            ),
            "hits come from other stores",
        ),
        # the wrong payload key: nothing matches
        (
            lambda c, col, s, v, k: (
                c.query_points(
                    col, query=v, query_filter=store_filter(s, key="store"), limit=k
                ).points
            ),
            "does the filter name the payload key 'store_id'",
        ),
        # the limit forgotten: Qdrant's default is 10
        (
            lambda c, col, s, v, k: (
                c.query_points(col, query=v, query_filter=store_filter(s)).points
            ),
            "is the limit k",
        ),
        (lambda c, col, s, v, k: c.no_such_method(), "your query raised AttributeError"),
    ],
)
def test_the_qdrant_query_hints_at_wrong_answers(wrong, hint: str) -> None:
    verdict = vectors.check_qdrant_query(wrong)
    assert not verdict
    assert hint in verdict.message


# ---- 14.2 ----


def iterative(connection: Connection) -> None:
    connection.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))


def exact(connection: Connection) -> None:
    """Exact search instead: the harness switched sequential scans off, so switch them back on."""
    connection.execute(text("SET LOCAL enable_seqscan = on"))
    connection.execute(text("SET LOCAL enable_indexscan = off"))


@pytest.mark.parametrize("fix", [iterative, exact])
def test_the_small_store_fix_accepts_iterative_scan_and_exact_search(
    catalogue: tuple[Engine, int], fix
) -> None:
    engine, store_id = catalogue
    verdict = vectors.check_small_store_fix(fix, engine, store_id, "wool blanket")
    assert verdict.passed, verdict
    assert "all 3 of the store's products" in verdict.message


def test_the_filtered_hnsw_query_loses_the_small_store(catalogue: tuple[Engine, int]) -> None:
    """The trap itself, which the exercise is about: at pgvector's defaults, none of 3 come back."""
    engine, store_id = catalogue
    rows = vectors.filtered_hnsw(engine, store_id, "wool blanket", 10, lambda connection: None)
    assert rows == []
    with engine.connect() as connection:  # and the B-tree it set aside is back
        assert connection.execute(
            text("SELECT to_regclass('ix_product_embeddings_store_id') IS NOT NULL")
        ).scalar_one()


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda connection: None, "0 of the store's 3 products came back"),
        (
            # the defaults said out loud: a changed ef_search is no sure wrong answer (on
            # PostgreSQL 18 the planner then reads the store_id index and finds all 3 rows)
            lambda connection: connection.execute(text("SET LOCAL hnsw.iterative_scan = off")),
            "of the store's 3 products came back",
        ),
        (
            lambda connection: connection.execute(text("SET LOCAL enable_indexscan = off")),
            "of the store's 3 products came back",
        ),
        (
            lambda connection: connection.execute(text("SET LOCAL hnsw.iterative_scan = sideways")),
            "the query failed: InvalidParameterValue",
        ),
    ],
)
def test_the_small_store_fix_hints_at_wrong_answers(
    catalogue: tuple[Engine, int], wrong, hint: str
) -> None:
    engine, store_id = catalogue
    verdict = vectors.check_small_store_fix(wrong, engine, store_id, "wool blanket")
    assert not verdict
    assert hint in verdict.message


def test_the_small_store_fix_refuses_to_leave_the_app_role(catalogue: tuple[Engine, int]) -> None:
    """The unscoped "fix": back to the owner (RESET ROLE), where RLS no longer applies. The rows
    may even be right (the WHERE holds them), but the query has left the tenant boundary."""
    engine, store_id = catalogue

    def unscoped(connection: Connection) -> None:
        connection.execute(text("RESET ROLE"))
        iterative(connection)

    verdict = vectors.check_small_store_fix(unscoped, engine, store_id, "wool blanket")
    assert not verdict
    assert "left the role smartstore_app" in verdict.message


# ---- 14.3 ----


def test_the_search_index_question(catalogue: tuple[Engine, int]) -> None:
    engine, store_id = catalogue
    check = vectors.check_search_index
    assert "as a string" in check(None, engine, store_id).message
    assert "keeps away from" in check(catalog.HNSW_INDEX, engine, store_id).message
    assert "through another index" in check("pk_product_embeddings", engine, store_id).message
    # the join back to products reads this one, but it is not how the embeddings are found
    assert "through another index" in check("uq_products_store_id_sku", engine, store_id).message
    assert check("ix_product_embeddings_store", engine, store_id).message == (
        "there is no index named 'ix_product_embeddings_store': copy the name from the plan's "
        "scan node."
    )
    verdict = check("ix_product_embeddings_store_id", engine, store_id)
    assert verdict.passed, verdict
