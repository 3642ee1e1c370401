"""The scale seed on small sizes: the right counts, the same rows for the same seed (and the same
rows as `product_rows`, which the benchmark's raw COPY loads), constraints held, COPY's escaping,
progress that follows the server, and an interrupted or refused load leaves nothing."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.tools.scale import (
    COPY_PRODUCTS,
    Vocabulary,
    copy_batches,
    product_rows,
    scale_seed,
    vocabulary,
)
from smartstore.validation import InvalidInput
from tests.interruptible import interruptible

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


def high_water_mark_mb() -> float:
    """This process's peak resident memory as /proc tells it (VmHWM, in kB): the same kernel figure
    as getrusage's, reached another way, so a unit or a resource mixed up shows."""
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc/self/status on this system")
    line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def test_it_loads_the_asked_counts(migrated_scratch: URL) -> None:
    before = high_water_mark_mb()
    result = scale_seed(migrated_scratch, stores=3, products_per_store=50, seed=7, progress=False)
    assert (result.stores, result.products) == (3, 150)
    per_store = query(migrated_scratch, "SELECT count(*) FROM products GROUP BY store_id")
    assert sorted(per_store) == [(50,), (50,), (50,)]
    # this process's peak in MB (not kB, not bytes, not its children's): between the kernel's
    # figure before the load and after it; the two counters are updated at different moments, so
    # they may differ by a few pages (a unit mixed up would be 1,024 times off)
    assert before * 0.95 <= result.peak_rss_mb <= high_water_mark_mb() * 1.05


def test_the_same_seed_gives_the_same_rows(migrated_scratch: URL) -> None:
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=11, progress=False)
    first = query(migrated_scratch, CATALOGUE)
    with create_engine(migrated_scratch, poolclass=pool.NullPool).begin() as conn:
        conn.execute(text("TRUNCATE products, stores RESTART IDENTITY CASCADE"))
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=11, progress=False)
    assert query(migrated_scratch, CATALOGUE) == first
    scale_seed(migrated_scratch, stores=2, products_per_store=40, seed=12, progress=False)
    other = [row[1:] for row in query(migrated_scratch, CATALOGUE) if row[0].startswith("s12-")]
    assert other != [row[1:] for row in first]


PRODUCTS = "SELECT store_id, sku, name, description, price_cents FROM products ORDER BY id"


@pytest.mark.parametrize("batch_rows", [1, 50, 1_000])
def test_it_loads_exactly_the_rows_product_rows_makes(
    migrated_scratch: URL, batch_rows: int
) -> None:
    """Batches that split a store (50), hold several (1,000) or one row (1) change nothing."""
    scale_seed(migrated_scratch, 3, 70, seed=8, progress=False, batch_rows=batch_rows)
    store_ids = [row[0] for row in query(migrated_scratch, "SELECT id FROM stores ORDER BY slug")]
    expected = list(product_rows(store_ids, 70, 8, vocabulary(8, 3)))
    assert query(migrated_scratch, PRODUCTS) == expected


def test_copy_text_escapes_what_copy_would_misread(migrated_scratch: URL) -> None:
    """Tabs, newlines, returns, backslashes and a would-be NULL (\\N) arrive as they were."""
    words = Vocabulary(
        store_names=["unused"],
        colours=["Tab\tbed", "Back\\slash", "plain"],
        sentences=["Two\nlines.", "Carriage\rreturn.", "\\N", "\\.", "ok"],
    )
    with connect(migrated_scratch) as conn, conn.cursor() as cursor:
        cursor.execute("INSERT INTO stores (name, slug) VALUES ('A', 'a'), ('B', 'b')")
        store_ids = [row[0] for row in cursor.execute("SELECT id FROM stores ORDER BY slug")]
        for _, text in copy_batches(store_ids, 40, 2, words, batch_rows=30):
            with cursor.copy(COPY_PRODUCTS) as copy:
                copy.write(text)
        conn.commit()
    loaded = query(migrated_scratch, PRODUCTS)
    assert loaded == list(product_rows(store_ids, 40, 2, words))
    assert {description for *_, description, _ in loaded} == set(words.sentences)


def test_progress_moves_only_when_the_server_has_the_rows(migrated_scratch: URL) -> None:
    """Each time the bar advances, the loading connection is idle in its transaction: no COPY of
    rows already counted is still running (a bar counting rows sent would be seen mid-COPY)."""
    seen: list[tuple[int, str, int]] = []

    def on_batch(rows: int) -> None:
        with connect(migrated_scratch) as conn:
            state, copying = conn.execute(
                "SELECT a.state, (SELECT count(*) FROM pg_stat_progress_copy c WHERE c.pid = a.pid) "
                "FROM pg_stat_activity a "
                "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() "
                "AND a.backend_type = 'client backend'"
            ).fetchone()
        seen.append((rows, state, copying))

    scale_seed(
        migrated_scratch, 3, 1_000, seed=6, progress=False, on_batch=on_batch, batch_rows=700
    )
    assert [rows for rows, _, _ in seen] == [700, 700, 700, 700, 200]
    assert {(state, copying) for _, state, copying in seen} == {("idle in transaction", 0)}


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
from smartstore.tools.scale import scale_seed

def wait_for_the_signal(rows):
    print(rows, flush=True)  # a first batch is in the server, not committed
    sys.stdin.readline()

scale_seed(make_url(sys.argv[1]), 4, 500, 9, progress=False, batch_rows=300, on_batch=wait_for_the_signal)
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_an_interrupted_seed_leaves_nothing(migrated_scratch: URL, how: signal.Signals) -> None:
    url = migrated_scratch.render_as_string(hide_password=False)
    with interruptible():
        loading = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    assert loading.stdout.readline() == "300\n"  # the load now waits, mid-transaction
    loading.send_signal(how)
    loading.communicate(timeout=60)
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
