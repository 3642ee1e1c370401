"""Commands run as `python -m …` one after another in one interpreter, each with its own argv,
environment, stdout and stderr: a new interpreter per command costs most of a second of start-up,
which a test matrix of dozens of commands pays dozens of times.

What one process proves as well as a process each: the status a command exits with, what it prints,
and that nothing it does ends in a traceback (the driver reports one as the status "traceback").
What it does not: the interpreter's own handling of an uncaught exception, or a signal; tests of
those still start a process of their own. The commands share what they imported (the package,
SQLAlchemy, Alembic); what one command leaves behind that would hide the next one's output (the
warnings Python shows once, logging's handlers and level) is put back after each, and each reads an
empty stdin. The environment read at the interpreter's start (PYTHON*, LANG) is the driver's own.
"""

import json
import os
import select
import subprocess
from pathlib import Path
from types import TracebackType

DRIVER = """
import contextlib, importlib.util, io, json, logging, os, runpy, sys, traceback, warnings
# the driver keeps its stdin and stdout to itself: a command reads an empty stdin, and anything
# written to file descriptor 1 from here on (a child process, a C library) goes to stderr, where
# leftover() finds it
requests, replies = os.fdopen(os.dup(0)), os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
os.dup2(2, 1)
for line in requests:
    argv, env = json.loads(line)
    os.environ.clear()
    os.environ.update(env)
    sys.argv, sys.stdin, out, err = list(argv), io.StringIO(), io.StringIO(), io.StringIO()
    # what a command leaves behind that would hide the next one's output: the warnings already
    # shown once, logging's handlers (basicConfig's is bound to this command's stderr) and levels
    handlers, level = logging.root.handlers[:], logging.root.level
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        warnings.resetwarnings()
        warnings.simplefilter("default")
        try:
            spec = importlib.util.find_spec(argv[0])
            package = spec is not None and spec.submodule_search_locations is not None
            # runpy warns about a module a command imported before; it runs it afresh anyway
            sys.modules.pop(argv[0] + (".__main__" if package else ""), None)
            runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exit:
            # as the interpreter ends on one: None is 0, a message is printed with status 1, and
            # the operating system keeps the low 8 bits of a number (-1 is 255)
            if exit.code is None or isinstance(exit.code, int):
                status = (exit.code or 0) & 0xFF
            else:
                print(exit.code, file=sys.stderr)
                status = 1
        except BaseException:  # what a process would have shown as a traceback
            traceback.print_exc()
            status = "traceback"
    logging.root.handlers[:], logging.root.level = handlers, level
    print(json.dumps([status, out.getvalue(), err.getvalue()]), file=replies, flush=True)
"""
"""The driver: reads one JSON line per command, `[argv, env]` (argv[0] is the module's name), runs
it, and answers one JSON line, `[status, stdout, stderr]`."""


class OneProcess:
    """A driver process started by `python` in `cwd`; `run()` sends it one command at a time."""

    def __init__(self, python: str | Path, cwd: Path, timeout: float = 120) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen(
            [str(python), "-c", DRIVER],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """`python -m argv…` with `env` as its whole environment: its status, stdout and stderr."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.poll() is not None or self.process.stdin.closed:
            raise RuntimeError(
                f"the driver ended before {argv} (status {self.process.returncode}): "
                + self.leftover()
            )
        self.process.stdin.write(json.dumps([argv, env]) + "\n")
        self.process.stdin.flush()
        # one request at a time: nothing can wait in the pipe's buffer beyond this one reply
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        reply = self.process.stdout.readline() if ready else ""
        if not reply:
            raise RuntimeError(
                f"the driver gave no answer to {argv} within {self.timeout} s: {self.leftover()}"
            )
        status, out, err = json.loads(reply)
        return subprocess.CompletedProcess(["python", "-m", *argv], status, out, err)

    def leftover(self) -> str:
        """What the driver wrote outside a command's redirected stderr (nothing, when all is well)."""
        assert self.process.stderr is not None
        self.close()
        return self.process.stderr.read()

    def close(self) -> None:
        """End the driver: its input closed, it stops after the command it is running (or is
        killed if it does not within a few seconds)."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "OneProcess":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def environment(**changes: str | None) -> dict[str, str]:
    """This process's environment with `changes` applied (None removes a variable)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
