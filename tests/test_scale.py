"""The scale seed on small sizes: the right counts, the same rows for the same seed, constraints
held, and an interrupted or refused load leaves nothing."""

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import URL

from smartstore.migrations import upgrade
from smartstore.scale import scale_seed
from smartstore.validation import InvalidInput

CATALOGUE = (
    "SELECT s.slug, p.sku, p.name, p.description, p.price_cents "
    "FROM products p JOIN stores s ON s.id = p.store_id ORDER BY 1, 2"
)


def query(url: URL, sql: str) -> list[tuple]:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return rows


@pytest.fixture
def migrated_scratch(scratch_url: URL) -> URL:
    upgrade(scratch_url)
    return scratch_url


def test_it_loads_the_asked_counts(migrated_scratch: URL) -> None:
    result = scale_seed(migrated_scratch, stores=3, products_per_store=50, seed=7, progress=False)
    assert (result.stores, result.products) == (3, 150)
    per_store = query(migrated_scratch, "SELECT count(*) FROM products GROUP BY store_id")
    assert sorted(per_store) == [(50,), (50,), (50,)]
    assert result.peak_rss_mb > 0


def test_the_same_seed_gives_the_same_rows(migrated_scratch: URL, scratch_url: URL) -> None:
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=11, progress=False)
    first = query(migrated_scratch, CATALOGUE)
    with create_engine(migrated_scratch, poolclass=pool.NullPool).begin() as conn:
        conn.execute(text("TRUNCATE products, stores RESTART IDENTITY CASCADE"))
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=11, progress=False)
    assert query(migrated_scratch, CATALOGUE) == first
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=12, progress=False)
    other = [row[1:] for row in query(migrated_scratch, CATALOGUE) if row[0].startswith("s12-")]
    assert other != [row[1:] for row in first]


def test_the_rows_are_realistic_and_within_the_rules(migrated_scratch: URL) -> None:
    scale_seed(migrated_scratch, stores=2, products_per_store=100, seed=3, progress=False)
    rows = query(migrated_scratch, CATALOGUE)
    assert all(
        isinstance(price, int) and 0 < price < 30_000 and price % 100 == 99 for *_, price in rows
    )
    assert all(name.strip() and description.strip() for _, _, name, description, _ in rows)
    assert len({(slug, sku) for slug, sku, *_ in rows}) == len(rows)
    # a store's products were written together: consecutive ids
    gaps = query(
        migrated_scratch,
        "SELECT store_id, max(id) - min(id) + 1 = count(*) FROM products GROUP BY store_id",
    )
    assert all(contiguous for _, contiguous in gaps)


def test_loading_a_seed_twice_is_refused_and_adds_nothing(migrated_scratch: URL) -> None:
    scale_seed(migrated_scratch, stores=2, products_per_store=10, seed=5, progress=False)
    with pytest.raises(InvalidInput, match="slug"):
        scale_seed(migrated_scratch, stores=3, products_per_store=10, seed=5, progress=False)
    assert query(migrated_scratch, "SELECT count(*) FROM products") == [(20,)]
    assert query(migrated_scratch, "SELECT count(*) FROM stores") == [(2,)]


INTERRUPTED = """
import sys
from sqlalchemy.engine import make_url
from smartstore.scale import scale_seed
scale_seed(make_url(sys.argv[1]), 20, 5_000, 9, progress=False, on_chunk=lambda n: print(n, flush=True))
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_an_interrupted_seed_leaves_nothing(migrated_scratch: URL, how: signal.Signals) -> None:
    url = migrated_scratch.render_as_string(hide_password=False)
    loading = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, url], stdout=subprocess.PIPE, text=True
    )
    assert int(loading.stdout.readline()) > 0  # a first chunk is on its way to the server
    loading.send_signal(how)
    loading.wait(timeout=60)
    assert loading.returncode != 0
    assert query(migrated_scratch, "SELECT count(*) FROM stores") == [(0,)]
    assert query(migrated_scratch, "SELECT count(*) FROM products") == [(0,)]


def test_the_command_line(migrated_scratch: URL) -> None:
    env = {**os.environ, "DATABASE_URL": migrated_scratch.render_as_string(hide_password=False)}
    command = [
        sys.executable,
        "-m",
        "smartstore",
        "seed",
        "--stores",
        "2",
        "--products-per-store",
        "25",
        "--seed",
        "4",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.startswith("Seeded 2 stores and 50 products in ")
    assert "peak memory" in done.stdout
    half = subprocess.run([*command[:4], "--stores", "2"], env=env, capture_output=True, text=True)
    assert half.returncode == 1 and "both --stores and --products-per-store" in half.stderr
