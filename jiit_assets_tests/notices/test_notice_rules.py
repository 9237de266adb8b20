"""The deterministic notice rules on realistic portal notices: type, students, company, linked job, facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jiit_assets.defs.notices.rules import (
    JobSummary,
    classify_notice,
    extract_company_and_role,
    link_job,
    superset_company_keys,
    superset_notice_content,
)
from jiit_assets.defs.superset.portal_jobs import structure_job
from jiit_assets.lib.models import NoticeType, Student
from jiit_assets.lib.student_lists import parse_body, parse_students
from jiit_assets_tests.notices.samples import JOBS, SAMPLES, Sample

STANDIN_DATA = Path(__file__).resolve().parents[2] / "jiit_assets_tests" / "standins" / "data" / "superset"
JOB_SUMMARIES = [JobSummary.from_document(job) for job in JOBS]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.notice["identifier"] for s in SAMPLES])
def test_sample_notices_are_typed_linked_and_parsed_as_a_reader_would(sample: Sample) -> None:
    content = superset_notice_content(sample.notice, JOB_SUMMARIES)
    assert str(content.type) == sample.type
    assert content.company == sample.company
    assert content.job_id == sample.job_id
    assert [(s.name, s.enrollment_number) for s in content.students] == sample.students
    assert content.source == "superset" and content.source_id == sample.notice["identifier"]
    assert "<p" not in content.text and "<script" not in content.text and "<td" not in content.text


def test_linking_only_needs_the_jobs_loaded_by_candidate_company_keys() -> None:
    """The asset loads jobs with {"company_key": {"$in": keys}}; that subset must link the same way."""
    for sample in SAMPLES:
        keys = superset_company_keys(sample.notice)
        subset = [job for job in JOB_SUMMARIES if job.company_key in keys]
        assert superset_notice_content(sample.notice, subset) == superset_notice_content(
            sample.notice, JOB_SUMMARIES
        ), sample.notice["identifier"]


def test_standin_fixture_notices_get_the_type_their_author_meant() -> None:
    """The SuperSet stand-in's notices (written by another engineer) are named by type: n-sl-, n-jp-, ..."""
    expected = {
        "sl": "shortlisting",
        "jp": "job_posting",
        "up": "update",
        "an": "announcement",
        "hk": "hackathon",
        "wb": "webinar",
    }
    jobs = [
        JobSummary.from_document(structure_job(entry["listing"], entry.get("details")).to_document())
        for entry in json.loads((STANDIN_DATA / "jobs.json").read_text())
    ]
    notices = [entry["notice"] for entry in json.loads((STANDIN_DATA / "notices.json").read_text())]
    assert len(notices) >= 30
    wrong = {}
    for notice in notices:
        content = superset_notice_content(notice, jobs)
        want = expected[notice["identifier"].split("-")[1]]
        if str(content.type) != want:
            wrong[notice["identifier"]] = str(content.type)
        if want == "shortlisting":
            assert content.students, notice["identifier"]
            assert all(s.enrollment_number for s in content.students), notice["identifier"]
        if want in ("shortlisting", "job_posting"):
            assert content.job_id is not None, notice["identifier"]
    assert wrong == {}


def test_multi_profile_company_links_the_profile_the_notice_names() -> None:
    for title, job_id in [
        ("Open for applications - Acme Corp's Job Profile - Quality Engineer", "j-acme-qa"),
        ("Open for applications - Acme Corp's Job Profile - Software Development Engineer", "j-acme-sde"),
        ("Acme Corp (SDE Intern) - Coding Round shortlist", "j-acme-intern"),
        ("Meridian Payments: SDE interview schedule", "j-meridian-sde"),
    ]:
        job = link_job(title, "", JOB_SUMMARIES)
        assert job is not None and job.id == job_id, title
    # Nothing names a profile: the newest one spelled as the notice spells the company wins.
    job = link_job("Acme Corp: Online Test rescheduled", "", JOB_SUMMARIES)
    assert job is not None and job.id == "j-acme-qa"
    job = link_job("Acme: Online Test rescheduled", "", JOB_SUMMARIES)
    assert job is not None and job.id == "j-acme-intern"


