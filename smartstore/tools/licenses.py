"""The licence gate (`make check-licenses`, run by `make test`): no GPL or AGPL package in the lock.

The workbook and the package that later phases import must stay usable in closed-source work, so
nothing strongly copyleft may be locked, not even a dev tool (rfc3987 once was, only to make pytest
start faster). The weak copyleft of LGPL (psycopg) and MPL (certifi, tqdm) is fine.

Each package of `requirements.lock` is looked up in the installed metadata (importlib.metadata), the
licence the package itself declares: its SPDX `License-Expression` (PEP 639) when it has one, else
its `License` field (first line; some carry the whole text) and its `License ::` classifiers. A
package is refused when its licence names GPL or AGPL with no other choice: `MIT OR GPL-2.0-only`
passes (take MIT), `MIT AND GPL-3.0-only` does not, and a package whose fields disagree is refused
(a person reads it). A package that declares no licence at all is refused too, as is one missing
from this environment or installed at another version than locked (`make venv` fixes those);
packages whose marker excludes this platform (pywinpty on Windows) cannot be read here and are
counted as skipped.

    python -m smartstore.tools.licenses                         # requirements.lock, this venv
    python -m smartstore.tools.licenses --lock FILE --path DIR  # another lock; DIR searched first
"""

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import Distribution, distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from smartstore.arguments import Parser
from smartstore.errors import SmartstoreError, run_command
from smartstore.migrations import locate


def checkout_lock() -> Path:
    """The checkout's requirements.lock (the gate checks a checkout's lock, not an installed package)."""
    return locate().require_checkout("make check-licenses") / "requirements.lock"


COPYLEFT = re.compile(r"\bA?GPL|(?<!Lesser )(?<!Library )General Public License", re.IGNORECASE)
"""GPL or AGPL, by SPDX id (GPL-3.0-or-later, AGPL-3.0-only), short name (GPLv3+) or full name
(GNU Affero General Public License); never LGPL, nor the Lesser or Library General Public License."""
CHOICE = re.compile(r"\s+OR\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    package: str
    version: str
    licence: str
    """What the package declares, as read (`-` when it declares nothing)."""
    problem: str | None
    """Why it is refused; None when it is fine."""


def copyleft(statement: str) -> bool:
    """A licence statement that leaves no choice but GPL or AGPL: every alternative of an `OR`
    names one (inside an alternative, `AND` keeps every part, so one copyleft part is enough)."""
    return all(COPYLEFT.search(choice) for choice in CHOICE.split(statement.strip("() ")))


def declared(dist: Distribution) -> list[str]:
    """The licence statements a package's metadata makes, the most precise source first."""
    metadata = dist.metadata
    if expression := metadata.get("License-Expression"):
        return [expression]
    first_line = (metadata.get("License") or "").strip().split("\n")[0].strip()
    statements = [first_line] if first_line and first_line.upper() != "UNKNOWN" else []
    classifiers = metadata.get_all("Classifier") or []
    statements += [c.split(" :: ")[-1] for c in classifiers if c.startswith("License :: ")]
    return statements


REVIEWED = {
    "docutils": "public domain and BSD; its COPYING names the GPL for one Emacs mode (tools/editors/"
    "emacs/rst.el) that the wheel does not contain, and its classifiers list every licence at once",
}
"""Packages whose metadata names the GPL beside other licences, read by a person: what the installed
package holds is not under it. A new version is judged again only by its metadata, so keep this short."""


def judge(requirement: Requirement, version: str, dist: Distribution | None) -> Verdict:
    if dist is None:
        return Verdict(requirement.name, version, "-", "not installed here: run make venv")
    if dist.version != version:
        problem = f"installed at {dist.version}, locked at {version}: run make venv"
        return Verdict(requirement.name, version, "-", problem)
    statements = declared(dist)
    licence = "; ".join(statements) or "-"
    if not statements:
        return Verdict(requirement.name, version, licence, "declares no licence")
    if any(copyleft(statement) for statement in statements) and requirement.name not in REVIEWED:
        return Verdict(requirement.name, version, licence, "GPL or AGPL (copyleft)")
    return Verdict(requirement.name, version, licence, None)


def locked(lock: Path) -> list[tuple[Requirement, str]]:
    """Every `name==version ; marker` line of a lock written by `uv pip compile`."""
    pins = []
    for line in lock.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line)
            (pin,) = requirement.specifier
            pins.append((requirement, pin.version))
    return pins


def check(lock: Path | None = None, first: Sequence[str] = ()) -> tuple[list[Verdict], int]:
    """A verdict for each locked package this platform installs, and how many it does not. The
    metadata is read from the folders `first`, then from this Python's (sys.path)."""
    installed: dict[str, Distribution] = {}
    for dist in distributions(path=[*first, *sys.path]):
        installed.setdefault(canonicalize_name(dist.metadata["Name"]), dist)  # the first found
    verdicts, skipped = [], 0
    for requirement, version in locked(lock or checkout_lock()):
        if requirement.marker is not None and not requirement.marker.evaluate():
            skipped += 1
            continue
        dist = installed.get(canonicalize_name(requirement.name))
        verdicts.append(judge(requirement, version, dist))
    return verdicts, skipped


def report(lock: Path, verdicts: Iterable[Verdict], skipped: int) -> tuple[int, str]:
    """Exit status and what to print: the refused packages, one a line, or a one-line all-clear."""
    verdicts = list(verdicts)
    refused = [v for v in verdicts if v.problem is not None]
    if not refused:
        others = f" ({skipped} more are for other platforms)" if skipped else ""
        return 0, f"{lock.name}: {len(verdicts)} packages{others}, none GPL or AGPL."
    lines = [f"{lock.name}: {len(refused)} of {len(verdicts)} packages refused:"]
    lines += [f"  {v.package}=={v.version}: {v.problem} [{v.licence}]" for v in refused]
    return 1, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m smartstore.tools.licenses")
    parser.add_argument("--lock", type=Path, help="the lock to check (default: the checkout's)")
    parser.add_argument(
        "--path", nargs="+", default=[], help="site folders to read metadata from before sys.path"
    )
    args = parser.parse_args(argv)
    args.lock = args.lock or checkout_lock()
    if not args.lock.is_file():
        raise SmartstoreError(f"{args.lock}: no such lock file")
    status, text = report(args.lock, *check(args.lock, args.path))
    print(text)
    return status


if __name__ == "__main__":
    run_command(main, "check-licenses")
