"""The workbook's lab helpers outside a checkout: a clear refusal, not an AttributeError on None."""

import pytest

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
