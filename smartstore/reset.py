"""Start the workbook's data afresh without reinstalling anything: `python -m smartstore.reset`.

Every notebook run leaves scratch databases behind (`smartstore_lab_<name>`, one per experiment,
about 7 MB each) and scratch Alembic folders (`.smartstore/lab/`). Each notebook remakes its own
when it runs, so they are safe to drop at any time; this drops them all at once. `--all` also drops
the main `smartstore` database of the embedded server (it comes back empty on next use;
`make demo` migrates and seeds it again) and clears the learner's exercise progress
(`smartstore progress`), which a plain reset keeps. The venv and the server's data folder stay.

What counts as scratch is `smartstore.tools.scratch`'s to say: the same list of kinds that names every
throwaway database finds them here (`scratch_databases()`), so a new kind cannot be missed. What a
test run still running uses stays: its database `<database>_test_<pid>` (and those named after it)
while that process lives, and a template it holds in use (`smartstore.tools.testdb`).
"""

import shutil
import sys
from types import ModuleType

from smartstore.arguments import Parser
from smartstore.db import display_url, drop_database
from smartstore.errors import SmartstoreError, run_command
from smartstore.settings import get_settings


def embedded_layer() -> ModuleType:
    """`smartstore.embedded`, or one line naming the extra to install (smartstore.cli says it)."""
    from smartstore.cli import embedded_layer

    return embedded_layer()


def reset(include_main: bool = False) -> list[str]:
    """Drop the scratch databases and folders (and the main database with `include_main`);
    returns what was done, one line each."""
    settings = get_settings()
    if include_main and not settings.uses_embedded_server:
        raise SmartstoreError(
            "DATABASE_URL is set: --all drops only the embedded server's database, never yours. "
            "Drop the scratch databases without --all, or drop your database yourself."
        )
    embedded = embedded_layer()
    # the layers above the core, imported here: a core-only install gets one line, not a traceback
    from smartstore.tools import testdb
    from smartstore.tools.scratch import scratch_databases
    from smartstore.workbook import lab, progress

    url = embedded.start_embedded_database(settings)
    done = [f"dropped template {name}" for name in testdb.drop_templates(url)]
    running = [name for name, alive in testdb.run_databases(url).items() if alive]
    for name in scratch_databases(url):
        if any(name == run or name.startswith(f"{run}_") for run in running):
            continue  # a test run's that is still running
        drop_database(url.set(database=name))
        done.append(f"dropped database {name}")
    folder = embedded.home(settings) / lab.LAB_FOLDER
    if folder.exists():
        shutil.rmtree(folder)
        done.append(f"removed the scratch Alembic folders ({folder.name}/ in the data folder)")
    if include_main:
        drop_database(url)
        done.append(f"dropped database {url.database} (make demo brings it back)")
        progress_file = progress.progress_file(embedded.home(settings))
        if progress_file.exists():
            progress_file.unlink()
            done.append("cleared your exercise progress (smartstore progress starts afresh)")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m smartstore.reset", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all", action="store_true", help="the main smartstore database too (embedded only)"
    )
    args = parser.parse_args(argv)
    where = display_url(embedded_layer().start_embedded_database())
    done = reset(include_main=args.all)
    print(f"On {where}:" if done else "Nothing to reset.")
    for line in done:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]), name="smartstore.reset")
