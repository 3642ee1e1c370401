"""Children that Ctrl-C can interrupt, however this run was started.

A shell without job control (a script, `sh -c`, a CI step) starts a background job (`pytest … &`)
with SIGINT ignored, and every child inherits that: Python then installs no KeyboardInterrupt
handler, and a test that sends SIGINT waits out its timeout for a process that never noticed.
"""

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interruptible() -> Iterator[None]:
    """Start the children inside this block: SIGINT, if this process ignores it, is handled here for
    the while (a handled signal is set back to its default in a child when it runs its program),
    then ignored again. Not `preexec_fn`, which is unsafe in a process with threads (an xdist
    worker has one)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
