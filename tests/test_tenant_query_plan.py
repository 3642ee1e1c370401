"""The tenant query really uses the index that starts with store_id: PostgreSQL's own plan says so,
both for the query written with `WHERE store_id = …` and for the same query under Row-Level
Security, where the policy adds the condition. An index that exists but is not used fails here."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from smartstore.db import connect, make_engine
from smartstore.tenancy import store_transaction
from smartstore.tools.scale import scale_seed
from smartstore.workbook import plans
from tests.conftest import migrated_database

STORE_INDEX = "uq_products_store_id_sku"
"""The unique (store_id, sku) index: it serves `WHERE store_id = …` on its own (FACTS.md)."""
INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}
SELECT = "SELECT id, sku, name, price_cents FROM products"


@pytest.fixture(scope="module")
def catalogue(migrated_url: URL) -> Iterator[tuple[Engine, int]]:
    """200 stores of 50 products, analysed: enough rows that a sequential scan would lose."""
    with migrated_database("query_plan", migrated_url) as url:
        scale_seed(url, stores=200, products_per_store=50, seed=3, progress=False)
        with connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE products")
            store_id = conn.execute(
                "SELECT id FROM stores ORDER BY id LIMIT 1 OFFSET 99"
            ).fetchone()[0]
        engine = make_engine(url)
        yield engine, store_id
        engine.dispose()


def scans(conn: Connection, query: str, **params: object) -> list[tuple[str, str | None]]:
    """Every (node type, index name) of the query's plan, from EXPLAIN (FORMAT JSON)."""
    plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) {query}"), params).scalar_one()
    return [(node["Node Type"], node.get("Index Name")) for node in plans.nodes(plans.top(plan))]


def uses_the_store_index(found: list[tuple[str, str | None]]) -> bool:
    return any(kind in INDEX_NODES and index == STORE_INDEX for kind, index in found)


def test_the_store_query_uses_the_store_index(catalogue: tuple[Engine, int]) -> None:
    engine, store_id = catalogue
    with engine.connect() as conn:
        found = scans(conn, f"{SELECT} WHERE store_id = :store_id", store_id=store_id)
    assert uses_the_store_index(found), found
    assert ("Seq Scan", None) not in found


def test_the_rls_scoped_query_uses_it_too(catalogue: tuple[Engine, int]) -> None:
    """No WHERE in the query: the policy's `store_id = current_setting(…)` is what the index serves."""
    engine, store_id = catalogue
    with store_transaction(engine, store_id) as conn:
        found = scans(conn, SELECT)
        assert conn.execute(text(f"SELECT count(*) FROM ({SELECT}) AS mine")).scalar_one() == 50
    assert uses_the_store_index(found), found
    assert ("Seq Scan", None) not in found