def test_company_names_with_ampersand_and_legal_suffixes_match() -> None:
    job = link_job("Procter & Gamble - GD shortlist", "", JOB_SUMMARIES)
    assert job is not None and job.id == "j-pg-sales"
    job = link_job("Procter and Gamble interview results", "", JOB_SUMMARIES)
    assert job is not None and job.id == "j-pg-sales"
    job = link_job("Nimbus Analytics Private Limited - Final Selects", "", JOB_SUMMARIES)
    assert job is not None and job.id == "j-nimbus"


def test_no_link_without_a_named_company_or_with_several_only_in_the_body() -> None:
    assert link_job("Placement Policy 2025-26", "All students must comply.", JOB_SUMMARIES) is None
    body = "Companies this week: Acme Corp, Tessera Semiconductors and Nimbus Analytics."
    assert link_job("Weekly calendar", body, JOB_SUMMARIES) is None
    # A word that merely contains a company key is not a mention.
    assert link_job("Acmeville alumni meet", "", JOB_SUMMARIES) is None


def test_facts_come_from_the_linked_job() -> None:
    notice = next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-jp-acme-qa")
    content = superset_notice_content(notice, JOB_SUMMARIES)
    facts = dict(content.facts)
    assert facts["Company"] == "Acme Corp"
    assert facts["Role"] == "Quality Engineer"
    assert facts["CTC"] == "₹8 LPA"
    assert facts["Location"] == "Noida"
    assert facts["Deadline"] == "July 20, 2025 at 11:49 PM IST"
    assert facts["Hiring Process"] == "Online Test → Technical Interview → HR Interview"
    assert content.package_lpa == 8.0
    assert content.deadline == datetime(2025, 7, 20, 18, 19, tzinfo=UTC)
    assert content.url == "https://jiit-placement-updates.tashif.codes/jobs/j-acme-qa"
    assert content.author == "T&P Cell"
    assert content.published_at == datetime(2025, 7, 17, 6, 31, tzinfo=UTC)


def test_stipends_unknown_packages_and_unknown_locations_are_not_invented() -> None:
    intern = superset_notice_content(
        {
            "identifier": "x1",
            "title": "Open for applications - Acme Corp's Job Profile - SDE Intern",
            "content": "",
        },
        JOB_SUMMARIES,
    )
    assert intern.job_id == "j-acme-intern"
    assert dict(intern.facts)["Stipend"] == "₹40,000 per month"
    assert "CTC" not in dict(intern.facts)
    lumen = superset_notice_content(
        {
            "identifier": "x2",
            "title": "Lumen Health's Job Profile - Graduate Engineer Trainee",
            "content": "",
        },
        JOB_SUMMARIES,
    )
    assert lumen.job_id == "j-lumen"
    assert set(dict(lumen.facts)) == {"Company", "Role", "Deadline"}  # no "₹0", no "Unknown" location
    assert lumen.package_lpa is None


def test_notice_without_company_has_no_company_facts_or_link() -> None:
    content = superset_notice_content(
        {
            "identifier": "x3",
            "title": "Resume submission guidelines",
            "content": "<p>Upload a one-page PDF.</p>",
        },
        JOB_SUMMARIES,
    )
    assert content.type == NoticeType.ANNOUNCEMENT
    assert (content.company, content.job_id, content.url, content.facts) == (None, None, None, ())


