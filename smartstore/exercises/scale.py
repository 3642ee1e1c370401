"""Checkers for notebook 11's exercises: read a query plan. Both ask PostgreSQL for the plan of
listing one store's products (`EXPLAIN (FORMAT JSON)`) on the learner's catalogue and compare."""

from collections.abc import Iterator

from sqlalchemy.engine import URL

from smartstore.bench import NO_INDEX, STORE_QUERY, middle_store
from smartstore.db import connect
from smartstore.exercises import Verdict, not_yet, right


def plan(url: URL, use_index: bool, analyze: bool = False) -> dict:
    """The top node of the plan for listing the middle store's products."""
    store_id = middle_store(url)
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with connect(url) as conn:
        if not use_index:
            conn.execute(NO_INDEX)
        (document,) = conn.execute(f"EXPLAIN ({options}) {STORE_QUERY}", (store_id,)).fetchone()
        conn.rollback()
    return document[0]["Plan"]


def nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def check_index_name(name: object, url: URL) -> Verdict:
    """Exercise 11.1: the name of the index PostgreSQL uses to list one store's products."""
    exercise = "Exercise 11.1"
    if not isinstance(name, str) or not name.strip():
        return not_yet(exercise, "give the index's name as a string, as the plan prints it.")
    used = [node["Index Name"] for node in nodes(plan(url, use_index=True)) if "Index Name" in node]
    if not used:
        return not_yet(exercise, "this catalogue is too small: PostgreSQL reads the whole table.")
    if name.strip() not in used:
        return not_yet(exercise, "the plan names another index: read the line 'Index Scan using'.")
    return right(exercise, f"{name.strip()} starts with store_id, so it serves WHERE store_id = ….")


def check_rows_removed(predicted: object, url: URL) -> Verdict:
    """Exercise 11.2: how many rows the sequential scan reads and throws away for one store."""
    exercise = "Exercise 11.2"
    if isinstance(predicted, bool) or not isinstance(predicted, int):
        return not_yet(exercise, "predict a whole number of rows.")
    removed = sum(
        node.get("Rows Removed by Filter", 0) for node in nodes(plan(url, False, analyze=True))
    )
    if predicted == removed:
        return right(exercise, f"the scan read every row and threw {removed:,} of them away.")
    if predicted < removed:
        return not_yet(exercise, "more than that: a sequential scan reads every row of the table.")
    return not_yet(exercise, "fewer than that: the rows it keeps are not thrown away.")
