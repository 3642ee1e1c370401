"""The catalog's vector search, inside the tenant boundary: embed, ingest, search one store.

- `embed(text)` turns text into a unit vector of `EMBEDDING_DIMENSIONS` numbers. It is a stand-in,
  deterministic and offline (no model to download): the hashed words of the text and the hashed
  character trigrams of each word ("the hashing trick"), summed and normalised. Texts that share
  words or word pieces come out close in cosine distance; it knows nothing of meaning (a "mug" is
  not near a "cup"). Phase 2 swaps in a real embedding model behind this same function (and a
  migration for its dimension); nothing else here changes.
- `ingest(engine)` embeds every product whose embedding is missing or stale (its name or
  description edited since, or its store changed), in batches; a second call embeds 0. It runs as
  the connecting user (the tables' owner, like the seed), which Row-Level Security does not filter.
- `search(engine, store_id, text, k)` takes a store id, always: there is no unscoped search. It runs
  as `smartstore_app` scoped to that store (smartstore.tenancy), so the database itself refuses other
  stores' rows even if the SQL forgot its filter.

Why exact search within the store, not the HNSW index: filtered approximate search loses rows. HNSW
walks the graph of the whole table for the nearest `hnsw.ef_search` (40) vectors, *then* the store
filter (or the RLS policy) throws away the other stores' rows: a store holding 1% of the catalogue
keeps about 0.4 of them, fewer than k, often none. pgvector 0.8's iterative scan
(`hnsw.iterative_scan = relaxed_order`) keeps walking until k rows pass the filter, which fixes
large stores, but for a small store it walks most of the graph and stops at
`hnsw.max_scan_tuples` (20,000) with fewer than k. Exact search within the store reads only the
store's rows (the B-tree on `store_id`) and sorts them by distance: recall is 1.0 by construction,
at every store size, and its cost grows with the store, not with the catalogue. `make bench-search`
measures all four paths side by side (docs/vector-search.md has the table): at 200,000 products
over 200 stores, exact-within-store is the only path with recall 1.0 in every band, and far below
the exact scan of the whole table. `SET LOCAL enable_indexscan = off` is how the query asks for it:
the planner would otherwise pick the HNSW index for `ORDER BY embedding <=> q LIMIT k`.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import psycopg
from pgvector.psycopg.vector import register_vector_info
from psycopg.types import TypeInfo
from sqlalchemy import Engine
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection

from smartstore.models import EMBEDDING_DIMENSIONS
from smartstore.tenancy import refuse_unless_rls_applies, store_transaction
from smartstore.validation import InvalidInput

EMBEDDINGS_TABLE = "product_embeddings"
BATCH_ROWS = 5_000
"""Products embedded and written per batch (below BULK_ROWS, one transaction each: an interrupted
ingest keeps the batches it finished, each whole, and the next ingest carries on from there)."""
BULK_ROWS = 10_000
"""From this many products to embed, `ingest` rebuilds the HNSW index instead of growing it."""
BUILD_MEMORY = "256MB"
"""maintenance_work_mem for that build: HNSW builds far faster while the graph fits in memory."""
HNSW_INDEX = "ix_product_embeddings_embedding_hnsw"
MAX_K = 1_000
NAME_WEIGHT = 2
"""The name counts twice as much as the description: it says what the product is."""

_WORD = re.compile(r"[a-z0-9]+")


def _feature(feature: str) -> tuple[int, float]:
    """A feature's slot and sign: from blake2b, not `hash()`, which changes with every process."""
    number = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return number % EMBEDDING_DIMENSIONS, 1.0 if (number >> 32) & 1 else -1.0


@lru_cache(maxsize=200_000)
def _word_vector(word: str) -> np.ndarray:
    """A word's features (itself, and its trigrams at half weight), cached: catalogues reuse words."""
    vector = np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32)
    slot, sign = _feature(f"w:{word}")
    vector[slot] += sign
    padded = f"<{word}>"
    for start in range(len(padded) - 2):
        slot, sign = _feature(f"c:{padded[start : start + 3]}")
        vector[slot] += 0.5 * sign
    return vector


def _sum_of_words(text: str) -> np.ndarray:
    vector = np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        vector += _word_vector(word)
    return vector


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:  # no words at all: one fixed vector, so cosine distance stays defined
        vector = np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32)
        vector[0], norm = 1.0, 1.0
    return vector / norm


def embed(text: str) -> list[float]:
    """`text` as a unit vector of EMBEDDING_DIMENSIONS floats (the stand-in model: see above)."""
    return _unit(_sum_of_words(text)).tolist()


def embed_product(name: str, description: str) -> np.ndarray:
    """What `ingest` stores for a product: its name (weighted) and its description, embedded."""
    return _unit(NAME_WEIGHT * _sum_of_words(name) + _sum_of_words(description))


# The md5 of what was embedded: computed by the server, in the query that finds the work.
TEXT_MD5 = "md5(p.name || E'\\n' || p.description)"
STALE_OR_MISSING = f"""
    FROM products p LEFT JOIN product_embeddings e ON e.product_id = p.id
    WHERE e.product_id IS NULL OR e.text_md5 <> {TEXT_MD5} OR e.store_id <> p.store_id
"""
NEXT_BATCH = f"""
SELECT p.id, p.store_id, p.name, p.description, {TEXT_MD5} {STALE_OR_MISSING} AND p.id > %s
ORDER BY p.id LIMIT %s
"""
UPSERT = """
INSERT INTO product_embeddings (product_id, store_id, text_md5, embedding)
SELECT product_id, store_id, text_md5, embedding FROM incoming
ON CONFLICT (product_id) DO UPDATE SET store_id = EXCLUDED.store_id,
    text_md5 = EXCLUDED.text_md5, embedding = EXCLUDED.embedding, embedded_at = now()
"""


