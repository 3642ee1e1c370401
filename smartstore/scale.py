"""Catalogues of any size, fast: the scale seed.

`scale_seed()` (and `smartstore seed --stores S --products-per-store P --seed N`) writes realistic,
deterministic stores and products through PostgreSQL's COPY, the fastest way in:

- deterministic: the same `seed` gives the same rows. Faker, seeded, makes small vocabularies once
  (store names, colours, sentences); each row is then a cheap, seeded choice among them, so making
  the rows costs little next to loading them;
- streaming: rows are generated as they are sent, in chunks, so memory stays flat however large the
  catalogue; the result reports the process's peak memory;
- one transaction: stores and products are committed together or not at all, so an interrupted seed
  (Ctrl-C, a crash, a killed server) leaves nothing half done;
- a progress bar (tqdm) in a terminal and in a notebook.
"""

import random
import re
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import psycopg
from faker import Faker
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.refusals import explain

CHUNK_ROWS = 10_000
PRODUCT_COLUMNS = ("store_id", "sku", "name", "description", "price_cents")
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


def product_rows(
    store_ids: list[int], per_store: int, seed: int, words: Vocabulary
) -> Iterator[tuple[int, str, str, str, int]]:
    """Every product, store by store (a store's products then sit together on disk).

    `random.choices` draws a whole store's worth of each column at once: several times faster
    than one call per value, which matters when the rows must keep up with COPY.
    """
    rng = random.Random(seed)
    prices = [dollars * 100 - 1 for dollars in range(1, 301)]  # 0.99 … 299.99
    for number, store_id in enumerate(store_ids, start=1):
        columns = zip(
            rng.choices(words.colours, k=per_store),
            rng.choices(MATERIALS, k=per_store),
            rng.choices(NOUNS, k=per_store),
            rng.choices(words.sentences, k=per_store),
            rng.choices(prices, k=per_store),
            strict=True,
        )
        for index, (colour, material, noun, sentence, price) in enumerate(columns, start=1):
            yield (
                store_id,
                f"P{number:05d}-{index:06d}",
                f"{colour} {material} {noun}",
                sentence,
                price,
            )


def chunks[T](rows: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def scale_seed(
    url: URL,
    stores: int,
    products_per_store: int,
    seed: int = 0,
    *,
    progress: bool = True,
    on_chunk: Callable[[int], None] | None = None,
) -> ScaleResult:
    """Load `stores` stores with `products_per_store` products each, in one transaction."""
    if stores < 1 or products_per_store < 0:
        raise ValueError("stores must be at least 1 and products_per_store at least 0")
    from tqdm.auto import (
        tqdm,  # here, not at the top: in a notebook without widgets it warns on import
    )

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
        rows = product_rows(store_ids, products_per_store, seed, words)
        with (
            tqdm(total=total, unit=" products", unit_scale=True, disable=not progress) as bar,
            cursor.copy(f"COPY products ({', '.join(PRODUCT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for chunk in chunks(rows, CHUNK_ROWS):
                for row in chunk:
                    copy.write_row(row)
                bar.update(len(chunk))
                if on_chunk is not None:
                    on_chunk(len(chunk))
        conn.commit()
    return ScaleResult(stores, total, time.perf_counter() - started, peak_rss_mb())