def test_shortlist_table_and_its_lines_are_not_repeated_in_the_text() -> None:
    body = parse_body(next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-sl-acme")["content"])
    assert "Pooja Agarwal" not in body.text
    assert "Test link will be shared" in body.text
    body = parse_body(next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-sl-nimbus")["content"])
    assert "Aditya Bansal" not in body.text
    assert "Mr. Sharma (9876543210)" in body.text  # a contact is not a student, and it stays readable


def test_tables_that_are_not_shortlists_give_no_students() -> None:
    ctc = "<table><tr><td>Base</td><td>1000000</td></tr><tr><td>Relocation Allowance</td><td>100000</td></tr></table>"
    schedule = (
        "<table><tr><th>Round</th><th>Date</th></tr><tr><td>Online Test</td><td>21 July</td></tr></table>"
    )
    calendar = (
        "<table><tr><th>Date</th><th>Company</th></tr><tr><td>2 Aug</td><td>Acme Corp</td></tr></table>"
    )
    for html in (ctc, schedule, calendar):
        assert parse_students(html) == (), html


def test_two_students_with_one_enrollment_number_are_both_kept() -> None:
    html = (
        "<table><tr><th>Name</th><th>Enrollment No.</th></tr>"
        "<tr><td>Yash Srivastava</td><td>22103106</td></tr><tr><td>Sneha Sharma</td><td>22103106</td></tr>"
        "<tr><td>Yash Srivastava</td><td>22103106</td></tr></table>"
    )
    assert parse_students(html) == (
        Student("Yash Srivastava", "22103106"),
        Student("Sneha Sharma", "22103106"),
    )


def test_names_inside_one_cell_with_the_enrollment_number() -> None:
    html = "<table><tr><th>Shortlisted Candidates</th></tr><tr><td>Asha Verma (22103045)</td></tr></table>"
    assert parse_students(html) == (Student("Asha Verma", "22103045"),)


def test_header_only_names_table_without_enrollment_column() -> None:
    html = "<table><tr><th>Sr</th><th>Candidate Name</th></tr><tr><td>1</td><td>Asha Verma</td></tr></table>"
    assert parse_students(html) == (Student("Asha Verma", None),)


def test_numbered_names_after_a_shortlist_cue() -> None:
    html = (
        "<p>The following students are shortlisted:</p><ol><li>Asha Verma</li><li>Rohan Gupta</li></ol>"
        "<p>Report at 10 AM.</p><ul><li>Carry ID card</li></ul>"
    )
    assert parse_students(html) == (Student("Asha Verma"), Student("Rohan Gupta"))


def test_comma_list_of_places_is_not_a_list_of_students() -> None:
    assert parse_students("<p>Locations: Noida, Delhi NCR, Bangalore Urban</p>") == ()


def test_hostile_html_is_read_as_text() -> None:
    content = superset_notice_content(
        next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-up-hostile"), JOB_SUMMARIES
    )
    assert "alert" not in content.text and "p{}" not in content.text
    assert "CGPA < 7 & backlogs > 0" in content.text
    assert "<tag>" in content.text and '"quote"' in content.text
    assert content.title == "Important <b>update</b> & notice"  # the title is text, shown as written


def test_ten_thousand_character_notice_is_processed_whole() -> None:
    long = next(s.notice for s in SAMPLES if s.notice["identifier"] == "n-an-long")
    assert len(long["content"]) > 10_000
    content = superset_notice_content(long, JOB_SUMMARIES)
    assert "Clause 60:" in content.text


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Talking points for interviews", "", NoticeType.ANNOUNCEMENT),  # "talk" only as a whole word
        ("Tech Talk: Careers in VLSI", "", NoticeType.WEBINAR),
        ("Webinar rescheduled to Friday", "", NoticeType.UPDATE),
        ("Registrations open", "Register for HackJIIT, a 24-hour hackathon.", NoticeType.HACKATHON),
        ("Shortlist for Acme will be shared soon", "", NoticeType.SHORTLISTING),
        (
            "Campus drive - Globex",
            "Eligible students can apply on the portal by Monday.",
            NoticeType.JOB_POSTING,
        ),
        ("Hiring Challenge by Globex", "Apply now; top scorers get interviews.", NoticeType.HACKATHON),
        ("Guest lecture on career planning", "", NoticeType.WEBINAR),
        ("Library timings", "The library will stay open till 10 PM.", NoticeType.ANNOUNCEMENT),
    ],
)
def test_classification_rules(title: str, text: str, expected: NoticeType) -> None:
    assert classify_notice(title, text) == expected


@pytest.mark.parametrize(
    ("title", "company", "role"),
    [
        ("Shortlist for Online Test - Acme Corp", "Acme Corp", None),
        ("Open for applications - Acme's Job Profile - SDE", "Acme", "SDE"),
        ("Acme & Sons Pvt. Ltd. - Interview Schedule", "Acme & Sons Pvt. Ltd.", None),
        ("Shortlisted students for Globex Interview", "Globex", None),
        ("Placement Policy 2026 - Important", None, None),
        ("Campus recruitment drive calendar - August", None, None),
    ],
)
def test_company_and_role_from_titles(title: str, company: str | None, role: str | None) -> None:
    assert extract_company_and_role(title) == (company, role)


@pytest.mark.parametrize(
    "raw",
    [{"title": "no identifier"}, {"identifier": "", "title": "x"}, {"identifier": "n1", "title": ["x"]}],
)
def test_malformed_notices_raise_a_clear_value_error(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"identifier|title"):
        superset_notice_content(raw, JOB_SUMMARIES)
