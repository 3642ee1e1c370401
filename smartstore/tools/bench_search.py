"""`make bench-search`: vector search inside one store, four ways, on a catalogue of uneven stores.

    smartstore db run -- python -m smartstore.tools.bench_search [--scale 1] [--queries 40] [--seed 18]

On DATABASE_URL's server (`make bench-search` starts the embedded one), a throwaway database
(`<db>_bench_search`, dropped at the end) gets 200 stores whose sizes span four
bands (a handful of products to thousands; about 217,000 products in all), migrated to head and
ingested with `smartstore.catalog.ingest`. Then, per band, random queries run as `smartstore_app`
scoped to a store (Row-Level Security on, as `search` runs), each four ways:

- **HNSW, post-filter**: `WHERE store_id = s ORDER BY embedding <=> q LIMIT 10` at pgvector's default
  settings: the index returns the nearest `hnsw.ef_search` (40) of the whole table, then the filter
  keeps this store's: fewer than 10 for all but the largest stores;
- **HNSW, iterative scan**: the same with `hnsw.iterative_scan = relaxed_order` (pgvector 0.8): the
  scan goes on until 10 rows pass the filter, or until `hnsw.max_scan_tuples` (20,000);
- **exact, within the store**: index scans off, so the store's rows come through the B-tree on
  `store_id` (a bitmap scan) and are sorted by distance: what `smartstore.catalog.search` runs;
- **exact, whole table**: every row's distance, sorted, then the store's rows kept (as the owner:
  under RLS the policy would narrow the scan to the store first): the brute-force reference, whose
  answer defines recall.

recall@10 counts a hit as right when it is at most as far as the reference's 10th (ties count).
p50/p95 are the query's wall time seen from Python, in ms. Then the ingest rate against a raw COPY
of the same vectors (binary COPY, then the same HNSW build). CPU heavy: run it on a quiet machine.
"""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from smartstore import catalog
from smartstore.arguments import Parser, whole_number
from smartstore.db import configured_url, connect, drop_database, make_engine
from smartstore.errors import run_command
from smartstore.migrations import upgrade
from smartstore.tenancy import store_transaction
from smartstore.tools.scale import scale_seed
from smartstore.tools.scratch import fresh_database

BANDS = [("3-30", 3, 30, 60), ("100-500", 100, 500, 70), ("1k-2k", 1_000, 2_000, 50),
         ("4k-8k", 4_000, 8_000, 20)]  # fmt: skip
"""(name, fewest, most products per store, how many stores) for the default 200 stores."""
K = 10
WORDS = ["mug", "glass", "wool", "blanket", "oak", "desk", "lamp", "red", "canvas", "tote", "bag",
         "ceramic", "teapot", "linen", "scarf", "steel", "bottle", "leather", "wallet", "green",
         "blue", "bamboo", "bowl", "cotton", "pillow", "yoga", "mat", "coffee", "beans"]  # fmt: skip
NEAREST = text("""
SELECT product_id, embedding <=> :q AS distance FROM product_embeddings
WHERE store_id = :s ORDER BY distance LIMIT :k
""")


def hnsw_post_filter(connection: Connection) -> None:
    """pgvector's defaults (ef_search 40, no iterative scan); the HNSW index, not the B-tree."""
    connection.execute(text("SET LOCAL enable_bitmapscan = off"))
    connection.execute(text("SET LOCAL enable_seqscan = off"))


def hnsw_iterative(connection: Connection) -> None:
    hnsw_post_filter(connection)
    connection.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))


EVERY_ROW = text("""
SELECT product_id, distance FROM (
    SELECT product_id, store_id, embedding <=> :q AS distance FROM product_embeddings
    ORDER BY distance OFFSET 0
) AS every_row
WHERE store_id = :s ORDER BY distance LIMIT :k
""")
"""Every row's distance, sorted, then the store's kept (OFFSET 0 keeps the filter out of the
subquery): exact search with nothing to narrow it to the store. Run as the owner: under RLS the
policy would narrow the scan to the store's rows, which is exact search within the store again."""


