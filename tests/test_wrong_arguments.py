"""Every command refuses wrong arguments in one line and a non-zero status, before it touches a
database: no traceback, no usage block above the line that says what is wrong.

The commands' main functions are called here as their `__main__` blocks call them (through
`run_command`, which prints the one line and exits), so no interpreter is started per case.
Alembic's own command line (`python -m smartstore.migrations`) keeps Alembic's usage block: it is
Alembic's parser, and the test holds it to the rest (no traceback, status 2).
"""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import smartstore
from smartstore import cli, demo, migrations, reset, seed
from smartstore.errors import run_command
from smartstore.tools import (
    bench,
    bench_commits,
    bench_loop,
    bench_search,
    licenses,
    migration_lint,
    schema,
)

Main = Callable[[Sequence[str]], int | None]
COMMANDS: dict[str, tuple[str, Main]] = {
    "smartstore": ("smartstore", cli.run),
    "python -m smartstore.demo": ("smartstore", demo.main),
    "python -m smartstore.seed": ("smartstore", seed.main),
    "python -m smartstore.reset": ("smartstore.reset", reset.main),
    "python -m smartstore.migrations": ("smartstore", migrations.main),
    "python -m smartstore.tools.bench": ("smartstore", bench.main),
    "python -m smartstore.tools.bench_loop": ("smartstore", bench_loop.main),
    "python -m smartstore.tools.bench_commits": ("smartstore", bench_commits.main),
    "python -m smartstore.tools.bench_search": ("smartstore", bench_search.main),
    "python -m smartstore.tools.schema": ("smartstore", schema.main),
    "python -m smartstore.tools.licenses": ("check-licenses", licenses.main),
    "python -m smartstore.tools.migration_lint": ("check-migrations", migration_lint.main),
}
WRONG = [
    ("smartstore", [], "the following arguments are required: command"),
    ("smartstore", ["bogus"], "argument command: invalid choice: 'bogus'"),
    ("smartstore", ["--bogus"], "the following arguments are required: command"),
    ("smartstore", ["db"], "the following arguments are required: action"),
    ("smartstore", ["db", "bogus"], "argument action: invalid choice: 'bogus'"),
    ("smartstore", ["db", "url", "--bogus"], "unrecognized arguments: --bogus"),
    ("smartstore", ["db", "start", "now"], "unrecognized arguments: now"),
    ("smartstore", ["db", "run"], "usage: smartstore db run -- COMMAND"),
    ("smartstore", ["progress", "--notebook", "0"], "must be a whole number from 1, not '0'"),
    ("smartstore", ["seed", "--stores", "many"], "must be a whole number from 1, not 'many'"),
    ("smartstore", ["catalog"], "the following arguments are required: action"),
    ("smartstore", ["catalog", "search", "--store", "s"], "the following arguments are required: text"),
    ("smartstore", ["catalog", "search", "--store", "s", "mug", "--k", "0"], "not '0'"),
    ("python -m smartstore.demo", ["--bogus"], "unrecognized arguments: --bogus"),
    ("python -m smartstore.seed", ["--stores", "2"], "unrecognized arguments: --stores 2"),
    ("python -m smartstore.reset", ["--all", "now"], "unrecognized arguments: now"),
    ("python -m smartstore.migrations", [], "too few arguments"),
    ("python -m smartstore.migrations", ["upgrad"], "invalid choice: 'upgrad'"),
    ("python -m smartstore.migrations", ["downgrade"], "the following arguments are required"),
    ("python -m smartstore.tools.bench", ["--stores", "-3"], "must be a whole number from 1"),
    ("python -m smartstore.tools.bench", ["--tenant-sizes", "10,x"], "from 1, not 'x'"),
    ("python -m smartstore.tools.bench_loop", ["--bogus"], "unrecognized arguments: --bogus"),
    ("python -m smartstore.tools.bench_loop", ["--repeats", "0"], "from 1, not '0'"),
    ("python -m smartstore.tools.bench_commits", ["--repeats", "0"], "must be a whole number from 1"),
    ("python -m smartstore.tools.bench_search", ["--scale", "big"], "invalid float value: 'big'"),
    ("python -m smartstore.tools.bench_search", ["--queries", "0"], "from 1, not '0'"),
    ("python -m smartstore.tools.schema", ["alembic/schema.sql"], "unrecognized arguments"),
    ("python -m smartstore.tools.licenses", ["--bogus"], "unrecognized arguments: --bogus"),
    ("python -m smartstore.tools.migration_lint", ["--versions"], "expected at least one argument"),
]  # fmt: skip


def case_id(value: object) -> str | None:
    return " ".join(value) if isinstance(value, list) else None


@pytest.mark.parametrize(("command", "argv", "message"), WRONG, ids=case_id)
def test_wrong_arguments_are_refused_in_one_line(
    command: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name, main = COMMANDS[command]
    with pytest.raises(SystemExit) as exit:
        run_command(lambda: main(argv), name)
    out, err = capsys.readouterr()
    assert exit.value.code in (1, 2)
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    if command != "python -m smartstore.migrations":
        assert len(err.splitlines()) == 1, err
        assert err.endswith("--help)\n") or "usage: smartstore db run" in err


def test_every_command_is_tried() -> None:
    """Each module with a `__main__` block is a command here, and each is given wrong arguments."""
    package = Path(smartstore.__file__).parent
    runnable = {
        "python -m " + ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for path in package.rglob("*.py")
        if 'if __name__ == "__main__":' in path.read_text()
    }
    runnable = {"smartstore" if name == "python -m smartstore.cli" else name for name in runnable}
    assert runnable == set(COMMANDS)
    assert {command for command, _, _ in WRONG} == set(COMMANDS)


def test_every_command_reports_through_run_command() -> None:
    """The tests here, and tests/test_command_errors.py, call the main functions as the commands'
    `__main__` blocks do, through `run_command`; each block must really do so (`smartstore`'s
    through cli.main)."""
    package = Path(smartstore.__file__).parent
    for path in package.rglob("*.py"):
        text = path.read_text()
        if 'if __name__ == "__main__":' in text:
            block = text.split('if __name__ == "__main__":')[1]
            assert "run_command(" in block or block.strip() == "main()", path
