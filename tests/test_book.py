"""The workbook as a website (`make book`), read in a real browser: headless Chromium (the system's
`chromium`, driven by Playwright) opens every page of a fresh build.

Each page loads with no console error and no failed request; each notebook page shows its title and
its first stored output; every Mermaid block has become an SVG (and the notebooks that hold diagrams
have them); every link inside the site leads to a page or file of the site.
"""

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from tests import site_build

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOKS = sorted(PROJECT_ROOT.glob("notebooks/[0-9]*.ipynb")) + sorted(
    PROJECT_ROOT.glob("notebooks/solutions/*.ipynb")
)


@pytest.fixture(scope="module")
def site(pytestconfig: pytest.Config) -> Iterator[Path]:
    """A fresh build, as `make book` makes it (a warning fails it): the one tests/conftest.py started
    when collection finished (tests/site_build.py), else one of this module's own."""
    build = site_build.take(pytestconfig) or site_build.SiteBuild()
    try:
        yield build.site()
    finally:
        build.remove()


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def pages(site: Path) -> list[str]:
    return sorted(
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if not page.relative_to(site).parts[0].startswith("_")
    )


def is_error(message) -> bool:
    """A console error; a failed request is reported with its URL by `is_failed` instead."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def is_failed(response) -> bool:
    """A request of the page's that failed; the browser's own favicon.ico probe is none of its."""
    return response.status >= 400 and not response.url.endswith("/favicon.ico")


READ_THE_PAGE = """() => {
    const output = document.querySelector(".cell_output");
    return {
        title: document.title,
        first_output: output ? output.innerText : null,
        mermaid: document.querySelectorAll(".mermaid").length,
        svg: document.querySelectorAll(".mermaid svg").length,
        links: Array.from(document.querySelectorAll("a[href]"), (link) => link.href),
    };
}"""
"""A page's title, the text of its first output (as shown), its Mermaid blocks and their SVGs, and
the address every link leads to."""


@pytest.fixture(scope="module")
def visited(site: Path, base_url: str, browser) -> dict[str, dict]:
    """Every page opened once: its problems, title, first output, Mermaid blocks and SVGs, links."""
    seen = {}
    page = browser.new_page()
    # each problem is kept with the page open when it happened: one that comes after a page's load
    # event (a late request, a script error) is still reported, with that page or the next
    problems: dict[str, list[str]] = {}
    current = [""]

    def report(problem: str) -> None:
        problems.setdefault(current[0], []).append(problem)

    page.on("console", lambda m: report(f"console: {m.text}") if is_error(m) else None)
    page.on("pageerror", lambda error: report(f"script: {error}"))
    page.on("response", lambda r: report(f"{r.status}: {r.url}") if is_failed(r) else None)
    for name in pages(site):
        current[0] = name
        page.goto(base_url + name, wait_until="load")
        page.wait_for_function(
            "document.querySelectorAll('.mermaid').length"
            " === document.querySelectorAll('.mermaid svg').length",
            timeout=20_000,
        )
        # what the tests read of the page, in one call (a call each: a fifth more time per page)
        seen[name] = page.evaluate(READ_THE_PAGE) | {
            "problems": problems.setdefault(name, []),  # the live list: late problems join it
        }
    page.wait_for_load_state("networkidle")  # the last page's late requests, once
    page.close()
    return seen


def test_the_site_has_a_page_per_notebook_and_a_landing_page(site: Path) -> None:
    built = set(pages(site))
    for notebook in NOTEBOOKS:
        assert str(notebook.relative_to(PROJECT_ROOT).with_suffix(".html")) in built
    assert "book/index.html" in built and "index.html" in built  # index.html: Sphinx's redirect


def test_every_page_loads_without_an_error(visited: dict[str, dict]) -> None:
    assert {name: seen["problems"] for name, seen in visited.items() if seen["problems"]} == {}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_notebook_page_shows_its_title_and_first_output(
    visited: dict[str, dict], notebook: Path
) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    title = "".join(cells[0]["source"]).splitlines()[0].lstrip("# ").replace("`", "")
    first = next(
        "".join(output.get("text") or output.get("data", {}).get("text/plain", ""))
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )
    seen = visited[str(notebook.relative_to(PROJECT_ROOT).with_suffix(".html"))]
    assert seen["title"].startswith(title)
    assert seen["first_output"] is not None
    assert first.strip().splitlines()[0] in seen["first_output"]
    if "solutions" in notebook.parts:
        assert "worked solutions" in seen["title"]


def test_every_mermaid_block_became_a_diagram(visited: dict[str, dict]) -> None:
    drawn = {name: seen["mermaid"] for name, seen in visited.items() if seen["mermaid"]}
    assert {name: seen["svg"] for name, seen in visited.items() if seen["mermaid"]} == drawn
    holding = {
        str(notebook.relative_to(PROJECT_ROOT).with_suffix(".html"))
        for notebook in NOTEBOOKS
        if "\n```mermaid" in "\n" + notebook.read_text().replace('\\n"', "\n").replace('"', "\n")
    }
    assert holding, "no notebook holds a Mermaid diagram any more: this test checks nothing"
    assert holding <= set(drawn)


def test_every_link_inside_the_site_resolves(site: Path, base_url: str, visited) -> None:
    broken = set()
    for name, seen in visited.items():
        for link in seen["links"]:
            target, _ = urldefrag(urljoin(base_url + name, link))
            if not target.startswith(base_url):
                continue
            path = site / urlparse(target).path.lstrip("/")
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.add(f"{name} -> {link}")
    assert sorted(broken) == []
