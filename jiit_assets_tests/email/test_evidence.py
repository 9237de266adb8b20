"""The offer decision on combined evidence, the company from every place a reader looks, and the
student and package layouts, rule by rule (issue 15's classes of misses)."""

from __future__ import annotations

import pytest

from jiit_assets.defs.email.offer_company import find_company, forwarded_sender_company
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets.defs.email.packages import package_of
from jiit_assets.defs.email.privacy import strip_private
from jiit_assets.lib.students import inline_students, names_in_list, students_in_line

STUDENTS = "\n\n1. Riya Sen (22103001)\n2. Arjun Mehta (22103002)\n"


@pytest.mark.parametrize(
    "sentence",
    [
        "The following students are being offered the role of Analyst by Acme with a CTC of 9 LPA:",
        "The following students have cleared all rounds of Acme and will join as Analyst (CTC 9 LPA):",
        "Congratulations to all three of you! Acme confirms you as Analyst, CTC 9 LPA:",
        "Acme has extended offers to the following students for the Analyst role. CTC: 9 LPA.",
        "Acme has issued conditional offers to the following students (Analyst, 9 LPA); the letter is attached.",
    ],
)
def test_selection_said_in_other_words_is_an_offer_with_its_evidence(sentence: str) -> None:
    decision = decide_offer("Acme results", sentence + STUDENTS)
    assert decision.is_offer, decision.reason
    assert "package (9 LPA)" in decision.reason


def test_without_selection_words_enough_signs_of_a_result_make_an_offer() -> None:
    body = "Congratulations! Acme results below. CTC 9 LPA." + STUDENTS
    decision = decide_offer("Acme – campus hiring results", body)
    assert decision.is_offer and "result announced" in decision.reason
    assert not decide_offer("Acme", "CTC 9 LPA." + STUDENTS).is_offer  # a list and a package alone are not


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Deloitte drive – results awaited",
            "Interviews for Analyst (CTC 7.6 LPA) are over. The results are awaited.",
        ),
        (
            "Pre-Placement Talk: Goldman Sachs",
            "Selected students will receive offers (CTC 25 LPA) in December.",
        ),
        (
            "Infosys drive status",
            "The final results will be announced after the HR round. CTC 9.5 LPA." + STUDENTS,
        ),
        (
            "Online Test Schedule – Capgemini",
            "Congratulations! Test for the shortlisted students, CTC 4 LPA." + STUDENTS,
        ),
        (
            "Revised placement policy",
            "Students placed (CTC above 10 LPA) have been placed in the Dream category.",
        ),
    ],
)
def test_notices_that_share_words_with_offers_stay_notices(subject: str, body: str) -> None:
    assert not decide_offer(subject, body).is_offer


@pytest.mark.parametrize(
    ("subject", "body", "company", "where"),
    [
        ("Cvent - Campus Hiring Results - JIIT", "The selected students are below.", "Cvent", "subject"),
        (
            "RE: Hiring outcome | Fidelity Investments | JIIT",
            "Offers released.",
            "Fidelity Investments",
            "subject",
        ),
        (
            "Pre-Placement Offer – Summer Interns 2025",
            "Congratulations to the students who received Pre-Placement Offers from Cadence Design Systems after the internship.",
            "Cadence Design Systems",
            "body",
        ),
        (
            "Offer confirmation",
            "Offers below.\n\nRegards,\nNeha\nTalent Acquisition | Nimbus Analytics",
            "Nimbus Analytics",
            "signature",
        ),
    ],
)
def test_company_comes_from_where_a_reader_would_look(
    subject: str, body: str, company: str, where: str
) -> None:
    found = find_company(subject, body, body, [])
    assert found is not None and (found.name, found.where) == (company, where)


def test_pre_placement_campus_final_and_result_are_never_a_company() -> None:
    assert find_company("Pre-Placement Offer - Final Result", "Placement results below.", "", []) is None


def test_company_from_the_forwarded_sender_name_or_domain_never_the_college() -> None:
    text = "FYI\n\n---------- Forwarded message ---------\nFrom: Zomato Campus Team <campus@zomato.com>\nSubject: x\n\nResults"
    assert forwarded_sender_company(text) == ("Zomato", "Zomato")
    text = "From: Recruitment Team <campus.recruitment@mathworks.com>\nSent: Tuesday\n\nResults"
    assert forwarded_sender_company(text) == (None, "Mathworks")
    assert forwarded_sender_company("From: T&P Cell <tnp@jiit.ac.in>\nFrom: A <a@gmail.com>") == (None, None)


