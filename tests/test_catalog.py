"""The catalog's vector search on the real server: one database of this module's own, with stores
of uneven sizes (3 to 4,000 products), migrated to head and ingested once.

What must hold: no hit ever comes from another store (through `search`, and through raw SQL as the
app role, whatever the SQL forgot); recall@k is 1.0 against a brute-force search in numpy for every
store size; ingest embeds each product once and follows edits; bad input is refused in one error.
"""

import random
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from smartstore import catalog
from smartstore.db import make_engine
from smartstore.tenancy import store_transaction, use_app_role
from smartstore.tools.scale import scale_seed
from smartstore.validation import InvalidInput
from tests.conftest import migrated_database

STORE_SIZES = [3, 10, 40, 300, 2_000, 4_000]
"""One store of each size: the 3-product store hides among 6,350 others."""
WORDS = ["mug", "glass", "wool", "blanket", "oak", "desk", "lamp", "red", "canvas", "tote", "bag"]


@pytest.fixture(scope="module")
def url(migrated_url: URL) -> Iterator[URL]:
    with migrated_database("scratch_catalog", migrated_url) as url:
        for seed, size in enumerate(STORE_SIZES, start=1):
            scale_seed(url, stores=1, products_per_store=size, seed=100 + seed, progress=False)
        yield url