def pending(engine: Engine) -> int:
    """How many products `ingest` would embed now."""
    with engine.connect() as connection:
        return connection.execute(sql(f"SELECT count(*) {STALE_OR_MISSING}")).scalar_one()


def ingest(
    engine: Engine,
    *,
    batch_rows: int = BATCH_ROWS,
    bulk_rows: int = BULK_ROWS,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Embed every product whose embedding is missing or stale; return how many were embedded.

    Batch by batch: find the next products to embed (by id), embed them, COPY them (binary) into a
    temporary table and upsert from there. `on_batch(rows)` is called when a batch's rows are in.

    Fewer than `bulk_rows` products (an edit, a new product): one transaction per batch, each row added to the HNSW
    index as it comes. A bulk load (a first ingest of a catalogue) is one
    transaction that sets the HNSW index aside and builds it again at the end: inserting 20,000
    rows one by one into the graph took 20 s here, loading them without it 1 s and building it
    3.5 s. Searches of the table wait for that transaction (DROP INDEX locks the table); an
    interrupted bulk load rolls back whole, index included.
    """
    if pending(engine) < bulk_rows:
        embedded, after = 0, 0
        while rows := _next_batch(engine, after, batch_rows, on_batch):
            embedded, after = embedded + len(rows), rows[-1][0]
        return embedded
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        definition = raw.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (HNSW_INDEX,)
        ).fetchone()
        if definition is not None:
            raw.execute(f"DROP INDEX {HNSW_INDEX}")
        embedded, after = 0, 0
        while rows := _fetch_and_write(raw, after, batch_rows):
            embedded, after = embedded + len(rows), rows[-1][0]
            if on_batch is not None:
                on_batch(len(rows))
        if definition is not None:
            raw.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
            raw.execute(definition[0])
    return embedded


def _next_batch(
    engine: Engine, after: int, batch_rows: int, on_batch: Callable[[int], None] | None
) -> list[tuple]:
    with engine.begin() as connection:
        rows = _fetch_and_write(connection.connection.driver_connection, after, batch_rows)
    if rows and on_batch is not None:
        on_batch(len(rows))
    return rows


def _fetch_and_write(raw: psycopg.Connection, after: int, batch_rows: int) -> list[tuple]:
    rows = raw.execute(NEXT_BATCH, (after, batch_rows)).fetchall()
    if rows:
        write_batch(raw, rows)
    return rows


def write_batch(raw: psycopg.Connection, rows: list[tuple]) -> None:
    raw.execute(
        "CREATE TEMPORARY TABLE incoming (product_id integer, store_id integer, text_md5 text, "
        f"embedding vector({EMBEDDING_DIMENSIONS})) ON COMMIT DROP"
    )
    with raw.cursor() as cursor:
        register_vector_info(cursor, TypeInfo.fetch(raw, "vector"))  # this cursor only
        with cursor.copy("COPY incoming FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int4", "text", "vector"])
            for product_id, store_id, name, description, md5 in rows:
                copy.write_row((product_id, store_id, md5, embed_product(name, description)))
        cursor.execute(UPSERT)
    raw.execute("DROP TABLE incoming")  # a bulk load's next batch, same transaction, makes it again


@dataclass(frozen=True)
class Hit:
    product_id: int
    store_id: int
    name: str
    distance: float
    """Cosine distance: 0 is the same direction, 1 unrelated, 2 opposite."""


NEAREST_IN_STORE = sql("""
SELECT p.id, p.store_id, p.name, nearest.distance
FROM (
    SELECT product_id, embedding <=> :query AS distance
    FROM product_embeddings
    WHERE store_id = :store_id
    ORDER BY distance, product_id
    LIMIT :k
) AS nearest
JOIN products p ON p.id = nearest.product_id AND p.store_id = :store_id
ORDER BY nearest.distance, p.id
""")


def exact_within_store(connection: Connection) -> None:
    """This transaction's vector queries read the store's rows and sort them (no HNSW index)."""
    connection.execute(sql("SET LOCAL enable_indexscan = off"))


def search(engine: Engine, store_id: int, text: str, k: int = 10) -> list[Hit]:
    """The k products of one store nearest to `text`, nearest first, as `smartstore_app` under
    Row-Level Security. Fewer than k only when the store has fewer than k embedded products."""
    if isinstance(store_id, bool) or not isinstance(store_id, int):
        raise InvalidInput("store_id", f"a search needs a store's id (an int), not {store_id!r}")
    if not isinstance(text, str) or not _WORD.search(text.lower()):
        raise InvalidInput("text", "must contain at least one word or number to search for")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidInput("k", f"must be a whole number from 1 to {MAX_K}, not {k!r}")
    query = vector_literal(embed(text))
    with store_transaction(engine, store_id) as connection:
        refuse_unless_rls_applies(connection, EMBEDDINGS_TABLE)
        exact_within_store(connection)
        rows = connection.execute(
            NEAREST_IN_STORE, {"query": query, "store_id": store_id, "k": k}
        ).all()
    return [
        Hit(product_id, store, name, float(distance)) for product_id, store, name, distance in rows
    ]


def vector_literal(vector: list[float]) -> str:
    """pgvector's text form, `[0.1,0.2,...]`: a query's vector as a plain bound string."""
    return "[" + ",".join(f"{value:.7g}" for value in vector) + "]"


def store_id_of(engine: Engine, slug: str) -> int:
    """The id of the store with this slug; InvalidInput if there is none."""
    with engine.connect() as connection:
        found = connection.execute(
            sql("SELECT id FROM stores WHERE slug = :slug"), {"slug": slug}
        ).scalar_one_or_none()
    if found is None:
        raise InvalidInput("store", f"no store has the slug {slug!r}")
    return found
