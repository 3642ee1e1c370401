"""nbformat without the seconds jsonschema spends on IRIs.

nbformat imports jsonschema, and jsonschema, where rfc3987-syntax is installed (JupyterLab brings
it, through jupyter-events), imports it to check strings of the "iri" format; rfc3987-syntax builds
its Lark parsers as it is imported: 1.8 s of every process that reads notebooks (a pytest that runs
them, a Sphinx build of the book). No schema of nbformat's uses a format, and nbformat validates with
no format checker, so such a process loses nothing without it. Before issue 17 the GPL `rfc3987`
package was installed for the same effect (docs/benchmarks.md).
"""

import sys

RFC3987_SYNTAX = "rfc3987_syntax"


def without_iri_checks() -> None:
    """Call before nbformat is first imported: jsonschema's import of rfc3987-syntax then fails, as
    where it is not installed, and it defines no "iri" check (a process that imported it already
    keeps it)."""
    sys.modules.setdefault(RFC3987_SYNTAX, None)
