"""`python -m smartstore.tools.bench_commits` (`make bench-commits`): issue #20's two goals, each the
same command at an older commit and now, side by side in one run. A benchmark that prints figures,
never a test.

1. The learner's loop: `pytest tests/test_models.py` with the learner's server running (as `make lab`
   leaves it), at 183edd6 and now.
2. The whole suite in one process: `pytest -n 0`, at 077b654 and now.
3. Where the seconds of that one test file go now: Python itself, pytest with its plugins and the
   conftest up to collection, the run's database and the tests; the imports (`python -X importtime`)
   and the tests' own phases (`pytest --durations`).

Each side is a clone of this checkout at its commit (now: HEAD, so only committed work counts), with
the venv its own Makefile builds (`make venv`: what a learner at that commit had) and a
SMARTSTORE_HOME of its own in a temporary folder; nothing of yours is used or touched. Runs
alternate, so that a busy moment of the machine does not fall on one side only; figures are medians.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from smartstore.arguments import Parser, whole_number
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import locate
from smartstore.tools.bench_loop import alternated, command_seconds, print_table

LOOP_BEFORE = "183edd6"
SUITE_BEFORE = "077b654"
ONE_FILE = ["-m", "pytest", "tests/test_models.py", "-q", "-p", "no:cacheprovider"]
WHOLE_SUITE = ["-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider"]


class Checkout:
    """A clone of the project at one commit, its own venv and its own SMARTSTORE_HOME."""

    def __init__(self, source: Path, commit: str, folder: Path) -> None:
        self.commit = commit
        self.root = folder / commit
        self.home = folder / f"{commit}-home"
        run(["git", "clone", "-q", str(source), str(self.root)], folder)
        run(["git", "checkout", "-q", commit], self.root)
        print(f"  {commit}: make venv…", flush=True)
        run(["make", "venv"], self.root)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIRTUAL_ENV")}
        env.pop("SMARTSTORE_TEST_SERVER", None)
        return {**env, "SMARTSTORE_HOME": str(self.home)}

    def python(self, *args: str) -> list[str]:
        return [str(self.root / ".venv" / "bin" / "python"), *args]

    def seconds(self, args: Sequence[str], must_pass: bool = True) -> float:
        """The wall time of `python ARGS` in this checkout (interpreter start included)."""
        return command_seconds(self.python(*args), self.env, must_pass, cwd=self.root)

    def server(self, action: str) -> None:
        """`smartstore db start` (the learner's server, as `make lab` leaves it) or `db stop`."""
        command = [str(self.root / ".venv" / "bin" / "smartstore"), "db", action]
        run(command, self.root, self.env)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        raise SmartstoreError(f"`{' '.join(command)}` failed in {cwd}:\n{tail}")


def learners_loop(before: Checkout, now: Checkout, repeats: int) -> dict[str, float]:
    try:
        for side in (before, now):
            side.server("start")
            side.seconds(ONE_FILE)  # the first run builds the template and warms the file cache
        return alternated(
            {
                f"before ({before.commit})": lambda: before.seconds(ONE_FILE),
                "now": lambda: now.seconds(ONE_FILE),
            },
            repeats,
        )
    finally:
        for side in (before, now):
            with suppress(SmartstoreError):  # one that never started
                side.server("stop")


def whole_suite(before: Checkout, now: Checkout, repeats: int) -> dict[str, float]:
    return alternated(
        {
            f"before ({before.commit})": lambda: before.seconds(WHOLE_SUITE, must_pass=False),
            "now": lambda: now.seconds(WHOLE_SUITE, must_pass=False),
        },
        repeats,
    )


def where_the_seconds_go(now: Checkout, repeats: int) -> None:
    """One test file's wall time in steps, then its imports and its tests' own phases."""
    try:
        now.server("start")
        steps = alternated(
            {
                "Python itself (python -c pass)": lambda: now.seconds(["-c", "pass"]),
                "+ pytest, plugins, conftest, collection": lambda: now.seconds(
                    [*ONE_FILE, "--collect-only"]
                ),
                "+ the run's database and the tests": lambda: now.seconds(ONE_FILE),
            },
            repeats,
        )
        print("\n3. Where the seconds of `pytest tests/test_models.py` go now (server running):")
        for name, value in steps.items():
            print(f"  {name:<48}{value:>8.2f} s")
        imports = import_seconds(now)
        shown = ", ".join(f"{name} {seconds:.2f}" for name, seconds in imports[:8])
        print(
            f"  imports, self time by package (s; {sum(s for _, s in imports):.2f} in all): {shown}"
        )
        phases = test_phases(now)
        print(
            "  the tests' own phases (pytest --durations, s): "
            + ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in phases.items())
        )
    finally:
        with suppress(SmartstoreError):  # one that never started
            now.server("stop")


def import_seconds(now: Checkout) -> list[tuple[str, float]]:
    """`python -X importtime` of one run: each top-level package's self time, largest first."""
    done = subprocess.run(
        now.python("-X", "importtime", *ONE_FILE),
        cwd=now.root,
        env=now.env,
        capture_output=True,
        text=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*([\w.]+)", line)
        if found:
            totals[found[2].split(".")[0]] += int(found[1]) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])


def test_phases(now: Checkout) -> dict[str, float]:
    """The setup, call and teardown seconds of every test, summed (`pytest --durations=0`)."""
    done = subprocess.run(
        now.python(*ONE_FILE, "--durations=0", "--durations-min=0"),
        cwd=now.root,
        env=now.env,
        capture_output=True,
        text=True,
    )
    phases = {"setup": 0.0, "call": 0.0, "teardown": 0.0}
    for seconds, phase in re.findall(r"^([\d.]+)s (setup|call|teardown) ", done.stdout, re.M):
        phases[phase] += float(seconds)
    return phases


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(
        prog="python -m smartstore.tools.bench_commits", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeats", type=whole_number(1), default=7, help="runs of one test file")
    parser.add_argument(
        "--suite-repeats", type=whole_number(0), default=1, help="runs of the suite"
    )
    args = parser.parse_args(argv)

    source = locate().require_checkout("make bench-commits")
    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} cores, load average {load:.1f} at the start; medians of alternated runs."
    )
    folder = Path(tempfile.mkdtemp(prefix="smartstore-bench-commits-"))
    try:
        print("Clones and their venvs:", flush=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=source, capture_output=True, text=True
        ).stdout.strip()
        now = Checkout(source, head, folder)
        loop_before = Checkout(source, LOOP_BEFORE, folder)
        print_table(
            f"\n1. pytest tests/test_models.py, learner's server running ({args.repeats} runs each):",
            learners_loop(loop_before, now, args.repeats),
        )
        if args.suite_repeats:
            suite_before = Checkout(source, SUITE_BEFORE, folder)
            print_table(
                f"\n2. pytest -n 0, the whole suite ({args.suite_repeats} run(s) each):",
                whole_suite(suite_before, now, args.suite_repeats),
            )
        where_the_seconds_go(now, args.repeats)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    run_command(lambda: main(sys.argv[1:]))
