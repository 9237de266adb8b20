"""`jiit-assets inspect email FILE.eml`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiit_assets.cli import main
from jiit_assets_tests.email.corpus_table import CORPUS


def test_prints_the_offer_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "email", str(CORPUS / "offer_forwarded_outlook.eml")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"kind", "reason", "notes", "offer", "notice"}
    assert result["kind"] == "placement_offer" and result["notice"] is None
    assert result["offer"]["company"] == "Publicis Sapient"
    assert result["offer"]["roles"] == [{"role": "Associate Technology L1", "package_lpa": 8.65}]
    assert result["offer"]["number_of_offers"] == 3
    assert set(result["offer"]["students"][0]) == {"name", "enrollment_number", "role", "package_lpa"}


def test_prints_a_notice_and_a_skip(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "email", str(CORPUS / "lookalike_shortlist.eml")]) == 0
    notice = json.loads(capsys.readouterr().out)
    assert notice["kind"] == "notice" and notice["offer"] is None
    assert notice["notice"]["type"] == "shortlisting"
    assert main(["inspect", "email", str(CORPUS / "lookalike_security_alert.eml")]) == 0
    skipped = json.loads(capsys.readouterr().out)
    assert skipped == {
        "kind": "skipped",
        "reason": skipped["reason"],
        "notes": [],
        "offer": None,
        "notice": None,
    }


def test_clear_errors_without_tracebacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "email", str(tmp_path / "missing.eml")]) == 2
    assert "is not a file" in capsys.readouterr().err
    assert main(["inspect", "email", str(CORPUS / "broken_base64_body.eml")]) == 1
    err = capsys.readouterr().err
    assert "cannot decode" in err and "Traceback" not in err
