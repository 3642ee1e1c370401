"""Errors the package raises on purpose, and how commands report them.

A `SmartstoreError` is a problem the user can fix, and its message says how; a database that cannot
be reached, or a privilege the login lacks, is another. Commands print them in one line, without a
traceback. Everything else is a bug and keeps its traceback.
"""

import sys
from collections.abc import Callable

from psycopg.errors import InsufficientPrivilege
from sqlalchemy.exc import OperationalError, ProgrammingError


class SmartstoreError(Exception):
    """A problem the user can fix; the message says how."""


def run_command(main: Callable[[], int | None], name: str = "smartstore") -> None:
    """Run a command's main function and exit with its status, reporting known errors plainly."""
    try:
        status = main()
    except SmartstoreError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        sys.exit(1)
    except OperationalError as exc:
        # libpq's message names the host and the user, never the password
        print(f"{name}: could not use the database: {exc.orig}".rstrip(), file=sys.stderr)
        sys.exit(1)
    except ProgrammingError as exc:
        if not isinstance(exc.orig, InsufficientPrivilege):
            raise
        # a missing privilege is the user's to fix; the message (ours or PostgreSQL's) says which
        print(f"{name}: permission denied: {exc.orig.diag.message_primary}", file=sys.stderr)
        sys.exit(1)
    sys.exit(status or 0)
