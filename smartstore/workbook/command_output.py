"""A command's output as a learner should read it in a notebook.

What `alembic` or `python -m …` prints is written for an operator at a terminal: INFO lines about
plugins and transactional DDL, absolute paths of the machine that ran it, and on failure forty
frames of library code before the one line that matters. Stored in a notebook, that buries the
lesson and differs from one machine to the next. `tidy()` keeps what teaches:

- Alembic's log lines only when they say what Alembic found or did (`Detected …`,
  `Running upgrade …`, `Running downgrade …`), without the logger prefix;
- paths relative to the project (`alembic/versions/…`), or a placeholder for folders outside it
  (`<home>` for the workbook's data folder, `<site-packages>`, `<tmp>`, `~`);
- a Python traceback cut to the exception's type and message, and for an SQL error the statement.
"""

import re
import sysconfig
import tempfile
from pathlib import Path

from smartstore.embedded import home as embedded_home
from smartstore.migrations import locate

TEACHING_LOG_MESSAGES = ("Detected ", "Running upgrade ", "Running downgrade ")
"""Alembic log messages worth showing: what autogenerate found and which migrations ran."""

_LOG_LINE = re.compile(r"^(?:DEBUG|INFO|WARNI?N?G?)\s+\[[\w.]+\] (?P<message>.*)$")
_POST_WRITE_HOOK = re.compile(r"^Running post write hook .*\n(?:.*\n)*?\s*done\n?", re.MULTILINE)
_TRACEBACK_HEADER = "Traceback (most recent call last):"


def without_log_chatter(text: str) -> str:
    """Alembic's INFO lines reduced to those that teach, shown without the logger's prefix;
    the post-write hook's report (the formatter ran) dropped."""
    text = _POST_WRITE_HOOK.sub("", text)
    kept = []
    for line in text.splitlines(keepends=True):
        match = _LOG_LINE.match(line.rstrip("\n"))
        if match is None:
            kept.append(line)
        elif match["message"].startswith(TEACHING_LOG_MESSAGES):
            kept.append(match["message"] + "\n")
    return "".join(kept)


def machine_folders() -> list[tuple[str, str]]:
    """(absolute folder, how to show it), the most specific first, so that a folder inside another
    (the data folder inside the project, site-packages inside the venv) gets its own name."""
    home = embedded_home()
    checkout = locate().checkout
    folders = {
        **({str(checkout): "."} if checkout else {}),
        str(home): (
            str(home.relative_to(checkout))
            if checkout and home.is_relative_to(checkout)
            else "<home>"
        ),
        sysconfig.get_paths()["purelib"]: "<site-packages>",
        sysconfig.get_paths()["platlib"]: "<site-packages>",
        sysconfig.get_paths()["stdlib"]: "<python>",
        str(Path(tempfile.gettempdir()).resolve()): "<tmp>",
        tempfile.gettempdir(): "<tmp>",
        str(Path.home()): "~",
    }
    return sorted(folders.items(), key=lambda item: len(item[0]), reverse=True)


def without_machine_paths(text: str) -> str:
    """Absolute paths of this machine shown relative to the project, or as a placeholder."""
    for folder, shown in machine_folders():
        if folder in ("", "/"):
            continue
        if shown == ".":  # inside the project: a relative path, as you would type it there
            text = re.sub(re.escape(folder) + r"/(?=\S)", "", text)
        text = re.sub(re.escape(folder) + r"(?![\w.-])", shown, text)
    return text


def short_traceback(text: str) -> str:
    """Each Python traceback cut to the exception it ends with: type and message, and the failing
    statement of an SQL error (`[SQL: …]`); the frames, the chained causes, the parameters and the
    link to SQLAlchemy's error page go. Output before the traceback stays."""
    start = text.find(_TRACEBACK_HEADER)
    if start == -1:
        return text
    before, rest = text[:start], text[start:]
    last = rest.split(_TRACEBACK_HEADER)[-1].splitlines()
    # the frames are indented; the exception starts at the first line that is not
    at = next((i for i, line in enumerate(last) if line and not line.startswith(" ")), len(last))
    message = [
        line
        for line in last[at:]
        if not line.startswith(("[parameters:", "(Background on this error at:"))
    ]
    return before + "\n".join(message).rstrip("\n") + "\n"


def tidy(text: str) -> str:
    """All three: what a notebook shows of a command's output."""
    return without_machine_paths(short_traceback(without_log_chatter(text)))
