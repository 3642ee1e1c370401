"""Notebook 14's Qdrant set-up, and the checkers of its exercises: a tenant-safe Qdrant query, a
fix for filtered HNSW search that loses a small store's rows, and the plan `search` runs.

Qdrant runs in local mode (in this process, no server) unless `QDRANT_URL` names a server; the
same calls work on both. The checkers judge effects: which points or rows came back, from which
store, against the exact answer, on data of their own (Qdrant) or the learner's catalogue (SQL, in
a transaction that is rolled back).
"""

import warnings
from collections.abc import Callable, Iterable

import numpy as np
from qdrant_client import QdrantClient, models
from sqlalchemy import Connection, Engine, text

from smartstore import catalog
from smartstore.settings import qdrant_url
from smartstore.tenancy import APP_ROLE, scope_to_store, store_transaction
from smartstore.workbook import plans
from smartstore.workbook.exercises import Verdict, database_error, not_yet, right

COLLECTION = "products"
STORE_KEY = "store_id"


def qdrant_client() -> QdrantClient:
    """A Qdrant client: the server at QDRANT_URL, else local mode in this process."""
    url = qdrant_url()
    return QdrantClient(url=url) if url else QdrantClient(":memory:")


def create_collection(client: QdrantClient, name: str = COLLECTION) -> None:
    """A fresh collection of cosine vectors, with a payload index on `store_id` (the key every
    tenant filter uses; local mode has no payload indexes and says so: that warning is silenced)."""
    if client.collection_exists(name):
        client.delete_collection(name)
    client.create_collection(
        name,
        vectors_config=models.VectorParams(
            size=catalog.EMBEDDING_DIMENSIONS, distance=models.Distance.COSINE
        ),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Payload indexes have no effect")
        client.create_payload_index(name, STORE_KEY, field_schema=models.PayloadSchemaType.INTEGER)


def copy_embeddings(engine: Engine, client: QdrantClient, name: str = COLLECTION) -> int:
    """Every product's embedding from PostgreSQL into Qdrant, its store id in the payload."""
    create_collection(client, name)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT e.product_id, e.store_id, p.name, e.embedding::text FROM product_embeddings e "
                "JOIN products p ON p.id = e.product_id ORDER BY e.product_id"
            )
        ).all()
    points = [
        models.PointStruct(
            id=product_id,
            vector=[float(x) for x in vector.strip("[]").split(",")],
            payload={STORE_KEY: store_id, "name": name},
        )
        for product_id, store_id, name, vector in rows
    ]
    for start in range(0, len(points), 1_000):
        client.upsert(name, points=points[start : start + 1_000])
    return len(points)


# ---- Exercise 14.1: the tenant-safe Qdrant query ----------------------------------------------

CHECKER_STORES = {
    1: ["Reading Lamp", "Desk Lamp", "Oak Desk"],
    2: [f"{c} {n}" for c in ("Red", "Blue", "Green") for n in ("Mug", "Teapot", "Lamp", "Scarf")],
    3: [f"{c} {n}" for c in ("Black", "White", "Grey") for n in ("Mug", "Lamp", "Bowl", "Tote")],
}
"""The checker's own stores: a 3-product store beside two of 12."""


def _checker_collection() -> tuple[QdrantClient, str, dict[int, int], dict[int, np.ndarray]]:
    client, name = QdrantClient(":memory:"), "checker_products"
    create_collection(client, name)
    owner, vectors, points, next_id = {}, {}, [], 1
    for store_id, names in CHECKER_STORES.items():
        for product in names:
            vector = catalog.embed_product(product, "")
            owner[next_id], vectors[next_id] = store_id, vector
            points.append(
                models.PointStruct(
                    id=next_id, vector=vector.tolist(), payload={STORE_KEY: store_id}
                )
            )
            next_id += 1
    client.upsert(name, points=points)
    return client, name, owner, vectors


def _ids(found: object) -> list[int] | None:
    points = getattr(found, "points", found)
    if not isinstance(points, Iterable) or isinstance(points, str | bytes):
        return None
    return [getattr(point, "id", point) for point in points]


def check_qdrant_query(search_store: Callable[..., object]) -> Verdict:
    """Exercise 14.1: `search_store(client, collection, store_id, vector, k)` returns the k points of
    that store nearest to `vector`, and never a point of another store."""
    name = "Exercise 14.1"
    client, collection, owner, vectors = _checker_collection()
    query = catalog.embed("lamp")
    for store_id in (1, 2):
        try:
            found = _ids(search_store(client, collection, store_id, query, 5))
        except Exception as error:  # the learner's code: any error becomes a hint
            return not_yet(name, f"your query raised {database_error(error)}")
        if found is None:
            return not_yet(name, "return the points your query finds (query_points(...).points).")
        strangers = [point for point in found if owner.get(point) != store_id]
        if strangers:
            return not_yet(
                name,
                f"asked for store {store_id}, {len(strangers)} of {len(found)} hits come from other "
                "stores: without a filter on the payload's store_id, Qdrant searches every store.",
            )
        mine = [point for point, store in owner.items() if store == store_id]
        wanted = min(5, len(mine))
        if len(found) != wanted:
            return not_yet(
                name,
                f"store {store_id} has {len(mine)} products and k is 5, your query returned "
                f"{len(found)}: does the filter name the payload key {STORE_KEY!r}, and is the "
                "limit k?",
            )
        distances = {point: 1 - float(np.dot(vectors[point], query)) for point in mine}
        kth = sorted(distances.values())[wanted - 1]
        if any(distances[point] > kth + 1e-6 for point in found):
            return not_yet(name, "those are the store's points, but not the nearest to the query.")
    return right(
        name,
        "each store got its own nearest points and nothing else: the filter on store_id is part "
        "of the query, so no store's points can answer another's.",
    )


