"""Claims in the notebooks' prose that quote an output or a figure, checked against the stored
output, so a re-run that changes the output cannot leave the prose stale (as the README's figures
are checked by test_readme_figures.py).

Each claim: the notebook, a pattern in its prose (markdown), and a pattern in its stored outputs.
When both patterns capture a number, the numbers must agree within the claim's tolerance.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

CLAIMS = [
    # (notebook, pattern in prose, pattern in output, relative tolerance for a captured number)
    (
        "06_seeding_and_querying.ipynb",
        r"SELECT \.\.\. WHERE %\(param_1\)s::INTEGER = products\.store_id",
        r"WHERE %\(param_1\)s::INTEGER = products\.store_id",
        None,
    ),
    (
        "06_seeding_and_querying.ipynb",
        r"raises SQLAlchemy's\s+own `IntegrityError`",
        r"IntegrityError wrapping ForeignKeyViolation",
        None,
    ),
    (
        "11_scale.ipynb",
        r"`'1001'::smallint`",
        r"store_id = '1001'::smallint",
        None,
    ),
    (
        "11_scale.ipynb",
        r"The catalogue holds ([\d,]+) products",
        r"\n *([\d,]+) products: index [\d.]+ ms, no index [\d.]+ ms \([\d,]+x\)\n(?!.*products: index)",
        0.0,
    ),
    (
        "13_migrating_a_table_with_data.ipynb",
        r"unchanged \(`ON DELETE CASCADE` as before\)",
        r"REFERENCES stores \(id\) ON DELETE CASCADE NOT VALID",
        None,
    ),
    (
        "02_designing_the_models.ipynb",
        r"Only the second reaches\s+the `CREATE TABLE`",
        r"in_database INTEGER DEFAULT 2,",
        None,
    ),
    (
        "02_designing_the_models.ipynb",
        r"a NOT NULL column without a server default is refused",
        r'column "in_python" of relation "defaults_demo" contains null values',
        None,
    ),
    (
        "05_applying_and_inspecting_the_schema.ipynb",
        r"The `Policies:` at the end come from the second migration",
        r'POLICY "products_store_isolation"',
        None,
    ),
]


def prose_and_outputs(notebook: str) -> tuple[str, str]:
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    outputs = []
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            outputs.append("".join(text))
    return prose, "\n".join(outputs)


@pytest.mark.parametrize(("notebook", "claim", "shown", "tolerance"), CLAIMS)
def test_the_prose_says_what_the_stored_output_shows(
    notebook: str, claim: str, shown: str, tolerance: float | None
) -> None:
    prose, outputs = prose_and_outputs(notebook)
    said = re.search(claim, prose)
    assert said, f"{notebook}: the prose no longer says {claim!r}"
    found = re.search(shown, outputs)
    assert found, f"{notebook}: the output no longer shows {shown!r}, which the prose quotes"
    if tolerance is not None:
        claimed, measured = (float(m.group(1).replace(",", "")) for m in (said, found))
        assert abs(claimed - measured) <= tolerance * measured, (
            f"{notebook}: the prose says {claimed}, the output shows {measured}"
        )