@pytest.fixture(scope="module")
def engine(url: URL) -> Iterator[Engine]:
    engine = make_engine(url)
    catalog.ingest(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def stores(engine: Engine) -> dict[int, int]:
    """store id -> how many products it has."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT store_id, count(*) FROM products GROUP BY 1"))
        return dict(rows.all())


def all_embeddings(engine: Engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(product ids, store ids, embeddings) as the owner sees them: every store."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT product_id, store_id, embedding::text FROM product_embeddings")
        ).all()
    vectors = np.array([[float(x) for x in row[2].strip("[]").split(",")] for row in rows])
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), vectors


def test_head_has_the_extension_and_one_vector_table_with_rls_and_hnsw(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        ).scalar_one()
        tables = connection.execute(
            text(
                "SELECT DISTINCT c.table_name FROM information_schema.columns c "
                "WHERE c.udt_name = 'vector' AND c.table_schema = 'public'"
            )
        ).scalars()
        assert list(tables) == ["product_embeddings"]
        columns = connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'product_embeddings'"
            )
        ).scalars()
        assert "store_id" in set(columns)
        assert connection.execute(
            text("SELECT relrowsecurity FROM pg_class WHERE relname = 'product_embeddings'")
        ).scalar_one()
        methods = connection.execute(
            text(
                "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam "
                "WHERE i.indrelid = 'product_embeddings'::regclass"
            )
        ).scalars()
        assert "hnsw" in set(methods)


def test_every_product_is_embedded_once(engine: Engine, stores: dict[int, int]) -> None:
    with engine.connect() as connection:
        embedded = connection.execute(text("SELECT count(*) FROM product_embeddings")).scalar_one()
        mismatched = connection.execute(
            text(
                "SELECT count(*) FROM product_embeddings e JOIN products p ON p.id = e.product_id "
                "WHERE e.store_id <> p.store_id"
            )
        ).scalar_one()
    assert embedded == sum(stores.values())
    assert mismatched == 0
    assert catalog.ingest(engine) == 0


def test_ingest_follows_edits_and_moves(engine: Engine, stores: dict[int, int]) -> None:
    small, large = sorted(stores, key=stores.get)[1], max(stores, key=stores.get)
    with engine.begin() as connection:
        edited = connection.execute(
            text(
                "UPDATE products SET name = 'Teal Bamboo Kettle' "
                "WHERE id = (SELECT min(id) FROM products WHERE store_id = :s) RETURNING id"
            ),
            {"s": large},
        ).scalar_one()
        described = connection.execute(
            text(
                "UPDATE products SET description = 'now with a lid' "
                "WHERE id = (SELECT max(id) FROM products WHERE store_id = :s) RETURNING id"
            ),
            {"s": large},
        ).scalar_one()
    assert catalog.ingest(engine) == 2
    assert catalog.ingest(engine) == 0
    assert catalog.search(engine, large, "Teal Bamboo Kettle", k=1)[0].product_id == edited
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT text_md5 FROM product_embeddings WHERE product_id = :p"), {"p": described}
        ).scalar_one()
        expected = connection.execute(
            text("SELECT md5(name || E'\\n' || description) FROM products WHERE id = :p"),
            {"p": described},
        ).scalar_one()
    assert stored == expected
    # a product moved to another store (by the owner) is re-embedded under its new store
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE products SET store_id = :s, sku = 'MOVED' WHERE id = :p"),
            {"s": small, "p": edited},
        )
    try:
        assert catalog.ingest(engine) == 1
        assert [h.product_id for h in catalog.search(engine, small, "Teal Bamboo Kettle", k=1)] == [
            edited
        ]
        assert edited not in {
            h.product_id for h in catalog.search(engine, large, "Teal Bamboo Kettle")
        }
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE products SET store_id = :s WHERE id = :p"), {"s": large, "p": edited}
            )
        catalog.ingest(engine)


def test_a_bulk_ingest_rebuilds_the_same_hnsw_index(engine: Engine, stores: dict[int, int]) -> None:
    index_sql = text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_product_embeddings_embedding_hnsw'"
    )
    with engine.begin() as connection:
        before = connection.execute(index_sql).scalar_one()
        connection.execute(text("DELETE FROM product_embeddings"))
    assert catalog.pending(engine) == sum(stores.values())
    steps: list[int] = []
    assert catalog.ingest(engine, bulk_rows=1, on_batch=steps.append) == sum(stores.values())
    assert sum(steps) == sum(stores.values()) and len(steps) > 1
    with engine.connect() as connection:
        assert connection.execute(index_sql).scalar_one() == before
    assert catalog.ingest(engine, bulk_rows=1) == 0


def test_a_product_is_found_by_its_own_name_first(engine: Engine, stores: dict[int, int]) -> None:
    with engine.connect() as connection:
        unique_names = connection.execute(
            text(
                "SELECT DISTINCT ON (store_id) store_id, min(id), name FROM products "
                "GROUP BY store_id, name HAVING count(*) = 1 ORDER BY store_id, name"
            )
        ).all()
    assert {store for store, _, _ in unique_names} == set(stores)
    for store_id, product_id, name in unique_names:
        assert catalog.search(engine, store_id, name)[0].product_id == product_id


def test_a_three_product_store_among_thousands_gets_all_three(
    engine: Engine, stores: dict[int, int]
) -> None:
    tiny = min(stores, key=stores.get)
    assert stores[tiny] == 3
    hits = catalog.search(engine, tiny, "glass mug", k=10)
    assert len(hits) == 3
    assert {hit.store_id for hit in hits} == {tiny}


def test_random_queries_never_cross_stores_and_match_brute_force(
    engine: Engine, stores: dict[int, int]
) -> None:
    """200 random queries over every store: each hit is the asked store's, and the hits are the k
    nearest of that store (recall@k = 1.0 against numpy, ties at equal distance allowed)."""
    ids, owners, vectors = all_embeddings(engine)
    owner_of = dict(zip(ids.tolist(), owners.tolist(), strict=True))
    rng = random.Random(18)
    for _ in range(200):
        store_id = rng.choice(sorted(stores))
        query = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
        k = rng.choice([1, 5, 10, 25])
        hits = catalog.search(engine, store_id, query, k=k)
        assert len(hits) == min(k, stores[store_id])
        assert all(hit.store_id == store_id == owner_of[hit.product_id] for hit in hits)
        mine = owners == store_id
        distances = 1 - vectors[mine] @ np.array(catalog.embed(query))
        kth = np.sort(distances)[len(hits) - 1]
        assert [h.distance for h in hits] == sorted(h.distance for h in hits)
        assert all(hit.distance <= kth + 1e-5 for hit in hits), (store_id, query, k)


NEAREST_WITHOUT_FILTER = text(
    "SELECT product_id, store_id FROM product_embeddings ORDER BY embedding <=> :q LIMIT 50"
)


@pytest.mark.parametrize("plan", ["hnsw", "exact"])
def test_raw_sql_as_the_app_role_sees_only_its_store(
    engine: Engine, stores: dict[int, int], plan: str
) -> None:
    """The classic mistake, a nearest-neighbour query without `WHERE store_id`: under RLS, as
    smartstore_app scoped to a store, it still returns only that store's rows (or none)."""
    query = catalog.vector_literal(catalog.embed("red wool blanket"))
    for store_id, size in stores.items():
        with store_transaction(engine, store_id) as connection:
            if plan == "exact":
                catalog.exact_within_store(connection)
            rows = connection.execute(NEAREST_WITHOUT_FILTER, {"q": query}).all()
            count = connection.execute(text("SELECT count(*) FROM product_embeddings")).scalar()
        assert {row.store_id for row in rows} <= {store_id}
        assert count == size
        if plan == "exact":
            assert len(rows) == min(50, size)


def test_the_app_role_without_a_store_sees_no_embedding(engine: Engine) -> None:
    with engine.begin() as connection:
        use_app_role(connection)
        assert connection.execute(text("SELECT count(*) FROM product_embeddings")).scalar() == 0
        assert (
            connection.execute(NEAREST_WITHOUT_FILTER, {"q": "[1" + ",0" * 127 + "]"}).all() == []
        )


@pytest.mark.parametrize(
    ("store_id", "query", "k", "field"),
    [
        (None, "mug", 10, "store_id"),
        ("1", "mug", 10, "store_id"),
        (True, "mug", 10, "store_id"),
        (1, "   ", 10, "text"),
        (1, "?!", 10, "text"),
        (1, "mug", 0, "k"),
        (1, "mug", 1_001, "k"),
        (1, "mug", 2.0, "k"),
    ],
)
def test_search_refuses_bad_input(
    engine: Engine, store_id: object, query: object, k: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        catalog.search(engine, store_id, query, k=k)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_store_that_does_not_exist_gets_no_hits(engine: Engine) -> None:
    assert catalog.search(engine, 2_000_000_000, "mug") == []


def test_embed_is_deterministic_and_unit_length() -> None:
    first = catalog.embed("Red Wool Blanket")
    again = subprocess.run(
        [
            sys.executable,
            "-c",
            "from smartstore.catalog import embed; print(embed('Red Wool Blanket'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert eval(again) == first  # another process, another hash seed: the same vector
    assert len(first) == catalog.EMBEDDING_DIMENSIONS
    assert abs(np.linalg.norm(first) - 1) < 1e-6
    near = np.dot(first, catalog.embed("red wool scarf"))
    far = np.dot(first, catalog.embed("oak desk lamp"))
    assert near > far


def cli(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": url.render_as_string(hide_password=False), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "smartstore", "catalog", *args],
        capture_output=True,
        text=True,
        env=env,
    )


def test_the_commands(url: URL, engine: Engine, stores: dict[int, int]) -> None:
    with engine.connect() as connection:
        slug, name = connection.execute(
            text(
                "SELECT s.slug, p.name FROM stores s JOIN products p ON p.store_id = s.id "
                "WHERE s.id = :s ORDER BY p.id LIMIT 1"
            ),
            {"s": min(stores, key=stores.get)},
        ).one()
    done = cli(url, "ingest")
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, "0 products to embed."), (
        done.stderr
    )
    done = cli(url, "search", "--store", slug, name, "--k", "2")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2 and name in done.stdout.splitlines()[0]
    done = cli(url, "search", "--store", "no-such-store", "mug")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "smartstore: store: no store has the slug 'no-such-store'\n"
    done = cli(url, "search", "--store", slug, "mug", "--k", "0")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
