"""The `smartstore` command: the embedded server, the seed, and `run` for tools that need the server.

smartstore db start     start the embedded server and keep it running
smartstore db stop      stop it (whoever is using it)
smartstore db status    is it running, where its data lives, who holds it
smartstore db url       the URL of the smartstore database
smartstore db psql      a psql shell on the smartstore database (the wheel's client that fits the server)
smartstore db run -- CMD  run CMD with the server up; it stops afterwards unless kept running
smartstore seed         the sample data (same as python -m smartstore.seed)
smartstore catalog ingest   embed every product that has no embedding yet (or an outdated one)
smartstore catalog search --store SLUG TEXT [--k N]   the products of one store nearest to TEXT
smartstore --debug …    any of them, showing the traceback of an error (as SMARTSTORE_DEBUG=1 does)
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import NoReturn

from sqlalchemy import Engine

from smartstore import embedded
from smartstore.db import client_command, display_url, start_embedded_database
from smartstore.errors import DEBUG_VARIABLE, SmartstoreError, run_command
from smartstore.settings import DATABASE_NAME, Settings, get_settings


def db_start(settings: Settings) -> int:
    url = start_embedded_database(settings)
    embedded.keep_running(settings.home, True)
    print(f"The embedded PostgreSQL {embedded.POSTGRES_MAJOR} server is running.")
    print(f"  data: {embedded.pgdata_of(settings.home)}")
    print(f"  url:  {display_url(url)}")
    print("It keeps running after this command; stop it with: smartstore db stop")
    return 0


def db_stop(settings: Settings) -> int:
    others = [pid for pid in embedded.status(settings.home).holders if pid != os.getpid()]
    if embedded.stop(settings.home):
        print("Stopped the embedded server (committed data is kept).")
        if others:
            print(f"  processes that were using it: {' '.join(map(str, others))}")
    else:
        print("The embedded server was not running.")
    return 0


def db_status(settings: Settings) -> int:
    status = embedded.status(settings.home)
    print(f"embedded server: {'running, pid ' + str(status.pid) if status.running else 'stopped'}")
    print(f"  data:   {status.pgdata}{'' if status.pgdata.exists() else ' (not created yet)'}")
    url = status.url(DATABASE_NAME)
    if url is not None:
        print(f"  url:    {display_url(url)}")
        print(f"  held by processes: {' '.join(map(str, status.holders)) or 'none'}")
        print(f"  kept running after they exit: {'yes' if status.kept_running else 'no'}")
    return 0 if status.running else 3


def db_url(settings: Settings) -> int:
    url = embedded.status(settings.home).url(DATABASE_NAME)
    if url is None:
        raise SmartstoreError(
            "The embedded server is not running: start it with `smartstore db start`."
        )
    print(display_url(url))
    return 0


def db_psql(settings: Settings, args: list[str]) -> int:
    command, env = client_command("psql", start_embedded_database(settings), *args)
    return subprocess.call(command, env=env)


def db_run(settings: Settings, command: list[str]) -> int:
    """Run COMMAND while this process holds the server; the server stops after it (unless kept).

    A SIGTERM or SIGHUP is passed on to COMMAND, and Ctrl-C reaches it anyway (same process
    group); either way this process waits for COMMAND and exits normally, so that its clean-up,
    which stops the server, runs.
    """
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise SmartstoreError("usage: smartstore db run -- COMMAND [ARGS…]")
    start_embedded_database(
        settings
    )  # start the server (and hold it) for as long as the command runs
    child = subprocess.Popen(command)
    for passed_on in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(passed_on, lambda signum, frame: child.send_signal(signum))
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue  # the command got the Ctrl-C too; wait for it to finish


def seed_command(args: argparse.Namespace) -> int:
    if args.stores is None and args.products_per_store is None:
        from smartstore.seed import main as seed_main

        seed_main()
        return 0
    if args.stores is None or args.products_per_store is None:
        raise SmartstoreError("a large catalogue needs both --stores and --products-per-store")
    from smartstore.scale import scale_seed
    from smartstore.seed import lost_mid_seed

    url = start_embedded_database()
    with lost_mid_seed():
        result = scale_seed(url, args.stores, args.products_per_store, args.seed)
    print(result.summary())
    return 0


def catalog_command(args: argparse.Namespace) -> int:
    from smartstore import catalog
    from smartstore.db import make_engine

    engine = make_engine(start_embedded_database())
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


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake reported in one line (usage is one `--help` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def whole_number(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number from {minimum}, not {text!r}")
        return value

    return parse


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
    db.add_parser("url", help="print the URL of the smartstore database")
    db.add_parser("psql", help="open psql on the smartstore database (more arguments go to psql)")
    db.add_parser("run", help="run a command with the server up: smartstore db run -- COMMAND")
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
        os.environ[DEBUG_VARIABLE] = "1"  # read when an error is reported (smartstore.errors)
        argv = argv[1:]
    # psql and run pass the rest of the line on untouched, options included
    passthrough = argv[:2] in (["db", "psql"], ["db", "run"])
    args = build_parser().parse_args(argv[:2] if passthrough else argv)
    args.args = argv[2:]
    settings = get_settings()
    if args.command == "seed":
        return seed_command(args)
    if args.command == "catalog":
        return catalog_command(args)
    if args.action == "psql":
        return db_psql(settings, args.args)
    if args.action == "run":
        return db_run(settings, args.args)
    if not settings.uses_embedded_server:
        raise SmartstoreError(
            f"DATABASE_URL is set ({display_url(settings.database_url)}), so the embedded server is "
            f"not used; `smartstore db {args.action}` only manages the embedded one."
        )
    action = {"start": db_start, "stop": db_stop, "status": db_status, "url": db_url}[args.action]
    return action(settings)


def main() -> None:
    run_command(lambda: run(sys.argv[1:]))


if __name__ == "__main__":
    main()
