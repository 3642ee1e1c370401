"""`python -m smartstore.tools.bench`: what each way of inserting products costs, and what the store_id
index buys. A benchmark that prints figures, never a test: timings depend on the machine.

1. Insert paths, on the same generated rows, into the real `products` table with every constraint
   on: raw psycopg COPY (the limit; and once more with the foreign-key check off, to show what it
   costs, when we are a superuser), our scale seed (which also generates its rows as it goes),
   SQLAlchemy Core `insert()` executemany, ORM bulk `session.execute(insert(Product), rows)`, and
   the naive ORM `session.add_all()` (on fewer rows: it is by far the slowest). Each is shown as rows
   per second and as a ratio to raw COPY.
2. The tenant query: one store's products from catalogues of growing size (many small stores), with
   the index that starts with store_id, and with index scans switched off (a sequential scan).

Everything happens in a throwaway database, `smartstore_bench`, dropped at the end.
"""

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore.arguments import Parser, whole_number, whole_numbers
from smartstore.db import connect, drop_database, make_engine, server_version
from smartstore.errors import run_command
from smartstore.migrations import upgrade
from smartstore.models import Product
from smartstore.tools import scratch
from smartstore.tools.scale import PRODUCT_COLUMNS, product_rows, scale_seed, store_rows, vocabulary

STORE_QUERY = "SELECT id, sku, name, price_cents FROM products WHERE store_id = %s"
# index scans off; parallel workers off too, so the plan and the timing come from one process
NO_INDEX = (
    "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off; "
    "SET max_parallel_workers_per_gather = 0"
)


@dataclass(frozen=True)
class PathResult:
    path: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass(frozen=True)
class QueryResult:
    products: int
    stores: int
    with_index_ms: float
    without_index_ms: float


def fresh_bench_database(suffix: str = "bench") -> URL:
    """An empty, migrated database `<your database>_<suffix>` (`smartstore_bench`)."""
    url = scratch.fresh_database(suffix)
    upgrade(url)
    return url


def empty_tables(url: URL) -> None:
    with connect(url) as conn:
        conn.execute("TRUNCATE products, stores RESTART IDENTITY CASCADE")
        conn.commit()


def load_stores(url: URL, stores: int, seed: int) -> list[int]:
    with connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy("COPY stores (name, slug) FROM STDIN") as copy:
            for row in store_rows(stores, seed, vocabulary(seed, stores)):
                copy.write_row(row)
        conn.commit()
        return [row[0] for row in cursor.execute("SELECT id FROM stores ORDER BY slug")]


def timed(path: str, rows: int, work: Callable[[], object]) -> PathResult:
    started = time.perf_counter()
    work()
    return PathResult(path, rows, time.perf_counter() - started)


def raw_copy(url: URL, rows: list[tuple], foreign_keys: bool = True) -> None:
    """COPY the rows. `foreign_keys=False` shows what the foreign-key check costs: it switches off
    PostgreSQL's internal triggers for this transaction (superusers only; never do this for real)."""
    with connect(url) as conn, conn.cursor() as cursor:
        if not foreign_keys:
            cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(f"COPY products ({', '.join(PRODUCT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()


def core_executemany(engine: Engine, dicts: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Product.__table__), dicts)


def orm_bulk(engine: Engine, dicts: list[dict]) -> None:
    with Session(engine) as session:
        session.execute(insert(Product), dicts)
        session.commit()


def orm_add_all(engine: Engine, dicts: list[dict]) -> None:
    with Session(engine) as session:
        session.add_all(Product(**row) for row in dicts)
        session.commit()


def compare_insert_paths(
    url: URL, stores: int, per_store: int, add_all_rows: int, seed: int = 0, progress: bool = True
) -> list[PathResult]:
    """Each insert path on the same rows, into an emptied products table each time."""
    total = stores * per_store
    empty_tables(url)
    store_ids = load_stores(url, stores, seed)
    rows = list(product_rows(store_ids, per_store, seed, vocabulary(seed, stores)))
    dicts = [dict(zip(PRODUCT_COLUMNS, row, strict=True)) for row in rows]
    engine = make_engine(url)
    results = []

    def run(path: str, count: int, work: Callable[[], object], fresh_stores: bool = False) -> None:
        if fresh_stores:
            empty_tables(url)
        else:
            empty_products(url)
        results.append(timed(path, count, work))
        if progress:
            print(f"  {path}: {results[-1].rows_per_second:,.0f} rows/s", flush=True)

    run("raw psycopg COPY", total, lambda: raw_copy(url, rows))
    if is_superuser(url):
        run("raw COPY, FK check off", total, lambda: raw_copy(url, rows, foreign_keys=False))
    # the scale seed makes its stores itself; TRUNCATE … RESTART IDENTITY gives them the same ids
    run(
        "scale seed (COPY)",
        total,
        lambda: scale_seed(url, stores, per_store, seed, progress=False),
        True,
    )
    run("Core insert() executemany", total, lambda: core_executemany(engine, dicts))
    run("ORM bulk insert", total, lambda: orm_bulk(engine, dicts))
    run("ORM add_all (naive)", add_all_rows, lambda: orm_add_all(engine, dicts[:add_all_rows]))
    engine.dispose()
    return results


