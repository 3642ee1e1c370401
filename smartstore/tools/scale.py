"""Catalogues of any size, fast: the scale seed.

`scale_seed()` (and `smartstore seed --stores S --products-per-store P --seed N`) writes realistic,
deterministic stores and products through PostgreSQL's COPY, the fastest way in:

- deterministic: the same `seed` gives the same rows. Faker, seeded, makes small vocabularies once
  (store names, colours, sentences); each row is then a cheap, seeded choice among them;
- at the speed of COPY itself: each batch of rows is formatted as one block of COPY's text format
  (the vocabularies escaped once, each line made by C-level `str.format`), not one `write_row` call
  per row, and the next batch is made in a worker thread while the server checks the current one,
  so making the rows costs about nothing next to loading them (`python -m smartstore.tools.bench_loop`
  measures it against a raw COPY of the same rows);
- streaming, in bounded batches: each batch of `BATCH_ROWS` rows is one COPY statement, so memory
  stays flat however large the catalogue (at most two batches exist at once; the result reports the
  process's peak memory);
- honest progress: the progress bar (tqdm, in a terminal and in a notebook) moves when a batch's
  COPY statement has *returned*, that is when the server has stored and checked those rows. Rows
  handed to psycopg are not rows loaded: COPY checks the foreign keys of the whole statement at its
  end, about half of the work, so a bar that counts rows sent reaches 100% long before the load ends;
- one transaction: stores and products are committed together or not at all, so an interrupted seed
  (Ctrl-C, a crash, a killed server) leaves nothing half done.
"""

import random
import re
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import psycopg
from faker import Faker
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.refusals import explain

BATCH_ROWS = 50_000
"""Rows per COPY statement: large enough that a statement's overhead vanishes (measured: 10,000 to
100,000 load at the same speed), small enough that the bar moves often and memory stays small."""
PRODUCT_COLUMNS = ("store_id", "sku", "name", "description", "price_cents")
COPY_PRODUCTS = f"COPY products ({', '.join(PRODUCT_COLUMNS)}) FROM STDIN"
PRICES = [dollars * 100 - 1 for dollars in range(1, 301)]  # 0.99 … 299.99
NOUNS = (
    "Backpack", "Blanket", "Bottle", "Bowl", "Candle", "Chair", "Desk Lamp", "Headphones", "Jacket",
    "Kettle", "Mug", "Notebook", "Pillow", "Planter", "Scarf", "Sneakers", "Teapot", "Tote Bag",
    "Wallet", "Watch", "Coffee Beans", "Cookbook", "Board Game", "Yoga Mat", "Umbrella",
)  # fmt: skip
MATERIALS = (
    "Bamboo",
    "Canvas",
    "Ceramic",
    "Cotton",
    "Glass",
    "Leather",
    "Linen",
    "Oak",
    "Steel",
    "Wool",
)


@dataclass(frozen=True)
class ScaleResult:
    stores: int
    products: int
    seconds: float
    peak_rss_mb: float
    """The process's peak resident memory, from the kernel (it includes everything loaded before)."""

    @property
    def rows_per_second(self) -> float:
        return self.products / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"Seeded {self.stores:,} stores and {self.products:,} products in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} products/s); peak memory {self.peak_rss_mb:.0f} MB."
        )


@dataclass(frozen=True)
class Vocabulary:
    store_names: list[str]
    colours: list[str]
    sentences: list[str]

    def escaped_for_copy(self) -> "Vocabulary":
        """The same words as COPY's text format needs them, escaped once instead of once per row."""
        return replace(
            self,
            colours=[copy_text(word) for word in self.colours],
            sentences=[copy_text(sentence) for sentence in self.sentences],
        )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A value as a field of COPY's text format: backslash, tab, newline and return escaped."""
    return value.translate(_COPY_ESCAPES)


def vocabulary(seed: int, stores: int) -> Vocabulary:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return Vocabulary(
        store_names=[fake.company() for _ in range(min(stores, 5_000))],
        colours=[fake.color_name() for _ in range(60)],
        sentences=[fake.sentence(nb_words=10) for _ in range(500)],
    )


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def store_rows(stores: int, seed: int, words: Vocabulary) -> list[tuple[str, str]]:
    """(name, slug) for each store; slugs start with `s<seed>-`, so two seeds never collide."""
    rows = []
    for index in range(stores):
        name = words.store_names[index % len(words.store_names)]
        rows.append((name, f"s{seed}-{index + 1:06d}-{slugify(name)}"[:100].rstrip("-")))
    return rows


