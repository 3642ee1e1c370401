"""The plan tree, walked: every node, children included, and the indexes it reads."""

from sqlalchemy import Engine, text

from smartstore.workbook import plans


def test_every_node_of_a_nested_plan_and_the_index_it_reads(engine: Engine) -> None:
    query = (
        "EXPLAIN (FORMAT JSON) SELECT * FROM stores JOIN products ON products.store_id = stores.id "
        "WHERE products.store_id = 1"
    )
    with engine.connect() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        document = conn.execute(text(query)).scalar_one()
        conn.rollback()
    top = plans.top(document)
    found = list(plans.nodes(top))
    assert found[0] is top
    assert len(found) >= 3  # a join of two scans, at least
    assert "uq_products_store_id_sku" in plans.index_names(top)