def is_superuser(url: URL) -> bool:
    with connect(url) as conn:
        return conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]


def empty_products(url: URL) -> None:
    with connect(url) as conn:
        conn.execute("TRUNCATE products RESTART IDENTITY CASCADE")  # and their embeddings
        conn.commit()


def store_query_ms(url: URL, store_ids: list[int], use_index: bool, repeats: int = 3) -> float:
    """The median time of listing one store's products, over several stores."""
    timings = []
    with connect(url) as conn:
        if not use_index:
            conn.execute(NO_INDEX)
        for store_id in store_ids:
            for _ in range(repeats):
                started = time.perf_counter()
                conn.execute(STORE_QUERY, (store_id,)).fetchall()
                timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def explain_store_query(url: URL, store_id: int, use_index: bool) -> str:
    with connect(url) as conn:
        if not use_index:
            conn.execute(NO_INDEX)
        plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {STORE_QUERY}", (store_id,))
        return same_on_every_version("\n".join(row[0] for row in plan))


def same_on_every_version(plan: str) -> str:
    """The plan as PostgreSQL 16 prints it, on 18 too, so the workbook reads the same on both: 18
    prints actual rows with two decimals (`rows=100.00`) and an `Index Searches: 1` line under each
    index scan. A fractional row count (an average over loops) is kept."""
    plan = re.sub(r"\brows=(\d+)\.00\b", r"rows=\1", plan)
    return "\n".join(line for line in plan.splitlines() if "Index Searches:" not in line)


def tenant_query_latencies(
    url: URL, sizes: list[int], per_store: int, seed: int = 0
) -> list[QueryResult]:
    """Catalogues of `sizes` products in stores of `per_store` products; one store listed from each."""
    results = []
    for size in sizes:
        empty_tables(url)
        stores = max(1, size // per_store)
        scale_seed(url, stores, per_store, seed, progress=False)
        with connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE products")
            ids = [row[0] for row in conn.execute("SELECT id FROM stores ORDER BY id")]
        sample = ids[:: max(1, len(ids) // 10)][:10]
        results.append(
            QueryResult(
                products=stores * per_store,
                stores=stores,
                with_index_ms=store_query_ms(url, sample, use_index=True),
                without_index_ms=store_query_ms(url, sample, use_index=False),
            )
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python -m smartstore.tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=whole_number(1), default=100)
    parser.add_argument("--products-per-store", type=whole_number(1), default=10_000)
    parser.add_argument(
        "--add-all-products",
        type=whole_number(1),
        default=50_000,
        help="rows for the naive add_all",
    )
    parser.add_argument(
        "--tenant-sizes",
        type=whole_numbers(1),
        default="10000,100000,1000000",
        help="catalogue sizes, comma-separated",
    )
    parser.add_argument("--tenant-per-store", type=whole_number(1), default=100)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = fresh_bench_database()
    try:
        version = server_version(url)
        total = args.stores * args.products_per_store
        print(
            f"PostgreSQL {version}; {total:,} products in {args.stores:,} stores, every constraint on."
        )
        print("Insert paths (same rows):")
        paths = compare_insert_paths(
            url, args.stores, args.products_per_store, args.add_all_products
        )
        limit = paths[0].rows_per_second
        print(f"\n{'path':<28}{'rows':>11}{'seconds':>9}{'rows/s':>11}{'vs COPY':>9}")
        for r in paths:
            speed = f"{r.rows_per_second:>11,.0f}{r.rows_per_second / limit:>8.2f}x"
            print(f"{r.path:<28}{r.rows:>11,}{r.seconds:>9.1f}{speed}")

        sizes = args.tenant_sizes
        print(f"\nListing one store's products ({args.tenant_per_store} per store), median ms:")
        queries = tenant_query_latencies(url, sizes, args.tenant_per_store)
        print(f"{'products':>10}{'stores':>8}{'index':>10}{'no index':>11}{'ratio':>9}")
        for q in queries:
            ratio = q.without_index_ms / q.with_index_ms
            print(
                f"{q.products:>10,}{q.stores:>8,}{q.with_index_ms:>10.3f}{q.without_index_ms:>11.3f}{ratio:>8.0f}x"
            )
        store_id = middle_store(url)
        print("\nThe plan with the index:\n" + explain_store_query(url, store_id, use_index=True))
        print("\nThe plan without it:\n" + explain_store_query(url, store_id, use_index=False))
        if args.json:
            figures = {
                "postgres": version,
                "products": total,
                "insert_paths": [
                    {**asdict(r), "rows_per_second": r.rows_per_second} for r in paths
                ],
                "tenant_query": [asdict(q) for q in queries],
            }
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
            print(f"\nWrote {args.json}")
    finally:
        drop_database(url)
    return 0


def middle_store(url: URL) -> int:
    """A store from the middle of the catalogue, for the plans."""
    with connect(url) as conn:
        return conn.execute(
            "SELECT id FROM stores ORDER BY id OFFSET (SELECT count(*) / 2 FROM stores) LIMIT 1"
        ).fetchone()[0]


if __name__ == "__main__":
    run_command(main)
