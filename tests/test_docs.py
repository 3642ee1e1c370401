"""The README stays a front page, and the pages it leads to stay reachable and true to the code:
every docs/ page linked from the README, every relative link (and #anchor) resolving, the README
under 12,000 characters, the Makefile's header naming every target, and every environment variable
the package reads named in docs/reference.md."""

import re
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

README = PROJECT_ROOT / "README.md"
DOCS = PROJECT_ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_LIMIT = 12_000
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def without_code_blocks(text: str) -> str:
    """The page without its fenced code blocks (fences open at a line's start: a ```` ``` ```` in
    running text is no fence)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def relative_links(page: Path) -> list[str]:
    text = without_code_blocks(page.read_text())
    return [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link)]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = without_code_blocks(page.read_text())
    return {anchor(heading) for heading in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def test_the_readme_is_a_front_page() -> None:
    size = len(README.read_text())
    assert size <= README_LIMIT, f"README.md has {size:,} characters: move detail into docs/"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {(PROJECT_ROOT / link.split("#")[0]).resolve() for link in relative_links(README)}
    unlinked = [p.name for p in DOCS.glob("*.md") if p.resolve() not in linked]
    assert unlinked == [], f"docs pages the README does not link: {unlinked}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(PROJECT_ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        name = (
            str(target.relative_to(PROJECT_ROOT)) if target.is_relative_to(PROJECT_ROOT) else link
        )
        if not target.exists():
            broken.append(name)
        elif fragment and target.suffix == ".md" and fragment not in anchors(target):
            broken.append(link)
    assert broken == [], f"{page.name}: links that lead nowhere: {broken}"


def test_the_makefile_header_names_every_target() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    header = makefile.split("\n\n")[0]
    targets = re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE)
    internal = {"venv"}  # made by every other target
    unnamed = [t for t in targets if t not in internal and f"make {t} " not in header + " "]
    assert unnamed == [], f"the Makefile's header does not name: {unnamed}"


def test_every_environment_variable_the_package_reads_is_in_the_reference() -> None:
    sources = [*(PROJECT_ROOT / "smartstore").rglob("*.py"), PROJECT_ROOT / "conftest.py"]
    read = {
        name
        for source in sources
        for name in re.findall(r"\b(SMARTSTORE_[A-Z_]+|DATABASE_URL)\b", source.read_text())
    }
    reference = (DOCS / "reference.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in reference)
    assert missing == [], f"docs/reference.md does not name: {missing}"
