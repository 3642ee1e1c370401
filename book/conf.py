"""The workbook as a website (`make book`): every notebook with its stored outputs, never executed.

Sphinx with myst-nb renders the notebooks and the Markdown pages; sphinx-book-theme gives the
navigation and the search box; sphinxcontrib-mermaid draws the Mermaid blocks in the browser, from a
copy of mermaid in `_static/` (nothing is fetched from the web, at build time or when reading).
The source folder is the checkout itself (`sphinx-build -c book . _build/book`), so the links between
README, docs/ and the notebooks are the ones a reader follows on the code host too.
"""

from smartstore.tools.nbformat_import import without_iri_checks

# Sphinx reads this file before it loads the extensions; myst-nb imports nbformat: 1.8 s less
without_iri_checks()

project = "SmartStore Workbook"
author = "SmartStore Workbook"
root_doc = "book/index"
include_patterns = [
    "book/index.md",
    "README.md",
    "docs/*.md",
    "notebooks/[0-9]*.ipynb",
    "notebooks/solutions/*.ipynb",
]
# Sphinx walks the whole source folder and matches every file against the patterns above, unless a
# folder is excluded: the venv alone is tens of thousands of files (a third of a build's time)
exclude_patterns = [".*", "_build"]
extensions = ["myst_nb", "sphinxcontrib.mermaid"]

# the stored outputs are the book: nothing runs, so the site shows what nbval checked
nb_execution_mode = "off"
# the ER diagrams are text/markdown outputs holding a ```mermaid fence: render them as MyST
nb_render_markdown_format = "myst"
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
# the solutions notebooks go from their title (H1) to each exercise's answer (H3): fine to read
suppress_warnings = ["myst.header"]
myst_enable_extensions = ["html_admonition"]

html_theme = "sphinx_book_theme"
html_title = "SmartStore Workbook"
html_static_path = ["_static"]
# index.html at the site's root, sending the reader to the landing page (book/index.html)
html_extra_path = ["extra"]
html_theme_options = {"show_toc_level": 2, "use_download_button": False}
mermaid_use_local = "mermaid-local.mjs"  # inside _static/
html_context = {"default_mode": "light"}  # else the theme logs "invalid theme mode" as an error
mermaid_init_config = {"startOnLoad": False}
