"""The licence gate (`make check-licenses`): our lock passes; the same lock with rfc3987 added back
(GPL-3.0+, as it was locked before issue 17) fails and names it. tests/fixtures/gpl_package/ holds
rfc3987 1.3.8's published metadata (its METADATA header, as installed), not the package."""

import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from smartstore.tools.licenses import check, checkout_lock, copyleft, declared, judge, main, report

GPL_PACKAGE = Path(__file__).parent / "fixtures" / "gpl_package"
REFUSED = "GPL or AGPL (copyleft)"
OSI = "Classifier: License :: OSI Approved :: "


@pytest.fixture
def lock_with_gpl(tmp_path: Path) -> Path:
    """Our lock and rfc3987, as `make lock` wrote it while the dev extra asked for rfc3987."""
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        checkout_lock().read_text() + "rfc3987==1.3.8\n    # via smartstore (pyproject.toml)\n"
    )
    return lock


def test_our_lock_has_no_gpl_or_agpl_package() -> None:
    verdicts, _ = check(checkout_lock())
    assert [v for v in verdicts if v.problem] == []
    psycopg = next(v for v in verdicts if v.package == "psycopg")
    assert "LGPL" in psycopg.licence  # read, and allowed: LGPL is not refused


def test_a_lock_with_a_gpl_package_fails_and_names_it(lock_with_gpl: Path) -> None:
    verdicts, skipped = check(lock_with_gpl, [str(GPL_PACKAGE)])
    status, text = report(lock_with_gpl, verdicts, skipped)
    assert status == 1
    assert text.splitlines()[1:] == [
        "  rfc3987==1.3.8: GPL or AGPL (copyleft) [GNU GPLv3+; GNU General Public License v3 or "
        "later (GPLv3+)]"
    ]


def test_the_command_fails_on_it_with_the_list(lock_with_gpl: Path) -> None:
    command = ["-m", "smartstore.tools.licenses", "--lock", lock_with_gpl, "--path", GPL_PACKAGE]
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "rfc3987==1.3.8: GPL or AGPL" in done.stdout
    assert done.stderr == ""


def test_the_command_passes_on_our_lock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out.endswith("none GPL or AGPL.\n")


def test_a_locked_package_missing_here_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("no-such-package-of-smartstore==1.0\n")
    status, text = report(lock, *check(lock))
    assert status == 1
    assert "no-such-package-of-smartstore==1.0: not installed here: run make venv" in text


def test_another_platforms_package_is_skipped_not_refused(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("no-such-package-of-smartstore==1.0 ; sys_platform == 'no-such-platform'\n")
    assert check(lock) == ([], 1)


def write_dist_info(folder: Path, *headers: str) -> None:
    dist_info = folder / "example-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "\n".join(["Metadata-Version: 2.4", "Name: example", "Version: 1.0", *headers]) + "\n"
    )


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        (["License-Expression: GPL-3.0-or-later"], REFUSED),
        (["License-Expression: AGPL-3.0-only"], REFUSED),
        (["License-Expression: LGPL-3.0-only"], None),
        (["License-Expression: MIT OR GPL-2.0-only"], None),  # a choice: MIT
        (["License-Expression: MIT AND GPL-3.0-only"], REFUSED),
        ([OSI + "GNU Affero General Public License v3"], REFUSED),
        ([OSI + "GNU Lesser General Public License v3 (LGPLv3)"], None),
        (["License: MIT", OSI + "GNU General Public License (GPL)"], REFUSED),  # they disagree
        (["License: UNKNOWN"], "declares no licence"),
        ([], "declares no licence"),
    ],
)
def test_what_a_package_declares_decides(
    tmp_path: Path, headers: list[str], refused: str | None
) -> None:
    write_dist_info(tmp_path, *headers)
    verdicts, _ = check(write_lock(tmp_path), [str(tmp_path)])
    assert [v.problem for v in verdicts] == [refused]


def write_lock(folder: Path) -> Path:
    lock = folder / "requirements.lock"
    lock.write_text("example==1.0\n")
    return lock


def test_a_version_other_than_the_locked_one_is_refused(tmp_path: Path) -> None:
    write_dist_info(tmp_path, "License-Expression: MIT")
    (dist,) = distributions(path=[str(tmp_path)])
    verdict = judge(Requirement("example==2.0"), "2.0", dist)
    assert verdict.problem == "installed at 1.0, locked at 2.0: run make venv"
    assert declared(dist) == ["MIT"]


@pytest.mark.parametrize(
    ("statement", "is_copyleft"),
    [
        ("GPLv2+", True),
        ("GNU Library or Lesser General Public License (LGPL)", False),
        ("Apache-2.0 OR MIT", False),
        ("(GPL-2.0-only OR GPL-3.0-only)", True),
        ("MPL-2.0", False),
    ],
)
def test_copyleft_statements(statement: str, is_copyleft: bool) -> None:
    assert copyleft(statement) is is_copyleft
