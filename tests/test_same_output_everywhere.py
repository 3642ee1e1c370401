"""What the package prints reads the same on every supported server, so the notebooks' stored
outputs hold on PostgreSQL 16 and 18 alike (the matrix runs them on both)."""

import re

from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.tools.bench import explain_store_query, same_on_every_version
from smartstore.tools.scale import scale_seed

# what PostgreSQL 18.4 printed for notebook 11's query (timings and buffers as they came)
PLAN_ON_18 = """Index Scan using uq_products_store_id_sku on products (actual time=0.020..0.041 rows=100.00 loops=1)
  Index Cond: (store_id = '1001'::smallint)
  Index Searches: 1
  Buffers: shared hit=5
Nested Loop (actual time=0.01..0.02 rows=33.33 loops=3)"""


def test_a_plan_from_18_reads_as_16_prints_it() -> None:
    assert same_on_every_version(PLAN_ON_18) == (
        "Index Scan using uq_products_store_id_sku on products (actual time=0.020..0.041 rows=100 loops=1)\n"
        "  Index Cond: (store_id = '1001'::smallint)\n"
        "  Buffers: shared hit=5\n"
        "Nested Loop (actual time=0.01..0.02 rows=33.33 loops=3)"  # an average stays as it is
    )


def test_the_plans_the_workbook_prints_on_this_server(migrated_scratch: URL) -> None:
    scale_seed(migrated_scratch, 3, 20, seed=1, progress=False)
    with connect(migrated_scratch) as conn:
        store_id = conn.execute("SELECT min(id) FROM stores").fetchone()[0]
    for use_index in (True, False):
        plan = explain_store_query(migrated_scratch, store_id, use_index=use_index)
        assert re.search(r"actual time=\S+ rows=20 loops=1", plan), plan
        assert "Index Searches" not in plan