# ---- Exercise 14.2: a small store among thousands, through the HNSW index ---------------------

STORE_INDEX = "ix_product_embeddings_store_id"


class LeftTheAppRole(Exception):
    """The settings switched back from smartstore_app: the query would run without RLS."""


FILTERED = text(
    "SELECT product_id, store_id FROM product_embeddings WHERE store_id = :s "
    "ORDER BY embedding <=> :q LIMIT :k"
)


def filtered_hnsw(
    engine: Engine, store_id: int, query: str, k: int, configure: Callable[[Connection], object]
) -> list[tuple[int, int]]:
    """The filtered nearest-neighbour query as smartstore_app for `store_id`, with only the HNSW
    index to read (the B-tree on store_id is dropped inside the transaction, which is rolled back:
    the index comes back; sequential scans and sorts are off), after `configure(connection)` has set what it
    sets."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            connection.execute(text(f"DROP INDEX {STORE_INDEX}"))
            # a small catalogue: without these, reading the whole table (or all of its primary
            # key) and sorting it may look cheaper; PostgreSQL 18's planner chose that here
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            connection.execute(text("SET LOCAL enable_sort = off"))
            scope_to_store(connection, store_id)
            configure(connection)
            if connection.execute(text("SELECT current_user")).scalar_one() != APP_ROLE:
                raise LeftTheAppRole
            vector = catalog.vector_literal(catalog.embed(query))
            return [
                tuple(row)
                for row in connection.execute(FILTERED, {"s": store_id, "q": vector, "k": k})
            ]
        finally:
            transaction.rollback()


def check_small_store_fix(
    configure: Callable[[Connection], object], engine: Engine, store_id: int, query: str
) -> Verdict:
    """Exercise 14.2: `configure(connection)` makes the filtered HNSW query return what exact search
    within the store returns, for a small store hidden among thousands of products."""
    name = "Exercise 14.2"
    k = 10
    try:
        rows = filtered_hnsw(engine, store_id, query, k, configure)
    except LeftTheAppRole:
        return not_yet(
            name, f"your settings left the role {APP_ROLE}: the query must stay under RLS."
        )
    except Exception as error:  # the learner's settings: any error becomes a hint
        return not_yet(name, f"the query failed: {database_error(error)}")
    exact = [(hit.product_id, hit.store_id) for hit in catalog.search(engine, store_id, query, k=k)]
    strangers = [row for row in rows if row[1] != store_id]
    if strangers:
        return not_yet(name, f"{len(strangers)} rows of other stores came back: keep the scope.")
    if len(rows) < len(exact):
        return not_yet(
            name,
            f"{len(rows)} of the store's {len(exact)} products came back: the index still stops "
            "after its ef_search nearest of the whole table, then the filter throws them away "
            "(pgvector 0.8 can keep scanning: hnsw.iterative_scan).",
        )
    if {row[0] for row in rows} != {hit[0] for hit in exact}:
        return not_yet(name, "as many rows as the exact answer, but not the same ones.")
    return right(name, f"all {len(rows)} of the store's products came back, as exact search finds.")


# ---- Exercise 14.3: which index does search read? ---------------------------------------------


def search_plan(engine: Engine, store_id: int) -> dict:
    """The plan of `catalog.search`'s query, under the settings search uses."""
    vector = catalog.vector_literal(catalog.embed("mug"))
    with store_transaction(engine, store_id) as connection:
        catalog.exact_within_store(connection)
        (document,) = connection.execute(
            text(f"EXPLAIN (FORMAT JSON) {catalog.NEAREST_IN_STORE.text}"),
            {"query": vector, "store_id": store_id, "k": 10},
        ).one()
    return plans.top(document)


def check_search_index(answer: object, engine: Engine, store_id: int) -> Verdict:
    """Exercise 14.3: the name of the index `catalog.search` reads to find a store's embeddings."""
    name = "Exercise 14.3"
    if not isinstance(answer, str) or not answer.strip():
        return not_yet(name, "give the index's name as a string, as the plan prints it.")
    with engine.connect() as connection:
        indexes = dict(
            connection.execute(
                text("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'")
            ).all()
        )
    of_embeddings = {index for index, table in indexes.items() if table == "product_embeddings"}
    used = plans.index_names(search_plan(engine, store_id)) & of_embeddings
    if answer.strip() == catalog.HNSW_INDEX:
        return not_yet(
            name,
            "that is the index search keeps away from (enable_indexscan off): it would hand the "
            "store filter the nearest of the whole table, and lose a small store's rows.",
        )
    if answer.strip() not in indexes:
        return not_yet(
            name,
            f"there is no index named {answer.strip()!r}: copy the name from the plan's scan node.",
        )
    if answer.strip() not in used:
        return not_yet(
            name, "the plan reads product_embeddings through another index: find its scan node."
        )
    return right(
        name,
        f"{answer.strip()}: a bitmap scan of the store's rows, every one measured and sorted, so "
        "recall is 1.0 whatever the store's size.",
    )
