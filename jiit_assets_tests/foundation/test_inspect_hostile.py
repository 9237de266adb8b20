"""`jiit-assets inspect email|superset-job|superset-notice|official` on hostile files: binary,
empty, huge, malformed or deeply nested JSON, deeply nested HTML, extreme dates and numbers. Every
run ends with JSON on stdout and status 0, or one clear line on stderr and a non-zero status;
``main`` never lets an exception out (that would be a traceback)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from jiit_assets.cli import main
from jiit_assets_tests.email.corpus_table import raw
from jiit_assets_tests.notices.samples import JOBS, SAMPLES

NO_DEADLINE_MS = 253402300799000  # 9999-12-31T23:59:59Z, a common "no deadline" placeholder
HUGE_NUMBER = 99999999999999999999


def _binary(path: Path) -> None:
    path.write_bytes(random.Random(12).randbytes(64_000))


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: larger than every command's cap, cheap to make
        handle.truncate(30 * 1024 * 1024)


def _extreme_mail(path: Path) -> None:
    lines = raw("offer_ppo.eml").split(b"\n")
    path.write_bytes(
        b"\n".join(
            b"Date: Fri, 31 Dec 9999 23:59:59 -2359\r" if line.lower().startswith(b"date:") else line
            for line in lines
        )
    )


def _extreme_numbers_mail(path: Path) -> None:
    body = raw("offer_plain_single_role.eml").replace(b"12 LPA", b"9" * 400 + b" LPA")
    assert body != raw("offer_plain_single_role.eml")
    path.write_bytes(body)


def _extreme_job(path: Path) -> None:
    listing = {
        "jobProfileIdentifier": "job-extreme",
        "companyName": "Acme Corp",
        "jobProfileTitle": "Software Engineer",
        "createdAt": HUGE_NUMBER,
        "jobProfileApplicationDeadline": NO_DEADLINE_MS,
        "ctc": HUGE_NUMBER,
    }
    path.write_text(json.dumps(listing).replace(f'"ctc": {HUGE_NUMBER}', '"ctc": 1e400'), encoding="utf-8")


def _extreme_notice(path: Path) -> None:
    notice = {"identifier": "n-x", "title": "Job posting", "content": "x", "publishedAt": NO_DEADLINE_MS}
    path.write_text(json.dumps({**notice, "lastModifiedOn": HUGE_NUMBER}), encoding="utf-8")


HOSTILE: dict[str, Callable[[Path], object]] = {
    "binary": _binary,
    "empty": lambda path: path.write_bytes(b""),
    "huge": _huge,
    "malformed_json": lambda path: path.write_text('{"identifier": "n-1", "title": ', encoding="utf-8"),
    "deep_json": lambda path: path.write_text("[" * 100_000, encoding="utf-8"),
    "deep_html": lambda path: path.write_text("<div>" * 100_000, encoding="utf-8"),
    "nul_bytes": lambda path: path.write_bytes(b"Subject: x\r\n\r\n" + b"\x00" * 10_000),
    "extreme_mail": _extreme_mail,
    "extreme_numbers_mail": _extreme_numbers_mail,
    "extreme_job": _extreme_job,
    "extreme_notice": _extreme_notice,
    "directory": lambda path: path.mkdir(),
}
COMMANDS = ["email", "superset-job", "superset-notice", "official"]


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} in the output is not JSON")


def _assert_clean_exit(args: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(args)  # an escaping exception fails the test: on the command line it is a traceback
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        json.loads(out, parse_constant=_not_json)  # strict: NaN and Infinity are not JSON
    else:
        assert code in (1, 2, 3) and err.startswith("jiit-assets: ") and err.count("\n") <= 2, err
    return code


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_end_in_json_or_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str
) -> None:
    path = tmp_path / kind
    HOSTILE[kind](path)
    _assert_clean_exit(["inspect", command, str(path)], capsys)


def test_an_extreme_mail_date_is_unknown_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "year9999.eml"
    _extreme_mail(path)
    assert main(["inspect", "email", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "placement_offer"
    assert any("31 Dec 9999" in note for note in result["notes"])


def test_a_no_deadline_placeholder_on_linked_jobs_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every sample notice against jobs whose deadline is the year-9999 placeholder."""
    jobs = tmp_path / "jobs.json"
    placeholder = [
        {**{k: v for k, v in job.items() if k != "_id"}, "deadline": NO_DEADLINE_MS, "createdAt": HUGE_NUMBER}
        for job in JOBS
    ]
    jobs.write_text(json.dumps(placeholder), encoding="utf-8")
    for sample in SAMPLES:
        notice = tmp_path / "notice.json"
        notice.write_text(json.dumps(sample.notice), encoding="utf-8")
        assert (
            _assert_clean_exit(["inspect", "superset-notice", str(notice), "--jobs", str(jobs)], capsys) == 0
        )
