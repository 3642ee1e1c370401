"""Figures the README and docs/ state that the code or the server decides: they drift when either
changes. Each is read as a number from the page and compared with what the code or the server says;
a size is "about" a figure, so it may differ by a quarter (or half a MB) before the page is wrong.

The benchmark figures in docs/benchmarks.md are not here: each is a dated run of the command printed
beside it, never a claim about today."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from smartstore import db, reset, seed, settings
from smartstore.db import connect
from smartstore.tools import licenses, scale

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def page(name: str) -> str:
    return (PROJECT_ROOT / name).read_text()


def stated(pattern: str, name: str) -> list[str]:
    """Every figure `pattern` (one group) finds in page `name`; at least one must be there."""
    found = re.findall(pattern, page(name))
    assert found, f"{name} no longer states {pattern!r}: update the page or this test"
    return found


def number(text: str) -> float:
    return float(text.replace(",", "").replace("_", ""))


def about(measured: float, figure: float) -> bool:
    return abs(measured - figure) <= max(0.5, 0.25 * figure)


def megabytes(url: URL) -> float:
    with connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return size / 2**20


def test_the_copy_batch_size_is_the_loaders() -> None:
    (figure,) = stated(r"each batch of ([\d,]+)\s+rows", "docs/benchmarks.md")
    assert number(figure) == scale.BATCH_ROWS


def test_a_scratch_database_is_as_large_as_the_readme_and_reset_say(scratch_url: URL) -> None:
    figures = {
        "README.md": stated(r"`smartstore_lab_<name>`, about (\d+(?:\.\d+)?) MB", "README.md"),
        "smartstore/reset.py": re.findall(r"about (\d+(?:\.\d+)?) MB each", reset.__doc__ or ""),
    }
    assert figures["smartstore/reset.py"], "reset.py no longer states the size"
    size = megabytes(scratch_url)
    for where, (figure,) in figures.items():
        assert about(size, number(figure)), f"{where} says about {figure} MB, it is {size:.1f} MB"


def test_the_template_is_as_large_as_the_testing_page_says(migrated_url: URL) -> None:
    """The test process's database is a copy of the migrated template."""
    (figure,) = stated(
        r"stays on your server between runs\*\* \(about (\d+(?:\.\d+)?) MB", "docs/testing.md"
    )
    size = megabytes(migrated_url)
    assert about(size, number(figure)), (
        f"docs/testing.md says about {figure} MB, it is {size:.1f} MB"
    )


def test_the_demo_seeds_what_the_readme_shows() -> None:
    (shown,) = re.findall(r"Seeded (\d+) stores, (\d+) products, (\d+) users\.", page("README.md"))
    assert tuple(map(int, shown)) == (len(seed.STORES), len(seed.PRODUCTS), len(seed.USERS))


def test_the_migration_timeouts_are_the_defaults() -> None:
    text = page("docs/migrations.md")
    for setting, (variable, default) in settings.MIGRATION_TIMEOUTS.items():
        assert f"`{setting}` (`{default}`)" in text, f"docs/migrations.md: {setting} is {default}"
        assert f"`{variable}`" in text


def test_the_connect_timeout_is_the_engines() -> None:
    for name in ("docs/servers.md", "docs/troubleshooting.md"):
        for figure in stated(r"within (\d+) seconds", name):
            assert number(figure) == db.CONNECT_TIMEOUT_SECONDS, name


def test_the_licence_gate_prints_what_the_reference_shows() -> None:
    (shown,) = stated(r"\$ make check-licenses\n(.*)\n", "docs/reference.md")
    assert shown == licenses.report(licenses.checkout_lock(), *licenses.check())[1]


@pytest.mark.parametrize(
    ("notebook", "products"),
    [("13_migrating_a_table_with_data", r"on ([\d,]+) products")],
)
def test_a_notebooks_size_in_the_map_is_the_notebooks(notebook: str, products: str) -> None:
    """The map says notebook 13 works on 200,000 products: the notebook's scale_seed call decides."""
    row = next(line for line in page("README.md").splitlines() if f"`{notebook}`" in line)
    (figure,) = re.findall(products, row)
    cells = json.loads(page(f"notebooks/{notebook}.ipynb"))["cells"]
    source = "".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    stores, per_store = re.search(
        r"scale_seed\(db, stores=([\d_]+), products_per_store=([\d_]+)", source
    ).groups()
    assert number(figure) == number(stores) * number(per_store)
