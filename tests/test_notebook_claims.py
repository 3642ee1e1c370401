"""Claims the notebooks' prose makes about their own outputs, checked against the stored outputs.

A sentence that quotes a figure or a line of output goes stale silently when the notebook is run
again (issue 21 found "about twice as fast" beside 1.49x, and quoted SQL that differed from the
printed SQL). Each claim here is a pair: a pattern the prose must contain (so the test fails if the
sentence is reworded without this table) and a pattern the stored outputs must contain, with an
optional comparison of what both captured.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Claim:
    notebook: str
    prose: str  # a regex over the notebook's markdown
    output: str  # a regex over its code cells' stored outputs
    holds: Callable[[re.Match, re.Match], bool] = lambda prose, output: True
    why: str = ""


def number(match: re.Match, group: int = 1) -> float:
    return float(match.group(group).replace(",", ""))


CLAIMS = [
    Claim(
        "11_scale.ipynb",
        r"COPY faster with the check off",
        r"raw psycopg COPY\s+1\.00x of COPY.*\n.*raw COPY, FK check off\s+(\d+\.\d+)x of COPY",
        lambda prose, output: number(output) > 1.0,
        "question 1 says COPY is faster with the foreign-key check off",
    ),
    Claim(
        "11_scale.ipynb",
        r"`'(\d+)'::smallint` is the store's id",
        r"Index Cond: \(store_id = '(\d+)'::smallint\)",
        lambda prose, output: prose.group(1) == output.group(1),
        "the plan's constant, explained in the prose, is the one the plan prints",
    ),
    Claim(
        "11_scale.ipynb",
        r"Index Scan using (uq_products_store_id_sku)",
        r"Index Scan using (\w+) on products",
        lambda prose, output: prose.group(1) == output.group(1),
    ),
    Claim(
        "06_seeding_and_querying.ipynb",
        r"`SELECT \.\.\. (WHERE %\(param_1\)s::INTEGER = products\.store_id)`",
        r"(WHERE %\(param_1\)s::INTEGER = products\.store_id)",
        lambda prose, output: prose.group(1) == output.group(1),
        "answer 3 quotes the lazy load's SQL as it is printed",
    ),
    Claim(
        "06_seeding_and_querying.ipynb",
        r"Plain SQLAlchemy would raise its own `IntegrityError`",
        r"^IntegrityError wrapping ForeignKeyViolation$",
    ),
    Claim(
        "09_running_the_tests.ipynb",
        r"with no bug, these (four) pass",
        r"((?:^PASSED  .*\n){4})(?!PASSED)",
        lambda prose, output: output.group(1).count("PASSED") == 4,
    ),
    Claim(
        "13_migrating_a_table_with_data.ipynb",
        r"`SET lock_timeout = '(\w+)'` and `SET statement_timeout = '(\w+)'`",
        r"\{'lock_timeout': '(\w+)', 'statement_timeout': '(\w+)'\}",
        lambda prose, output: prose.groups() == output.groups(),
        "the timeouts the prose names are the ones settings gives",
    ),
    Claim(
        "13_migrating_a_table_with_data.ipynb",
        r"`SET lock_timeout = '(\w+)'` and `SET statement_timeout = '(\w+)'`",
        r"SET lock_timeout = '(\w+)';\s+SET statement_timeout = '(\w+)';",
        lambda prose, output: prose.groups() == output.groups(),
        "and the ones the rendered SQL starts with",
    ),
    Claim(
        "13_migrating_a_table_with_data.ipynb",
        r"leaves an \*invalid\* index",
        r"ix_products_price_cents \| f\n",
    ),
    Claim(
        "13_migrating_a_table_with_data.ipynb",
        r"so a blank title is accepted now",
        r"a blank title: accepted",
    ),
    Claim(
        "13_migrating_a_table_with_data.ipynb",
        r"`name` carried `(ck_products_name_not_blank)`",
        r"ck_products_sku_not_blank\n\(2 rows\)",
        lambda prose, output: prose.group(1) not in output.string[: output.end()],
        "after the contract step the list of checks no longer holds the name's",
    ),
    Claim(
        "05_applying_and_inspecting_the_schema.ipynb",
        r"The `Policies:` at the end come from the second migration",
        r'Policies:\n\s+POLICY "products_store_isolation"',
    ),
    Claim(
        "02_designing_the_models.ipynb",
        r"Row 2, written by raw SQL, has no `python_side`",
        r"\(2, None, 'from PostgreSQL', 'filled in'\)",
    ),
]


def markdown(notebook: dict) -> str:
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def outputs(notebook: dict) -> str:
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.parametrize(
    "claim", CLAIMS, ids=[f"{c.notebook[:2]}-{i}" for i, c in enumerate(CLAIMS)]
)
def test_the_prose_says_what_the_stored_output_shows(claim: Claim) -> None:
    notebook = json.loads((NOTEBOOKS / claim.notebook).read_text())
    prose = re.search(claim.prose, markdown(notebook), re.MULTILINE)
    assert prose, f"{claim.notebook}: the prose no longer says {claim.prose!r}"
    output = re.search(claim.output, outputs(notebook), re.MULTILINE)
    assert output, f"{claim.notebook}: no stored output matches {claim.output!r}"
    assert claim.holds(prose, output), f"{claim.notebook}: {claim.why or claim.prose}"


def test_the_seed_figure_quoted_in_notebook_11_is_docs_benchmarks() -> None:
    """11 quotes the seed's speed at a million products from docs/benchmarks.md."""
    prose = markdown(json.loads((NOTEBOOKS / "11_scale.ipynb").read_text()))
    quoted = re.search(r"raw COPY \((\d\.\d\d)x in `docs/benchmarks\.md`'s quiet run\)", prose)
    assert quoted, "notebook 11 no longer quotes the seed's figure"
    measured = re.search(
        r"seed now: text batches made ahead .*?(\d\.\d\d)x",
        (ROOT / "docs" / "benchmarks.md").read_text(),
    )
    assert measured and measured.group(1) == quoted.group(1)
