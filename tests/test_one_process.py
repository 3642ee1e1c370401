"""tests/one_process.py reports what a process would: the tests that run their commands through it
(the command-error matrix, the installed wheel's commands) trust its status and streams."""

import sys
from pathlib import Path

from tests.one_process import OneProcess, environment

COMMAND = """
import os, sys
print("out:", sys.argv[1:], os.environ.get("ONE_PROCESS_TEST"))
print("err", file=sys.stderr)
how = sys.argv[1]
if how == "raise":
    raise ValueError("a bug")
if how == "message":
    sys.exit("a message")
if how == "status":
    sys.exit(3)
"""


def test_each_command_gets_its_argv_environment_status_and_streams(tmp_path: Path) -> None:
    (tmp_path / "a_command.py").write_text(COMMAND)
    with OneProcess(sys.executable, tmp_path) as driver:
        said = {
            how: driver.run(["a_command", how], environment(ONE_PROCESS_TEST=how))
            for how in ("end", "raise", "message", "status", "end")
        }
        unset = driver.run(["a_command", "end"], environment(ONE_PROCESS_TEST=None))
        assert driver.leftover() == ""
    assert said["end"].returncode == 0
    assert said["end"].stdout == "out: ['end'] end\n"  # run again: the module ran afresh
    assert said["end"].stderr == "err\n"
    assert said["raise"].returncode == "traceback"
    assert said["raise"].stderr.startswith("err\nTraceback (most recent call last):")
    assert said["raise"].stderr.endswith("ValueError: a bug\n")
    assert (said["message"].returncode, said["message"].stderr) == (1, "err\na message\n")
    assert (said["status"].returncode, said["status"].stdout) == (3, "out: ['status'] status\n")
    assert unset.stdout == "out: ['end'] None\n"


def test_what_a_command_writes_past_its_streams_is_left_over(tmp_path: Path) -> None:
    """A child process inherits the driver's file descriptors, not the command's redirected
    streams: what it prints cannot pass for a reply, and is reported as left over."""
    (tmp_path / "a_child.py").write_text(
        "import subprocess\nsubprocess.run(['echo', 'from a child'])\nprint('replied')\n"
    )
    with OneProcess(sys.executable, tmp_path) as driver:
        done = driver.run(["a_child"], environment())
        again = driver.run(["a_child"], environment())
        assert driver.leftover() == "from a child\nfrom a child\n"
    assert (done.returncode, done.stdout) == (0, "replied\n")
    assert (again.returncode, again.stdout) == (0, "replied\n")


LEAVES_STATE = """
import logging, sys, warnings
warnings.warn("said each time")
logging.basicConfig()
logging.getLogger("x").warning("logged each time")
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else None)
"""


def test_a_command_shows_its_warnings_and_logs_however_many_ran_before_it(tmp_path: Path) -> None:
    """Python shows a warning once per place, and basicConfig binds its handler to the first
    command's stderr: without the driver's reset, the second command would print nothing."""
    (tmp_path / "leaves_state.py").write_text(LEAVES_STATE)
    with OneProcess(sys.executable, tmp_path) as driver:
        said = [
            driver.run(["leaves_state", *code], environment())
            for code in ([], ["0"], ["256"], ["-1"])
        ]
        assert driver.leftover() == ""
    assert [done.returncode for done in said] == [0, 0, 0, 255]  # as the operating system keeps it
    for done in said:
        assert "UserWarning: said each time" in done.stderr
        assert "WARNING:x:logged each time" in done.stderr
