"""Children that Ctrl-C can interrupt, however this run was started.

A shell starts a background job (`pytest … &`, a CI step run with `&`) with SIGINT ignored, and every
child inherits that: Python then installs no KeyboardInterrupt handler, and a test that sends SIGINT
waits out its timeout for a process that never noticed. Pass `preexec_fn=interruptible` to Popen.
"""

import signal


def interruptible() -> None:
    """In the child, before it runs its program: SIGINT does what it does at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