def test_a_range_keeps_its_lowest_its_highest_and_its_words() -> None:
    package = package_of("CTC: 15-18 LPA depending on the location")
    assert package is not None and (package.lpa, package.high) == (15.0, 18.0)
    assert package.text == "15-18 LPA"


def test_a_stipend_total_over_the_internship_is_not_an_annual_figure() -> None:
    package = package_of("Stipend: ₹40,000 per month (₹2,40,000 in total for the six months)")
    assert package is not None and package.lpa == pytest.approx(4.8)


@pytest.mark.parametrize(
    ("line", "name", "enrollment", "rest"),
    [
        ("1. Ankit Yadav – 22103011 – CSE", "Ankit Yadav", "22103011", ("CSE",)),
        ("Thiruvenkatam Subramaniam (ECE) – 22102007", "Thiruvenkatam Subramaniam", "22102007", ("ECE",)),
        ("22103701 - Kritika Sharma", "Kritika Sharma", "22103701", ()),
        ("RAHUL KUMAR SINGH 22103333", "RAHUL KUMAR SINGH", "22103333", ()),
        (
            "Harshit Goyal | 22103801 | Software Engineer | 16",
            "Harshit Goyal",
            "22103801",
            ("Software Engineer", "16"),
        ),
        ("22102101 Deepika Rawat ECE", "Deepika Rawat", "22102101", ()),
    ],
)
def test_one_student_line_parser_for_every_layout(
    line: str, name: str, enrollment: str, rest: tuple[str, ...]
) -> None:
    (student,) = students_in_line(line)
    assert (student.name, student.enrollment, student.rest) == (name, enrollment, rest)


def test_total_rows_prose_and_comma_lists() -> None:
    assert students_in_line("Total | | | 3 offers") == []
    assert students_in_line("Join the Teams link shared on your e-mail 10 minutes early.") == []
    pairs = inline_students(
        "selection of Priya Rao (21103301), Lakshmi Narayanan (21103322) and Harpreet Kaur (21104017) as SE"
    )
    assert [(s.name, s.enrollment) for s in pairs] == [
        ("Priya Rao", "21103301"),
        ("Lakshmi Narayanan", "21103322"),
        ("Harpreet Kaur", "21104017"),
    ]
    assert names_in_list("Aditi Rao, Kunal Sethi and Meera Iyer") == [
        "Aditi Rao",
        "Kunal Sethi",
        "Meera Iyer",
    ]
    assert names_in_list("Noida, Delhi and Pune") == []


def test_role_headings_give_their_role_and_package_to_the_students_below() -> None:
    body = (
        "Offers have been released to:\n\nAssociate Software Engineer (12 LPA)\n- Mehul Agrawal (22103901)\n"
        "- Sana Khan (22103924)\n\nAssociate Data Engineer (11 LPA)\n- Yuvraj Chauhan (22104905)\n"
    )
    offer = extract_offer("Hiring outcome | Fidelity Investments | JIIT", body).offer
    assert offer is not None
    assert {r.role: r.package for r in offer.roles} == {
        "Associate Software Engineer": 12.0,
        "Associate Data Engineer": 11.0,
    }
    assert [(s.name, s.role, s.package) for s in offer.students] == [
        ("Mehul Agrawal", "Associate Software Engineer", 12.0),
        ("Sana Khan", "Associate Software Engineer", 12.0),
        ("Yuvraj Chauhan", "Associate Data Engineer", 11.0),
    ]


def test_quoted_replies_and_phone_forwards_are_read_without_their_headers() -> None:
    text = (
        "Pls share\n\nSent from my iPhone\n\nBegin forwarded message:\n\nFrom: HR <hr@tredence.com>\n"
        "Date: 20 October 2025\nSubject: Results\n\nDear TPO,\n> Selected: Sakshi Jain (22103602)\n"
    )
    cleaned = strip_private(text)
    assert "From:" not in cleaned and "iPhone" not in cleaned and "hr@" not in cleaned
    assert "Selected: Sakshi Jain (22103602)" in cleaned
