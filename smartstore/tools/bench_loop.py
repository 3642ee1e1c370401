"""`python -m smartstore.tools.bench_loop` (`make bench-loop`): what a learner waits for, the way before
issue #13 and the way now, side by side in one run. A benchmark that prints figures, never a test.

1. `pytest tests/test_models.py`, the wall time of the whole command (interpreter start included):
   before, a throwaway server booted and migrated for each run, and pytest's start-up as it was
   (rfc3987-syntax's parsers built at import, Faker's plugin loaded); now, when no server is running
   (a throwaway one, forced with SMARTSTORE_TEST_SERVER=throwaway), and on a running server, just
   after a migration changed (the template is rebuilt) and as usual (the template is cached). The
   running server is the benchmark's own, in a temporary folder: never yours.
2. `make test`'s pytest step, serial (PYTEST_WORKERS=0, as before) and on every core (the
   default), each on a throwaway server, as CI runs it.
3. The scale seed against a raw psycopg COPY of the same rows: the seed as it was (one `write_row`
   per row, one COPY statement) and as it is now, with when each one's progress bar reached 100%.

Each figure is the median of several runs, alternated so that a busy moment of the machine does not
fall on one side only.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import URL

from smartstore.arguments import Parser, whole_number
from smartstore.db import connect, drop_database
from smartstore.embedded import server as embedded
from smartstore.embedded import start_embedded_database
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import locate, upgrade
from smartstore.settings import Settings
from smartstore.tools import scratch, testdb
from smartstore.tools.bench import empty_tables, load_stores, raw_copy
from smartstore.tools.scale import (
    COPY_PRODUCTS,
    product_rows,
    scale_seed,
    store_rows,
    vocabulary,
)

ONE_TEST_FILE = [sys.executable, "-m", "pytest", "tests/test_models.py", "-q"]
BEFORE_START = (
    "import sys; sys.modules['rfc3987'] = None; import pytest; sys.exit(pytest.main(sys.argv[1:]))"
)
"""pytest as it started before #13: nbval loaded for every run (-p nbval.plugin; conftest.py now
loads it only when notebooks may be collected), and without rfc3987 jsonschema (through nbval's
nbformat) imports rfc3987-syntax, which builds its parsers at import; Faker's plugin on (-p faker)."""
BEFORE_PLUGINS = ["-p", "nbval.plugin", "-p", "faker"]
ONE_TEST_FILE_BEFORE = [sys.executable, "-c", BEFORE_START, *ONE_TEST_FILE[3:], *BEFORE_PLUGINS]


def command_seconds(
    command: list[str], env: dict[str, str], must_pass: bool = True, cwd: Path | None = None
) -> float:
    """The wall time of a command that must succeed (its output is shown only if it fails); with
    `must_pass=False`, a failing pytest run is timed all the same and its summary line printed.
    It runs in `cwd`, else in this checkout."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd or locate().require_checkout("make bench-loop"),
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).splitlines()
        if must_pass or not lines:
            raise SmartstoreError(f"`{' '.join(command)}` failed:\n" + "\n".join(lines[-30:]))
        print(f"  (timed, but red: {lines[-1].strip('= ')})")
    return seconds


def alternated(runs: dict[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """Each run `repeats` times, taking turns; the median of each."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            seconds[name].append(run())
    return {name: statistics.median(values) for name, values in seconds.items()}


def one_test_file(base: URL, home: Path, repeats: int) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SMARTSTORE_HOME"] = str(home)
    throwaway = {**env, "SMARTSTORE_TEST_SERVER": "throwaway"}

    def after_a_migration_changed() -> float:
        testdb.drop_templates(base)
        return command_seconds(ONE_TEST_FILE, env)

    command_seconds(ONE_TEST_FILE, env)  # builds the template, warms the file cache
    return alternated(
        {
            "before: throwaway server per run, old start-up": lambda: command_seconds(
                ONE_TEST_FILE_BEFORE, throwaway
            ),
            "now, no server running (a throwaway one)": lambda: command_seconds(
                ONE_TEST_FILE, throwaway
            ),
            "now, server running, template rebuilt": after_a_migration_changed,
            "now, server running, template cached": lambda: command_seconds(ONE_TEST_FILE, env),
        },
        repeats,
    )


def whole_suite(repeats: int) -> dict[str, float]:
    """`make test`'s pytest step, serial and on every core (its ruff and squawk steps take about
    two seconds either way and are left out)."""
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n"]
    with tempfile.TemporaryDirectory(prefix="smartstore-bench-ci-") as home:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["SMARTSTORE_HOME"] = home  # no server runs there: each run boots a throwaway one
        return alternated(
            {
                "before: serial (-n 0, PYTEST_WORKERS=0)": lambda: command_seconds(
                    [*pytest, "0"], env, must_pass=False
                ),
                "now: on every core (-n auto)": lambda: command_seconds(
                    [*pytest, "auto"], env, must_pass=False
                ),
            },
            repeats,
        )


