"""Which company a portal notice names, by class of title and body (names here are made up on purpose,
so the rules cannot pass by knowing them), and the reason ``inspect superset-notice`` gives."""

from __future__ import annotations

import pytest

from jiit_assets.defs.notices.company import extract_company_and_role, resolve_company
from jiit_assets.defs.notices.rules import JobSummary, superset_notice_content, superset_notice_reasons

_MENTION = "Details from the Quorvex team are below."


@pytest.mark.parametrize(
    ("title", "text", "company"),
    [
        # Kind, stage and logistics words around the name are set aside, on either side of a separator.
        ("Quorvex OA result", _MENTION, "Quorvex"),
        ("Quorvex interview schedule", _MENTION, "Quorvex"),
        ("Postponed: Quorvex online test today", _MENTION, "Quorvex"),
        ("Venue changed: Quorvex PPT", _MENTION, "Quorvex"),
        ("Quorvex interviews: reporting time 9:15 AM", _MENTION, "Quorvex"),
        ("Group discussion of Quorvex postponed", "", "Quorvex"),
        ("Quorvex Labs (Day 3)", "", "Quorvex Labs"),
        ("Quorvex Labs: room allotment", "", "Quorvex Labs"),
        ("GROUP DISCUSSION - BLUE HERON - SHORTLIST", "", "BLUE HERON"),
        # A word opening a sentence-case title is capitalised anyway: the body must name it too.
        ("Quorvex OA result", "", None),
        ("Bus timings", "Buses leave Gate 2 at 7 AM.", None),
        # A trailing role title is not part of the name; a segment that is only a role is the role.
        ("Quorvex SDE Intern – OA result", _MENTION, "Quorvex"),
        ("Blue Heron Data Scientist", "", "Blue Heron"),
        ("Fwd: Job opening – Data Analyst, Blue Heron Capital", "", "Blue Heron Capital"),
        ("Trainee Engineer | Blue Heron Capital | 2027 batch", "", "Blue Heron Capital"),
        ("Quorvex is hiring: Associate Product Manager", "", "Quorvex"),
        ("Quorvex is hiring Graduate Engineers (2026 batch)", "", "Quorvex"),
        # A word that only fills a name stays in it; a plural that is no role head stays too.
        ("Blue Heron Associates", "", "Blue Heron Associates"),
        ("Velto Company - shortlisted for interviews", "", "Velto Company"),
        # A short title with no kind word is the company.
        ("Quorvex", "", "Quorvex"),
        # Sentences, openers and event names are not companies.
        ("Collect your offer letters", "", None),
        ("Please note", "", None),
        ("Welcome, batch of 2028", "", None),
        ("Alumni connect: cracking product-company interviews", "", None),
        ("Reminder - submit your placement consent by Friday", "", None),
        ("Pre-Placement Talk - Final Results", "", None),
        # Two names and nothing to say which recruits: better none than a guess.
        ("Quorvex and Velto Labs: merged drive", _MENTION, None),
    ],
)
def test_company_from_title_classes(title: str, text: str, company: str | None) -> None:
    found = resolve_company(title, text)
    assert found.company == company, found.source


@pytest.mark.parametrize(
    ("title", "text", "company"),
    [
        ("What to carry on Monday", "For the Quorvex drive on Monday, carry your ID card.", "Quorvex"),
        ("Dress code", "Kal ke Blue Heron GD ke liye formal dress follow karein.", "Blue Heron"),
        (
            "Only a few hours left",
            "Registrations for the drive of Quorvex Labs close at midnight.",
            "Quorvex Labs",
        ),
        # Two recruiters named in the body: no single company.
        ("Bus timings", "Buses for the Quorvex drive and the Velto drive leave at 7 AM.", None),
        # Alumni name their employers, not a recruiter.
        ("From your seniors", "Seniors placed at Quorvex will talk about the Quorvex interviews.", None),
        # An abbreviation in the title, spelled out in the body as the recruiter.
        ("QL GD shortlist", "Shortlisted for the group discussion of Quorvex Labs:", "Quorvex Labs"),
        # A title name the body never uses, while it names another recruiter: unsure, so none.
        ("Velto Meet link for PPT", "The meeting link for the Quorvex PPT is below.", None),
        # ... but an abbreviation of the title's name in the body agrees with it.
        ("Blue Heron", "Results of the BH interviews are awaited.", "Blue Heron"),
        # People are not companies.
        ("Dr. Rao's talk postponed", "The talk by Dr. Rao is postponed to Friday.", None),
        ("Quorvex's written test postponed", _MENTION, "Quorvex"),
        # A programme after the name, when the body also calls the company by its name alone.
        ("Registrations open – Quorvex Elite NTH", "Register on the Quorvex portal by Friday.", "Quorvex"),
    ],
)
def test_company_from_the_body_when_the_title_names_none(title: str, text: str, company: str | None) -> None:
    assert resolve_company(title, text).company == company, resolve_company(title, text).source


