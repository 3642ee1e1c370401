"""Errors the package raises on purpose, and how commands report them.

A `SmartstoreError` is a problem the user can fix, and its message says how; a database that cannot
be reached (or is lost on the way), or a privilege the login lacks, is another. Commands print them
in one line on stderr and exit with status 1, without a traceback; Ctrl-C prints one line too
(status 130, as shells report an interrupted program). A reader that stops reading early
(`smartstore db status | head -1`) ends the command quietly (status 141, as for a program that
SIGPIPE ends).
Everything else is a bug and keeps its traceback. `SMARTSTORE_DEBUG=1` (or `smartstore --debug`)
shows the traceback of every error, for a bug report.

No message shows a password: libpq's errors name the host and the user only, and URLs are printed
with `smartstore.db.display_url()`.
"""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.errors import InsufficientPrivilege
from sqlalchemy.exc import DBAPIError


class SmartstoreError(Exception):
    """A problem the user can fix; the message says how."""


def debugging(debug: bool = False) -> bool:
    """Show tracebacks: asked for by a command's `--debug` (passed here) or `SMARTSTORE_DEBUG=1`."""
    from smartstore.settings import debug_requested  # settings imports validation, which imports us

    return debug or debug_requested()


def one_line(error: BaseException) -> str | None:
    """The one line a command prints for an error the user can act on; None for a bug."""
    if isinstance(error, SmartstoreError):
        return str(error)
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(driver_error, psycopg.OperationalError):
        # the server's own message, without the statement; else libpq's (which names the host and
        # the user, never the password), in one line
        detail = driver_error.diag.message_primary or " ".join(str(driver_error).split())
        return f"could not use the database: {detail}".rstrip(": ")
    if isinstance(driver_error, InsufficientPrivilege):
        # a missing privilege is the user's to fix; the message (ours or PostgreSQL's) says which
        return f"permission denied: {driver_error.diag.message_primary}"
    return None


@contextmanager
def reported_in_one_line(name: str, debug: bool = False) -> Iterator[None]:
    """Inside this block, an error the user can act on ends the process: one line on stderr
    (`<name>: <message>`), exit status 1 (130 for Ctrl-C). A bug keeps its traceback."""
    try:
        try:
            yield
        finally:
            sys.stdout.flush()  # a closed stdout shows here, not in Python's shutdown, unreported
    except BrokenPipeError:
        if debugging(debug):
            raise
        # nobody reads stdout any more: point it at /dev/null so the final flush at exit is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except KeyboardInterrupt:
        if debugging(debug):
            raise
        print(f"{name}: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:
        message = one_line(error)
        if message is None or debugging(debug):
            raise
        print(f"{name}: {message}", file=sys.stderr)
        sys.exit(1)


def run_command(
    main: Callable[[], int | None], name: str = "smartstore", debug: bool = False
) -> None:
    """Run a command's main function and exit with its status, reporting known errors plainly
    (with their traceback when `debug`)."""
    with reported_in_one_line(name, debug):
        status = main()
    sys.exit(status or 0)
