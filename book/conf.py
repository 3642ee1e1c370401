"""Sphinx configuration of the workbook's website (`make book`, docs/book.md).

Every page is built from the notebooks' stored outputs (no kernel runs) and without the network:
Mermaid's JavaScript is the copy in `_static/mermaid/`, never a CDN.
"""

project = "SmartStore Workbook"
author = "SmartStore"
root_doc = "index"

extensions = ["myst_nb", "sphinxcontrib.mermaid"]

# the notebooks as committed: the outputs the tests check are the ones shown
nb_execution_mode = "off"
# a Markdown output (the ER diagram) is MyST, so its ```mermaid fence becomes a diagram
nb_render_markdown_format = "myst"
myst_fence_as_directive = ["mermaid"]
# `<details>` answers stay folded HTML; headings get anchors for links such as 05_x.ipynb#section
myst_enable_extensions = ["html_admonition", "html_image"]
myst_heading_anchors = 3

# A notebook may go from its title (H1) to an exercise's H3: a matter of style, not a broken page
suppress_warnings = ["myst.header"]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "sanitize.cfg"]

html_theme = "sphinx_book_theme"
html_title = "SmartStore Workbook"
html_static_path = ["_static"]
# without one the browser asks for /favicon.ico, a 404 in every first page's console
html_favicon = "_static/favicon.svg"
html_theme_options = {"show_toc_level": 2, "use_download_button": False}
html_show_sourcelink = False
# the theme's light/dark switch starts from this (left empty, its script logs a console error)
html_context = {"default_mode": "auto"}

# Mermaid from the bundled copy (relative to _static; an ES module, so the site is read over http)
mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
mermaid_version = ""