def whole_table(connection: Connection) -> None:
    """Marker for `timed`: the brute-force reference (EVERY_ROW, as the owner)."""


METHODS: dict[str, Callable[[Connection], None]] = {
    "HNSW post-filter": hnsw_post_filter,
    "HNSW iterative": hnsw_iterative,
    "exact in store": catalog.exact_within_store,
    "exact whole table": whole_table,
}


@dataclass
class Band:
    name: str
    store_ids: list[int]
    products: int
    recalls: dict[str, list[float]]
    millis: dict[str, list[float]]


def build_catalogue(url, seed: int, scale: float) -> dict[str, list[int]]:
    """Seed every band's stores (one scale_seed per store: each its own size); band -> store ids."""
    rng = random.Random(seed)
    bands: dict[str, list[int]] = {}
    number = 0
    for name, fewest, most, count in BANDS:
        for _ in range(max(1, round(count * scale))):
            number += 1
            scale_seed(url, 1, rng.randint(fewest, most), seed=seed * 1000 + number, progress=False)
            with connect(url) as conn:
                store_id = conn.execute("SELECT max(id) FROM stores").fetchone()[0]
            bands.setdefault(name, []).append(store_id)
    return bands


def timed(
    engine: Engine, method: Callable[[Connection], None], store_id: int, query: str
) -> tuple[float, list]:
    """(ms, rows) of one nearest-neighbour query: as smartstore_app scoped to the store after
    `method` set what it sets, or the brute-force reference as the owner."""
    if method is whole_table:
        with engine.begin() as connection:
            connection.connection.driver_connection.prepare_threshold = None
            # no index: an ordered HNSW scan without LIMIT stops after ef_search rows
            connection.execute(text("SET LOCAL enable_indexscan = off"))
            started = time.perf_counter()
            rows = connection.execute(EVERY_ROW, {"q": query, "s": store_id, "k": K}).all()
            return (time.perf_counter() - started) * 1000, rows
    with store_transaction(engine, store_id) as connection:
        # psycopg prepares a statement run 5 times, and PostgreSQL keeps a prepared plan whatever
        # SET says afterwards: every method would then be timed on the first method's plan
        connection.connection.driver_connection.prepare_threshold = None
        method(connection)
        started = time.perf_counter()
        rows = connection.execute(NEAREST, {"q": query, "s": store_id, "k": K}).all()
        return (time.perf_counter() - started) * 1000, rows


def recall(rows: list, reference: list, wanted: int) -> float:
    if wanted == 0:
        return 1.0
    tenth = reference[-1].distance
    return sum(1 for row in rows if row.distance <= tenth + 1e-6) / wanted


