"""Figures the README states that the code or the server decides: they drift when either changes."""

import re
from pathlib import Path

from sqlalchemy.engine import URL

from smartstore import reset
from smartstore.db import connect
from smartstore.tools import scale

PROJECT_ROOT = Path(__file__).resolve().parent.parent

README = (PROJECT_ROOT / "README.md").read_text()


def test_the_copy_batch_size_is_the_loaders() -> None:
    stated = re.search(r"each batch of ([\d,]+) rows", README)
    assert stated is not None, "the README no longer states the COPY batch size"
    assert int(stated[1].replace(",", "")) == scale.BATCH_ROWS


def test_a_scratch_database_is_as_large_as_the_readme_and_reset_say(scratch_url: URL) -> None:
    said = {
        "README.md": re.search(r"`smartstore_lab_<name>`, about (\d+) MB each", README),
        "smartstore/reset.py": re.search(r"about (\d+) MB each", reset.__doc__ or ""),
    }
    assert all(said.values()), f"a size is no longer stated: {said}"
    with connect(scratch_url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    for where, match in said.items():
        assert round(size / 2**20) == int(match[1]), f"{where} says {match[1]} MB, it is {size:,} B"
