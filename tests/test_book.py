"""The workbook's website (`make book`) in a real browser: headless system Chromium via playwright.

The site is served on 127.0.0.1 (Mermaid is an ES module, which browsers do not load from file://).
Every page loads with no console error and no failed request; each notebook page shows its title and
its first output as stored in the notebook; every Mermaid block became an SVG; every internal link
(with its #anchor) points at a page and an element that exist.

Needs `make book` first and the system `chromium` (`.ci/run` does both); skipped, saying which is
missing, otherwise, so `make test` still runs where neither is. `.ci/run` sets
SMARTSTORE_BOOK_REQUIRED=1, which turns that skip into a failure: CI cannot pass without them.
"""

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "book"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MISSING = [
    *(
        ["the book is not built: run `make book` first"]
        if not (SITE / "index.html").exists()
        else []
    ),
    *(["no chromium on PATH (apt-get install chromium; .ci/run does)"] if CHROMIUM is None else []),
]
REQUIRED = os.environ.get("SMARTSTORE_BOOK_REQUIRED") == "1"

if MISSING and REQUIRED:
    pytest.fail(f"SMARTSTORE_BOOK_REQUIRED=1, but {'; '.join(MISSING)}", pytrace=False)
pytestmark = pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING))

PAGES = sorted(
    p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts
)


def notebooks() -> list[Path]:
    folder = ROOT / "notebooks"
    return sorted(folder.glob("[0-9]*.ipynb")) + sorted((folder / "solutions").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The built site over http on a free port of 127.0.0.1, stopped after the module."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Loaded:
    """A page opened in the browser, with what went wrong while it loaded."""

    def __init__(self, browser: object, url: str) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on(
            "response",
            lambda r: self.errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        self.response = self.page.goto(url, wait_until="networkidle")


@pytest.fixture
def open_page(browser: object, site: str) -> Iterator[object]:
    opened: list[Loaded] = []

    def open_(path: str) -> Loaded:
        opened.append(Loaded(browser, site + path))
        return opened[-1]

    yield open_
    for loaded in opened:
        loaded.page.close()


def test_the_site_has_a_page_per_notebook_and_solutions_notebook_and_a_landing_page() -> None:
    expected = {"index.html"} | {
        nb.relative_to(ROOT).with_suffix(".html").as_posix() for nb in notebooks()
    }
    assert expected <= set(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_without_a_console_error(open_page: object, path: str) -> None:
    loaded = open_page(path)
    assert loaded.response is not None and loaded.response.ok
    assert loaded.errors == []


def first_output_line(notebook: Path) -> str:
    """The first line of text of the notebook's first stored output."""
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            if text:
                lines = [line.strip() for line in "".join(text).splitlines() if line.strip()]
                if lines:
                    return lines[0]
    raise AssertionError(f"{notebook.name} has no stored text output")


def title(notebook: Path) -> str:
    first = next(
        c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "markdown"
    )
    return "".join(first["source"]).splitlines()[0].removeprefix("# ").strip()


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_each_notebook_page_shows_its_title_and_its_first_output(
    open_page: object, notebook: Path
) -> None:
    loaded = open_page(notebook.relative_to(ROOT).with_suffix(".html").as_posix())
    page = loaded.page
    heading = page.locator("h1").first.inner_text()
    assert heading.replace("#", "").strip() == title(notebook).replace("`", "")
    first_output = page.locator("div.cell_output").first
    assert first_output.is_visible()
    assert first_output_line(notebook) in first_output.inner_text()
    if "solutions" in notebook.parts:
        assert "worked solutions" in heading


def test_every_mermaid_block_became_an_svg(open_page: object) -> None:
    with_mermaid = [p for p in PAGES if 'class="mermaid"' in (SITE / p).read_text()]
    assert "notebooks/05_applying_and_inspecting_the_schema.html" in with_mermaid
    for path in with_mermaid:
        page = open_page(path).page
        blocks = page.locator(".mermaid")
        page.wait_for_function(
            "() => [...document.querySelectorAll('pre.mermaid')].every(b => b.querySelector('svg'))",
            timeout=15_000,
        )
        assert blocks.count() >= 1
        assert page.locator("pre.mermaid svg").count() == page.locator("pre.mermaid").count()


def test_answers_are_folded(open_page: object) -> None:
    page = open_page("notebooks/01_start_here.html").page
    details = page.locator("details")
    assert details.count() >= 1
    assert all(not details.nth(i).get_attribute("open") for i in range(details.count()))


def test_the_search_box_finds_a_notebook(open_page: object) -> None:
    page = open_page("search.html?q=tenant").page
    page.wait_for_selector("#search-results li", timeout=15_000)
    assert "tenant" in page.locator("#search-results").inner_text().lower()


@pytest.mark.parametrize("path", PAGES)
def test_every_internal_link_resolves(open_page: object, site: str, path: str) -> None:
    page = open_page(path).page
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    broken = []
    for href in hrefs:
        if not href.startswith(site):
            continue
        parts = urlsplit(href)
        target = SITE / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(href)
        elif parts.fragment and target.suffix == ".html":
            ids = re.findall(r'id="([^"]+)"', target.read_text())
            if unquote(parts.fragment) not in ids:
                broken.append(href)
    assert broken == []