@pytest.mark.parametrize(
    ("title", "text", "company"),
    [
        ("Quorvex Spark 4.0 registrations", "Quorvex Spark, Quorvex's coding challenge, is open.", "Quorvex"),
        ("Blue Heron Hack: 2026", "An all-women hackathon by Blue Heron. Teams of 2 to 4.", "Blue Heron"),
        (
            "Quorvex: Tech talk on compilers",
            "Engineers from Quorvex Labs will talk about compilers.",
            "Quorvex",
        ),
        # Titles of events name topics, platforms and speakers' employers.
        ("Velto profile workshop", "A workshop by our alumni network on Friday.", None),
        (
            "Fireside chat with A. Rao (Quorvex, JIIT 2015)",
            "A 2015 alumnus at Quorvex Labs shares his story.",
            None,
        ),
        ("Aptitude bootcamp by Velto", "A five-day aptitude bootcamp in LT-1.", None),
        # The college's own offices run events too; they are never a recruiter.
        ("Mock interviews by T&P Cell", "The T&P Cell will hold mock interviews on Friday.", None),
        ("Resume review by the Placement Office", "Bring two printed copies.", None),
    ],
)
def test_an_event_names_a_company_only_when_the_body_shows_it_running_it(
    title: str, text: str, company: str | None
) -> None:
    assert resolve_company(title, text, event=True).company == company


def test_the_portal_formats_and_labels_keep_their_role() -> None:
    assert extract_company_and_role("Open for applications - Quorvex's Job Profile - SDE") == (
        "Quorvex",
        "SDE",
    )
    assert extract_company_and_role("Important", "Company: Quorvex Labs\nRole: Analyst") == (
        "Quorvex Labs",
        "Analyst",
    )


def _notice(title: str, content: str) -> dict[str, str]:
    return {"identifier": "n-company", "title": title, "content": f"<p>{content}</p>"}


def test_reasons_say_where_the_company_came_from() -> None:
    notice = _notice("Quorvex OA result", "Results of the Quorvex online assessment are out.")
    content = superset_notice_content(notice, [])
    reasons = superset_notice_reasons(notice, [])
    assert content.company == "Quorvex"
    assert any(r.startswith("company Quorvex: from a title segment") for r in reasons), reasons
    body_only = _notice("What to carry", "For the Velto drive tomorrow, carry two copies of your resume.")
    assert any("the body's 'X drive" in r for r in superset_notice_reasons(body_only, [])), body_only
    nobody = _notice("Collect your offer letters", "Collect them from the office, 2-4 PM.")
    assert superset_notice_content(nobody, []).company is None
    assert any(r.startswith("no company: ") for r in superset_notice_reasons(nobody, []))


def test_a_stored_job_still_wins_and_the_reason_says_so() -> None:
    job = JobSummary.from_document(
        {
            "_id": "j-quorvex",
            "company": "Quorvex Labs Pvt. Ltd.",
            "job_profile": "Analyst",
        }
    )
    notice = _notice("Quorvex Labs: next round", "Students shortlisted for the next round of Quorvex Labs.")
    content = superset_notice_content(notice, [job])
    assert (content.company, content.job_id) == ("Quorvex Labs Pvt. Ltd.", "j-quorvex")
    assert any(
        "the stored job of Quorvex Labs Pvt. Ltd." in r for r in superset_notice_reasons(notice, [job])
    )


def test_a_bracketed_qualifier_or_a_programme_code_is_not_the_recruiter() -> None:
    body = "<p>Zenvia is hiring for the role of Software Engineer (PE2). CTC 14 LPA.</p>"
    assert resolve_company("Zenvia | Software Engineer (PE2) | 2027 Batch", body).company == "Zenvia"
    assert resolve_company(
        "Summer Internship – Halcyon Bank (ECE/EEE)", "Halcyon Bank invites you."
    ).company == ("Halcyon Bank")
    spelled = (
        "Students registered for the Quillbot Associate Engineer / Data Science Trainee drive report at 8 AM."
    )
    assert resolve_company("Quillbot AE/DST – revised reporting time", spelled).company == "Quillbot"
    # initials the body never spells out stay part of the name, and a lone initialism stays the company
    assert resolve_company("Nimbus GSC – revised reporting time", "Report at 8 AM.").company == "Nimbus GSC"
    tcs = "Students registered for the Tata Consultancy Services drive report at 8 AM."
    assert resolve_company("TCS – revised reporting time", tcs).company in (
        "TCS",
        "Tata Consultancy Services",
    )


def test_students_selected_in_a_company_name_it_as_the_recruiter() -> None:
    found = resolve_company("Offer letters", "Students selected in Orbit Freight can collect their letters.")
    assert found.company == "Orbit Freight", found.source
    assert resolve_company("Offer letters", "Selected students can collect their letters.").company is None
