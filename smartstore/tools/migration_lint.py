"""The migration gate (`make check-migrations`): every migration's SQL, linted by squawk.

Each migration is rendered on its own (`alembic upgrade <previous>:<it> --sql`, no database needed)
into a file named after it, and squawk reads those files with the project's `.squawk.toml`. One file
per migration, because squawk treats a table created earlier in the same file as new and empty: in
one file for the whole history, an index on `products` added years later would look harmless.

    python -m smartstore.tools.migration_lint                      # alembic/versions/
    python -m smartstore.tools.migration_lint --versions DIR ...   # another history (the tests' fixture)
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from smartstore.arguments import Parser
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import alembic_config, locate
from smartstore.settings import migration_timeouts

OFFLINE_URL = make_url("postgresql+psycopg:///smartstore")
"""Rendering SQL needs a dialect, not a server: this URL is never connected to."""


def render_each_migration(folder: Path, version_locations: list[Path] | None = None) -> list[Path]:
    """One `<migration file name>.sql` per migration in `folder`, oldest first."""
    config = alembic_config(OFFLINE_URL, configure_logging=False)
    if version_locations:
        config.set_main_option("version_locations", os.pathsep.join(map(str, version_locations)))
    files = []
    for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions())):
        previous = script.down_revision
        target = f"{previous}:{script.revision}" if isinstance(previous, str) else script.revision
        config.output_buffer = io.StringIO()
        command.upgrade(config, target, sql=True)
        sql_file = folder / f"{Path(script.path).stem}.sql"
        sql_file.write_text(config.output_buffer.getvalue())
        files.append(sql_file)
    return files


def squawk_command() -> str:
    """The squawk installed with the project's dev extra (beside this Python), else one on PATH."""
    beside = Path(sys.executable).parent / "squawk"
    found = str(beside) if beside.exists() else shutil.which("squawk")
    if found is None:
        raise SmartstoreError("squawk is not installed: pip install -e '.[dev]' installs it.")
    return found


def lint(version_locations: list[Path] | None = None) -> tuple[int, str]:
    """squawk's exit status (0: no findings) and its report, one line per finding."""
    with tempfile.TemporaryDirectory(prefix="smartstore-squawk-") as folder:
        return squawk(render_each_migration(Path(folder), version_locations))


def lint_sql(sql: str, name: str = "your_migration.sql") -> tuple[int, str]:
    """squawk on one piece of SQL, as the gate would see it in a migration (timeouts set first)."""
    with tempfile.TemporaryDirectory(prefix="smartstore-squawk-") as folder:
        header = "".join(f"SET {key} = '{value}';\n" for key, value in migration_timeouts().items())
        sql_file = Path(folder) / name
        sql_file.write_text(header + sql.strip().rstrip(";") + ";\n")
        return squawk([sql_file])


def squawk(files: list[Path]) -> tuple[int, str]:
    """Run squawk with the project's configuration on `files` (all in one folder)."""
    config = locate().require_checkout("The migration linter") / ".squawk.toml"
    done = subprocess.run(
        [squawk_command(), "--config", str(config), "--reporter", "gcc"]
        + [file.name for file in files],
        cwd=files[0].parent, capture_output=True, text=True,
    )  # fmt: skip
    return done.returncode, (done.stdout + done.stderr).strip()


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m smartstore.tools.migration_lint")
    parser.add_argument("--versions", type=Path, nargs="+", help="migration folders to lint")
    args = parser.parse_args(argv)
    status, report = lint(args.versions)
    if status == 0:
        print("squawk: no locking or unsafe operations in the migrations.")
    else:
        print(report)
        print("squawk's rules, with the safe way to write each: https://squawkhq.com/docs/rules")
    return status


if __name__ == "__main__":
    run_command(main, "check-migrations")