def seed_before(url: URL, stores: int, per_store: int, seed: int) -> float:
    """The scale seed as it was before #13: one `write_row` per row, one COPY statement, its bar
    advanced as rows were handed to psycopg. Returns the seconds at which that bar showed 100%."""
    started = time.perf_counter()
    words = vocabulary(seed, stores)
    with connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy("COPY stores (name, slug) FROM STDIN") as copy:
            for row in store_rows(stores, seed, words):
                copy.write_row(row)
        store_ids = [row[0] for row in cursor.execute("SELECT id FROM stores ORDER BY slug")]
        with cursor.copy(COPY_PRODUCTS) as copy:
            for row in product_rows(store_ids, per_store, seed, words):
                copy.write_row(row)
            handed_over = time.perf_counter() - started
        conn.commit()
    return handed_over


def scale_seed_vs_copy(
    url: URL, stores: int, per_store: int, repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds of each way (medians), and the share of its time after which each seed's progress
    bar showed 100% (medians)."""
    seed = 1
    empty_tables(url)
    rows = list(
        product_rows(load_stores(url, stores, seed), per_store, seed, vocabulary(seed, stores))
    )
    full_bar: dict[str, list[float]] = {"seed before": [], "seed now": []}

    def timed(work: Callable[[], float | None], bar: str | None = None) -> float:
        empty_tables(url)
        started = time.perf_counter()
        at_100 = work()
        seconds = time.perf_counter() - started
        if bar is not None:
            full_bar[bar].append((at_100 or 0.0) / seconds)
        return seconds

    def seed_now() -> float:
        started = time.perf_counter()
        last: list[float] = []
        scale_seed(
            url, stores, per_store, seed, progress=False,
            on_batch=lambda _: last.append(time.perf_counter() - started),
        )  # fmt: skip
        return last[-1]

    def raw() -> None:
        store_ids = load_stores(url, stores, seed)
        assert store_ids[0] == rows[0][0]
        raw_copy(url, rows)

    seconds = alternated(
        {
            "raw psycopg COPY (the limit)": lambda: timed(raw),
            "seed before: write_row per row, one COPY": lambda: timed(
                lambda: seed_before(url, stores, per_store, seed), "seed before"
            ),
            "seed now: text batches made ahead": lambda: timed(seed_now, "seed now"),
        },
        repeats,
    )
    return seconds, {name: statistics.median(shares) for name, shares in full_bar.items()}


def print_table(title: str, seconds: dict[str, float]) -> None:
    print(title)
    first = next(iter(seconds.values()))
    for name, value in seconds.items():
        print(f"  {name:<48}{value:>8.2f} s{value / first:>8.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(
        prog="python -m smartstore.tools.bench_loop", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--repeats", type=whole_number(1), default=5, help="runs of the one test file"
    )
    parser.add_argument(
        "--suite-repeats", type=whole_number(1), default=1, help="runs of make test"
    )
    parser.add_argument("--seed-repeats", type=whole_number(1), default=3, help="runs of each seed")
    parser.add_argument("--stores", type=whole_number(1), default=100)
    parser.add_argument("--products-per-store", type=whole_number(1), default=10_000)
    parser.add_argument("--skip-suite", action="store_true", help="leave out make test")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} cores, load average {load:.1f} at the start; medians of alternated runs."
    )
    home = Path(tempfile.mkdtemp(prefix="smartstore-bench-loop-"))
    try:
        base = start_embedded_database(Settings(database_url=None, home=home))
        print_table(
            f"\n1. pytest tests/test_models.py, wall time ({args.repeats} runs each):",
            one_test_file(base, home, args.repeats),
        )
        if not args.skip_suite:
            print_table(
                f"\n2. make test's pytest step, wall time ({args.suite_repeats} run(s) each):",
                whole_suite(args.suite_repeats),
            )
        url = scratch.fresh_database("bench_loop", base)
        try:
            upgrade(url)
            products = args.stores * args.products_per_store
            seconds, full_bar = scale_seed_vs_copy(
                url, args.stores, args.products_per_store, args.seed_repeats
            )
        finally:
            drop_database(url)
        print(
            f"\n3. {products:,} products in {args.stores:,} stores, every constraint on "
            f"({args.seed_repeats} runs each); speed as a share of raw COPY's:"
        )
        limit = next(iter(seconds.values()))
        for name, value in seconds.items():
            print(
                f"  {name:<48}{value:>8.2f} s{products / value:>10,.0f} rows/s{limit / value:>7.2f}x"
            )
        for name, share in full_bar.items():
            print(f"  {name}: the progress bar showed 100% after {share:.0%} of the load's time")
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nLoad average {os.getloadavg()[0]:.1f} at the end.")
    return 0


if __name__ == "__main__":
    run_command(main)
