"""`jiit-assets inspect superset-notice`: the exact JSON shape, and clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiit_assets.cli import main
from jiit_assets_tests.notices.samples import JOBS, SAMPLES
from jiit_assets_tests.notices.telegram_check import check_message


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_prints_type_company_job_students_and_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-sl-nimbus")
    jobs = [
        {k: v for k, v in job.items() if k not in ("_id", "company_key")} for job in JOBS
    ]  # as the portal CLI prints
    code = main(
        [
            "inspect",
            "superset-notice",
            str(_write(tmp_path / "n.json", notice)),
            "--jobs",
            str(_write(tmp_path / "j.json", jobs)),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["type", "company", "job_id", "students", "telegram_html", "push"]
    assert out["type"] == "shortlisting"
    assert out["company"] == "Nimbus Analytics Pvt. Ltd."
    assert out["job_id"] == "j-nimbus"
    assert out["students"][0] == {"name": "Aditya Bansal", "enrollment_number": "9922103060"}
    assert len(out["students"]) == 4
    assert all(check_message(chunk) for chunk in out["telegram_html"])
    assert set(out["push"]) == {"title", "body", "url"}
    assert out["push"]["url"].endswith("/jobs/j-nimbus")


def test_without_jobs_nothing_is_linked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notice = next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-jp-acme-qa")
    assert main(["inspect", "superset-notice", str(_write(tmp_path / "n.json", notice))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["type"], out["company"], out["job_id"], out["push"]["url"]) == (
        "job_posting",
        "Acme Corp",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("notice_text", "jobs", "message"),
    [
        ('{"identifier": "n1", "title": ', None, "not valid JSON"),
        ("[1, 2]", None, "expected one notice object"),
        ('{"title": "no id"}', None, "identifier"),
        ('{"identifier": "n1", "content": 42}', None, "content"),
        ('{"identifier": "n1"}', '{"not": "a list"}', "list of job objects"),
        ('{"identifier": "n1"}', "[", "not valid JSON"),
        ("[" * 100_000, None, "nested too deeply"),
    ],
)
def test_malformed_input_is_a_clear_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], notice_text: str, jobs: str | None, message: str
) -> None:
    notice_path = tmp_path / "notice.json"
    notice_path.write_text(notice_text, encoding="utf-8")
    argv = ["inspect", "superset-notice", str(notice_path)]
    if jobs is not None:
        (tmp_path / "jobs.json").write_text(jobs, encoding="utf-8")
        argv += ["--jobs", str(tmp_path / "jobs.json")]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_missing_and_binary_files_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", "superset-notice", str(tmp_path / "absent.json")]) == 1
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    assert main(["inspect", "superset-notice", str(tmp_path / "bin.json")]) == 1
    assert "not UTF-8" in capsys.readouterr().err


ODD_VALUES: list[object] = [None, 0, -1, 1e308, True, "", "x" * 300, [], {}, ["a", None], {"k": "v"}, "<b>&"]


@pytest.mark.parametrize(
    "field", ["title", "content", "lastModifiedByUserName", "publishedAt", "lastModifiedOn"]
)
def test_odd_field_values_never_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str) -> None:
    odd_jobs = [
        {
            "id": 7,
            "company": ["Acme"],
            "job_profile": None,
            "package": "12 LPA",
            "deadline": "soon",
            "hiring_flow": "Online Test",
            "annum_months": 12,
            "createdAt": 1e308,
            "location": {"city": "Noida"},
        },
        {"id": "j-1", "company": "Acme Corp", "package": float("inf"), "hiring_flow": [None, "Interview"]},
    ]
    jobs_path = tmp_path / "jobs.json"
    jobs_path.write_text(json.dumps(odd_jobs), encoding="utf-8")  # Infinity is what Python writes for inf
    for value in ODD_VALUES:
        notice = {
            "identifier": "n-odd",
            "title": "Shortlist - Acme Corp",
            "content": "<p>x</p>",
            field: value,
        }
        code = main(
            ["inspect", "superset-notice", str(_write(tmp_path / "n.json", notice)), "--jobs", str(jobs_path)]
        )
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if code == 0:
            out = json.loads(captured.out)
            assert all(check_message(chunk) for chunk in out["telegram_html"])
        else:
            assert code == 1 and field in captured.err, (value, captured.err)
