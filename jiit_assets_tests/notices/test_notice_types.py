"""The written notice-type rules (README, "How mail and notices are read"): two examples per type,
decided the same way for an e-mail and for a portal notice."""

from __future__ import annotations

import pytest

from jiit_assets.defs.email.email_notices import classify_notice as classify_email_notice
from jiit_assets.defs.notices.rules import classify_notice as classify_portal_notice
from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.notice_types import notice_type

EXAMPLES: list[tuple[str, str, NoticeType]] = [
    (
        "Revised Placement Policy 2025-26: one student one job",
        "A student placed in a Dream company will not be allowed to sit for further drives.",
        NoticeType.ANNOUNCEMENT,
    ),
    ("Placement statistics 2024-25", "Amazon | 12 | 44.14\nTCS | 88 | 7.3", NoticeType.ANNOUNCEMENT),
    (
        "Gentle reminder – submit internship offer letters",
        "Students who have received internship offers must submit a copy by Monday.",
        NoticeType.REMINDER,
    ),
    (
        "Last date today: placement opt-out form",
        "Students opting out of campus placements must submit the form today.",
        NoticeType.REMINDER,
    ),
    (
        "Hitachi drive postponed",
        "The Hitachi Vantara campus drive scheduled for 15 September has been postponed.",
        NoticeType.UPDATE,
    ),
    (
        "Online Test Schedule – Capgemini (shortlisted students)",
        "Slot 1 (10:00 - 11:30 AM): CSE and IT\nSlot 2 (12:30 - 2:00 PM): ECE",
        NoticeType.UPDATE,
    ),
    (
        "Shortlisted candidates for interview – Amdocs",
        "1. Gaurav Joshi (22103012)\n2. Anushka Pal (22103040)",
        NoticeType.SHORTLISTING,
    ),
    (
        "Result of the online assessment – Wipro",
        "The following students have qualified for the interview round of Wipro.",
        NoticeType.SHORTLISTING,
    ),
    (
        "Internal hackathon: HackJIIT Winter Edition",
        "A 24-hour build-a-thon. Teams of 2-4.",
        NoticeType.HACKATHON,
    ),
    ("Smart India Hackathon 2025 - internal round", "Register your team by Friday.", NoticeType.HACKATHON),
    ("Resume Clinic with Alumni Mentors", "Slots of 15 minutes on Saturday.", NoticeType.WEBINAR),
    ("Pre-Placement Talk: Microsoft", "The talk covers the SWE role (CTC 50 LPA).", NoticeType.WEBINAR),
    (
        "Campus Drive: Nokia – 2026 batch – apply by 5 Sep",
        "Role: Graduate Engineer. CTC: 9 LPA. Apply on SuperSet by 5 September.",
        NoticeType.JOB_POSTING,
    ),
    (
        "Summer Internship 2026 – Siemens Healthineers",
        "Stipend: ₹35,000 per month. Eligibility: CSE, IT, ECE. Apply on SuperSet by 15 October.",
        NoticeType.JOB_POSTING,
    ),
    (
        "Internship NOC process – Summer 2026",
        "Fill the NOC form on the T&P portal with the internship offer attached.",
        NoticeType.INTERNSHIP_NOC,
    ),
    (
        "Internship NOC issued",
        "NOCs for the summer internship have been issued by the T&P office.",
        NoticeType.INTERNSHIP_NOC,
    ),
    (
        "Document verification drive for 2026 batch",
        "Get your documents verified as per the branch-wise schedule below.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Collect your offer letters",
        "Students placed in September can collect their printed offer letters this week.",
        NoticeType.ANNOUNCEMENT,
    ),
]


@pytest.mark.parametrize(("title", "body", "expected"), EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_each_written_rule_decides_both_sources_alike(title: str, body: str, expected: NoticeType) -> None:
    portal_expected = NoticeType.UPDATE if expected == NoticeType.REMINDER else expected
    assert classify_email_notice(title, body).notice_type == expected
    assert classify_portal_notice(title, body) == portal_expected
    decided = notice_type(title, body, source="email")
    assert decided.type == expected and decided.reason  # every decision says which rule held


def test_a_policy_title_outranks_its_change_words_and_the_talks_it_mentions() -> None:
    decided = notice_type(
        "Revised placement policy", "Absence from a pre-placement talk leads to debarment.", source="portal"
    )
    assert decided.type == NoticeType.ANNOUNCEMENT
    assert "policy" in decided.reason


def test_long_and_hostile_bodies_are_read_only_up_to_the_cap() -> None:
    body = "a " * 200_000 + "rescheduled"
    assert notice_type("Placement drive", body, source="portal").type == NoticeType.ANNOUNCEMENT


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a title without a type word: the body decides
        (
            "Capgemini drive: report at Sector-62",
            "Candidates should report at the Sector-62 auditorium tomorrow at 9 AM.",
            NoticeType.UPDATE,
        ),
        (
            "Acme: for tomorrow",
            "Buses for the Acme interviews leave from Gate 2 at 7:30 AM. Carry your college ID.",
            NoticeType.UPDATE,
        ),
        (
            "Acme registrations",
            "The registration deadline for Acme has been pushed to Friday, 6 PM.",
            NoticeType.UPDATE,
        ),
        (
            "Alumni connect: cracking product-company interviews",
            "Alumni from Google and Atlassian will share their preparation journey. Sunday 4 PM.",
            NoticeType.WEBINAR,
        ),
        ("Mentorship programme", "Seniors offer one-on-one mentoring on resumes.", NoticeType.WEBINAR),
        # "update your resume" is an action asked of everyone, not a change to a drive
        (
            "Mandatory: update resume and CGPA on your profile",
            "All students must upload an updated resume. Incomplete profiles will be locked.",
            NoticeType.ANNOUNCEMENT,
        ),
        # collecting offer letters comes after the drive: bringing an ID card there is not drive logistics
        (
            "Offer letters: Acme",
            "Students selected at Acme in the August drive can collect offer letters. Bring your ID card.",
            NoticeType.ANNOUNCEMENT,
        ),
    ],
)
def test_the_body_decides_when_the_title_has_no_type_word(
    title: str, body: str, expected: NoticeType
) -> None:
    decided = notice_type(title, body, source="portal")
    assert decided.type == expected, decided.reason