def drawn_columns(
    store_ids: list[int], per_store: int, seed: int, words: Vocabulary, prices: Sequence
) -> Iterator[tuple[int, int, list, list, list, list, list]]:
    """For each store: its number, its id and its products' columns (colours, materials, nouns,
    sentences, prices), drawn in one fixed order from one seeded generator.

    Both `product_rows` and `copy_batches` draw through here, so they give the same products.
    `random.choices` draws a whole store's worth of each column at once: several times faster than
    one call per value. It picks by position, so `words` and `prices` may be any lists of the same
    lengths (escaped words, prices as text) and the same products come out.
    """
    rng = random.Random(seed)
    for number, store_id in enumerate(store_ids, start=1):
        yield (
            number,
            store_id,
            rng.choices(words.colours, k=per_store),
            rng.choices(MATERIALS, k=per_store),
            rng.choices(NOUNS, k=per_store),
            rng.choices(words.sentences, k=per_store),
            rng.choices(prices, k=per_store),
        )


def product_rows(
    store_ids: list[int], per_store: int, seed: int, words: Vocabulary
) -> Iterator[tuple[int, str, str, str, int]]:
    """Every product as a tuple, store by store (a store's products then sit together on disk)."""
    for number, store_id, *columns in drawn_columns(store_ids, per_store, seed, words, PRICES):
        rows = zip(*columns, strict=True)
        for index, (colour, material, noun, sentence, price) in enumerate(rows, start=1):
            yield (
                store_id,
                f"P{number:05d}-{index:06d}",
                f"{colour} {material} {noun}",
                sentence,
                price,
            )


def copy_batches(
    store_ids: list[int], per_store: int, seed: int, words: Vocabulary, batch_rows: int = BATCH_ROWS
) -> Iterator[tuple[int, str]]:
    """The products of `product_rows`, as blocks of COPY's text format of `batch_rows` rows (the
    last one shorter): (rows, text). A batch may hold several small stores or part of a large one.

    Each line is made by C-level `str.format` over the columns (`map`), from words escaped once:
    about half the CPU of building a tuple per row and formatting it field by field in `write_row`.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    suffixes = [f"{index:06d}" for index in range(1, per_store + 1)]
    prices = [str(price) for price in PRICES]
    escaped = words.escaped_for_copy()
    pending: list[str] = []
    count = 0
    for number, store_id, *columns in drawn_columns(store_ids, per_store, seed, escaped, prices):
        line = f"{store_id}\tP{number:05d}-{{}}\t{{}} {{}} {{}}\t{{}}\t{{}}\n".format
        start = 0
        while start < per_store:
            stop = min(per_store, start + batch_rows - count)
            parts = (column[start:stop] for column in [suffixes, *columns])
            pending.append("".join(map(line, *parts)))
            count += stop - start
            start = stop
            if count == batch_rows:
                yield count, "".join(pending)
                pending, count = [], 0
    if count:
        yield count, "".join(pending)


def made_ahead[T](items: Iterator[T]) -> Iterator[T]:
    """The items of `items`, each next one made in a worker thread while the caller uses this one.

    Loading a batch mostly waits on the server (the main thread sleeps in a socket wait, which
    releases the GIL), so making the next batch meanwhile hides its cost. At most one item is made
    ahead, so memory stays bounded. If the caller stops early (an error, Ctrl-C), the worker
    finishes the one item it is making and stops.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scale-seed") as worker:
        upcoming = worker.submit(next, items, None)
        while (item := upcoming.result()) is not None:
            upcoming = worker.submit(next, items, None)
            yield item


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def scale_seed(
    url: URL,
    stores: int,
    products_per_store: int,
    seed: int = 0,
    *,
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScaleResult:
    """Load `stores` stores with `products_per_store` products each, in one transaction.

    `on_batch(rows)` is called, like the progress bar is advanced, each time the server has stored
    and checked a batch of `rows` products (its COPY statement has returned).
    """
    if stores < 1 or products_per_store < 0:
        raise ValueError("stores must be at least 1 and products_per_store at least 0")
    # tqdm's text bar, in a terminal and in a notebook alike: tqdm.auto's notebook bar needs
    # ipywidgets, which the workbook does not install (without it, importing tqdm.auto in a
    # notebook prints a TqdmWarning into the cell's output, then falls back to this same bar)
    from tqdm import tqdm

    started = time.perf_counter()
    words = vocabulary(seed, stores)
    total = stores * products_per_store
    with connect(url) as conn, conn.cursor() as cursor:
        try:
            with cursor.copy("COPY stores (name, slug) FROM STDIN") as copy:
                for row in store_rows(stores, seed, words):
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation as error:
            raise (explain(error) or error) from error
        cursor.execute("SELECT id FROM stores WHERE slug LIKE %s ORDER BY slug", (f"s{seed}-%",))
        store_ids = [row[0] for row in cursor.fetchall()]
        batches = copy_batches(store_ids, products_per_store, seed, words, batch_rows)
        with tqdm(total=total, unit=" products", unit_scale=True, disable=not progress) as bar:
            for rows, text in made_ahead(batches):
                with cursor.copy(COPY_PRODUCTS) as copy:
                    copy.write(text)
                # the COPY statement has returned: the server has these rows, checked
                bar.update(rows)
                if on_batch is not None:
                    on_batch(rows)
        conn.commit()
    return ScaleResult(stores, total, time.perf_counter() - started, peak_rss_mb())