def measure(engine: Engine, bands: dict[str, list[int]], queries: int, seed: int) -> list[Band]:
    """The same random queries, every method; the two HNSW methods with the B-tree on `store_id`
    set aside (dropped, then built again), so that they measure the HNSW index: with the B-tree
    there, the planner reads a small store through it, which is the exact path by another name."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        sizes = dict(
            connection.execute(text("SELECT store_id, count(*) FROM products GROUP BY 1")).all()
        )
    work = {
        name: [
            (
                store_id := rng.choice(ids),
                catalog.vector_literal(catalog.embed(" ".join(rng.sample(WORDS, 2)))),
            )
            for _ in range(queries)
        ]
        for name, ids in bands.items()
    }
    results = {
        name: Band(name, ids, sum(sizes[s] for s in ids), {}, {}) for name, ids in bands.items()
    }
    references = {}
    exact = ["exact in store", "exact whole table"]
    for phase in (exact, [m for m in METHODS if m not in exact]):
        if phase is not exact:
            set_aside_store_index(engine, drop=True)
        for name, pairs in work.items():
            band = results[name]
            for number, (store_id, query) in enumerate(pairs):
                if (name, number) not in references:
                    references[name, number] = timed(engine, whole_table, store_id, query)[1]
                for method_name in phase:
                    ms, rows = timed(engine, METHODS[method_name], store_id, query)
                    band.millis.setdefault(method_name, []).append(ms)
                    wanted = min(K, sizes[store_id])
                    found = recall(rows, references[name, number], wanted)
                    band.recalls.setdefault(method_name, []).append(found)
        print(f"  measured: {', '.join(phase)}")
    set_aside_store_index(engine, drop=False)
    return [results[name] for name in bands]


STORE_INDEX = "ix_product_embeddings_store_id"


def set_aside_store_index(engine: Engine, drop: bool) -> None:
    with engine.begin() as connection:
        if drop:
            connection.execute(text(f"DROP INDEX {STORE_INDEX}"))
        else:
            connection.execute(text(f"CREATE INDEX {STORE_INDEX} ON product_embeddings (store_id)"))
        connection.execute(text("ANALYZE product_embeddings"))


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def table(results: list[Band]) -> str:
    head = f"| products per store | stores | {' | '.join(METHODS)} |"
    rule = "|---|---:|" + "---:|" * len(METHODS)
    lines = [head, rule]
    for band in results:
        cells = []
        for method in METHODS:
            r = statistics.mean(band.recalls[method])
            p50, p95 = percentile(band.millis[method], 50), percentile(band.millis[method], 95)
            cells.append(f"{r:.2f} · {p50:.1f} / {p95:.1f} ms")
        lines.append(f"| {band.name} | {len(band.store_ids)} | {' | '.join(cells)} |")
    return "\n".join(lines)


def ingest_against_copy(engine: Engine, url) -> str:
    """Ingest (embed + COPY + upsert + HNSW build) against a raw binary COPY of the same vectors
    (+ the same build)."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM product_embeddings"))
    started = time.perf_counter()
    rows = catalog.ingest(engine)
    ingest_s = time.perf_counter() - started
    with connect(url) as conn:
        with conn.cursor() as cur:
            data = bytearray()
            with cur.copy("COPY product_embeddings TO STDOUT WITH (FORMAT BINARY)") as copy:
                for block in copy:
                    data += block
        definition = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (catalog.HNSW_INDEX,)
        ).fetchone()[0]
        conn.execute(f"DROP INDEX {catalog.HNSW_INDEX}")
        conn.execute("TRUNCATE product_embeddings")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY product_embeddings FROM STDIN WITH (FORMAT BINARY)") as copy,
        ):
            copy.write(data)
        copy_s = time.perf_counter() - started
        conn.execute(f"SET maintenance_work_mem = '{catalog.BUILD_MEMORY}'")
        started = time.perf_counter()
        conn.execute(definition)
        build_s = time.perf_counter() - started
        conn.commit()
    total = copy_s + build_s
    return (
        f"ingest (embed, COPY, upsert, HNSW build): {rows:,} products in {ingest_s:.1f} s "
        f"({rows / ingest_s:,.0f}/s)\n"
        f"raw COPY of the same vectors: {copy_s:.1f} s ({rows / copy_s:,.0f}/s), + HNSW build "
        f"{build_s:.1f} s = {total:.1f} s ({rows / total:,.0f}/s): ingest's rate is "
        f"{total / ingest_s:.2f}x of COPY + build"
    )


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="python -m smartstore.tools.bench_search", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 200 stores")
    parser.add_argument(
        "--queries", type=whole_number(1), default=40, help="queries per band (default 40)"
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    url = fresh_database("bench_search", configured_url())
    engine = make_engine(url)
    try:
        upgrade(url)
        started = time.perf_counter()
        bands = build_catalogue(url, args.seed, args.scale)
        with connect(url) as conn:
            products = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        print(f"{products:,} products in {sum(map(len, bands.values()))} stores, seeded in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        ingest_line = ingest_against_copy(engine, url)
        with connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE product_embeddings")
        results = measure(engine, bands, args.queries, args.seed)
        print()
        print(f"recall@{K} · p50 / p95 latency, {args.queries} random queries per band, as "
              "smartstore_app under RLS:")  # fmt: skip
        print(table(results))
        print()
        print(ingest_line)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    run_command(main)
