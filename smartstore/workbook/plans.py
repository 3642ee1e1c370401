"""PostgreSQL's query plans as `EXPLAIN (FORMAT JSON)` gives them: a tree of nodes, each with its
children under "Plans". The checkers and the tests ask the same questions of it (which scans,
which indexes, how many rows a filter threw away), so the tree is walked here, once."""

from collections.abc import Iterator


def top(document: list[dict]) -> dict:
    """The plan's top node in what `EXPLAIN (FORMAT JSON)` returns (a list of one document)."""
    return document[0]["Plan"]


def nodes(node: dict) -> Iterator[dict]:
    """`node` and every node under it, parents before their children."""
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def index_names(node: dict) -> set[str]:
    """The indexes the plan reads (its nodes' "Index Name")."""
    return {found["Index Name"] for found in nodes(node) if "Index Name" in found}
