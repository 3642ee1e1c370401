"""The workbook's lab helpers outside a checkout: a clear refusal, not an AttributeError on None."""

import pytest
from sqlalchemy.engine import URL

from smartstore.errors import SmartstoreError
from smartstore.migrations import Migrations
from smartstore.workbook import lab


def test_scratch_alembic_outside_a_checkout_says_it_needs_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("SMARTSTORE_HOME", str(tmp_path))
    installed = Migrations(script_location=tmp_path / "alembic", ini=None)  # as in a wheel
    monkeypatch.setattr(lab, "locate", lambda: installed)
    with pytest.raises(SmartstoreError, match="need a checkout of the project"):
        lab.scratch_alembic("outside")
    assert not (tmp_path / lab.LAB_FOLDER / "outside").exists()


def test_scratch_alembic_in_the_checkout_points_at_the_real_env_and_an_empty_versions_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("SMARTSTORE_HOME", str(tmp_path))
    ini = lab.scratch_alembic("inside")
    text = ini.read_text()
    assert f"version_locations = {ini.parent / 'versions'}" in text
    assert list((ini.parent / "versions").iterdir()) == []


def test_sh_and_psql_take_the_database_first_and_the_old_order_still_works(
    migrated_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    lab.psql(migrated_url, "SELECT 41 + 1 AS answer")
    database_first = capsys.readouterr().out
    lab.psql("SELECT 41 + 1 AS answer", migrated_url)
    assert capsys.readouterr().out == database_first
    assert " 42" in database_first
    lab.sh(migrated_url, "echo $((41 + 1))")
    sh_database_first = capsys.readouterr().out
    lab.sh("echo $((41 + 1))", migrated_url)
    assert capsys.readouterr().out == sh_database_first == "$ echo $((41 + 1))\n42\n"
    with pytest.raises(TypeError, match="a database URL and a command"):
        lab.psql("SELECT 1", "SELECT 2")
