"""`jiit-assets inspect official FILE.html` prints the stored shape or names what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiit_assets.cli import main
from jiit_assets_tests.standins.college_site import page


def test_prints_the_stored_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "home.html"
    saved.write_text(page("normal"), encoding="utf-8")

    assert main(["inspect", "official", str(saved), "--base-url", "https://www.jiit.ac.in/placement/"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"main_heading", "intro_text", "recruiter_logos", "batches"}
    assert data["recruiter_logos"][0] == {
        "src": "https://www.jiit.ac.in/placement/uploads/recruiters/amazon.png",
        "alt": "Amazon",
    }
    batch = data["batches"][0]
    assert set(batch) == {"batch_name", "is_active", "placement_pointers", "package_distribution"}
    assert batch["batch_name"] == "2025 (Till date)" and batch["is_active"] is True
    assert batch["package_distribution"][1] == {
        "category": "10 - 20 LPA",
        "average": "13.2 LPA",
        "median": "12 LPA",
    }


def test_redesigned_page_names_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "new.html"
    saved.write_text(page("redesigned"), encoding="utf-8")

    assert main(["inspect", "official", str(saved)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "missing: tab container div.tab-containerr, tab list ul.tab-ul, batch bodies div.content"
        in captured.err
    )


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "official", str(tmp_path / "nope.html")]) == 1
    assert "No such file" in capsys.readouterr().err
