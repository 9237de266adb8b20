"""`jiit-assets inspect superset-job` on saved portal payloads."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from jiit_assets.cli import main


def _fixture_job(job_id: str) -> dict:
    path = resources.files("jiit_assets_tests.standins").joinpath("data", "superset", "jobs.json")
    return next(
        item
        for item in json.loads(path.read_text("utf-8"))
        if item["listing"]["jobProfileIdentifier"] == job_id
    )


def test_prints_the_structured_job_with_reference_field_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    item = _fixture_job("jp-kestrel-gaps")
    listing, details = tmp_path / "listing.json", tmp_path / "details.json"
    listing.write_text(json.dumps([item["listing"]]), encoding="utf-8")
    details.write_text(json.dumps(item["details"]), encoding="utf-8")

    assert main(["inspect", "superset-job", str(listing), str(details)]) == 0

    job = json.loads(capsys.readouterr().out)
    assert job["id"] == "jp-kestrel-gaps" and "_id" not in job
    assert job["hiring_flow"] == [
        "Resume Shortlisting",
        "Coding Test",
        "Technical Interview",
        "HR Discussion",
    ]
    assert (job["package"], job["placement_category"], job["company"]) == (1800000, "High", "Kestrel Fintech")


def test_listing_alone_gives_the_basic_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "listing.json"
    listing.write_text(json.dumps(_fixture_job("jp-acme-qa")["listing"]), encoding="utf-8")
    assert main(["inspect", "superset-job", str(listing)]) == 0
    job = json.loads(capsys.readouterr().out)
    assert (job["placement_type"], job["location"], job["package"]) == (None, "Unknown", 0)


@pytest.mark.parametrize(
    ("listing_text", "details_text", "expected"),
    [
        ('{"jobProfileIdentifier": "x"', None, "is not valid JSON"),
        ('[{"jobProfileIdentifier": "a"}, {"jobProfileIdentifier": "b"}]', None, "holds 2 listing entries"),
        ('{"jobProfileTitle": "SDE"}', None, "no jobProfileIdentifier"),
        ('{"jobProfileIdentifier": "x"}', "[1, 2]", "must hold a JSON object"),
    ],
)
def test_malformed_input_is_a_clear_error_without_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    listing_text: str,
    details_text: str | None,
    expected: str,
) -> None:
    listing = tmp_path / "listing.json"
    listing.write_text(listing_text, encoding="utf-8")
    argv = ["inspect", "superset-job", str(listing)]
    if details_text is not None:
        details = tmp_path / "details.json"
        details.write_text(details_text, encoding="utf-8")
        argv.append(str(details))
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert expected in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "superset-job", str(tmp_path / "nope.json")]) == 1
    assert "nope.json" in capsys.readouterr().err
