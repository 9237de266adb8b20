"""Round-5 rules of issue 15, each probed with made-up look-alikes: a bulleted list with only a branch
after each name, a sentence of names wrapped over lines, offer letters the company will share later,
a digest with final results in one section and results awaited in another, a PIN code and a weekday
that are not a student or a company, and a vendor selling a service to the placement office."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from jiit_assets.defs.email.classification import MailClassification, classify_email
from jiit_assets.defs.email.message import decode_email
from jiit_assets.lib.students import clean_enrollment, students_in_line


def _classify(subject: str, body: str, *, sender: str = "T&P Cell <tnp@jiit.ac.in>") -> MailClassification:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "students@jiit.ac.in"
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0530"
    message["Message-ID"] = f"<{abs(hash(subject + body))}@example.org>"
    message.set_content(body)
    return classify_email(decode_email(bytes(message)))


_SIGNATURE = (
    "\n\nRegards,\nTraining & Placement Cell\nA-10, Sector 62, Noida - 201309 (U.P.)\nPh: 0120-2594100"
)

OFFERS = [
    (  # bullets with a branch in brackets; the letters come "by Monday", which is no company
        "Fwd: Hiring update - JIIT",
        "Dear Students,\nPFB.\n\n---------- Forwarded message ---------\nFrom: Ritu Anand <ritu@zenvia.io>\n"
        "Subject: Hiring update\n\nHi Team,\nThe students below cleared all rounds and are being offered the role "
        "of Backend Engineer at Zenvia:\n\n- Kabir Sethi (ECE)\n- Naina Kapoor (CSE)\n\nCTC: 11 LPA. Offer letters "
        "will be released by Monday.\n\nRegards,\nRitu Anand\nZenvia",
        "Zenvia",
        {"Kabir Sethi": None, "Naina Kapoor": None},
    ),
    (  # a sentence of names wrapped over lines; the office's PIN code below is no student
        "Internship selection - Quillbot",
        "Dear Students,\n\nCongratulations to Ayaan Mehra (22103501), Tara Dutt (9922103502) and\nVivek Rana "
        "(22103503), who have been selected for the Data Intern role at Quillbot.\n\nStipend: Rs. 40,000 per month"
        + _SIGNATURE,
        "Quillbot",
        {"Ayaan Mehra": "22103501", "Tara Dutt": "9922103502", "Vivek Rana": "22103503"},
    ),
    (  # the company will share the offer letters later: a sign of an offer, not a collection notice
        "Placement result - Lumen Labs",
        "Dear Students,\n\nThe following students have been selected by Lumen Labs for the position of Analyst.\n\n"
        "CTC: 9 LPA\n\n1. Isha Bhatt   22104701   IT\n2. Rohan Das   22104702   CSE\n\nThe company will send the "
        "offer letters directly to the selected students." + _SIGNATURE,
        "Lumen Labs",
        {"Isha Bhatt": "22104701", "Rohan Das": "22104702"},
    ),
    (  # a digest: final results in one section, results awaited and a shortlist in others
        "Placement update - week 42",
        "Dear Students,\n\nHere is this week's digest.\n\nSELECTIONS\n\n1. Orbit Freight - Data Analyst - CTC 7 LPA\n"
        "   Manya Gill (23103701), Dev Sood (23103702)\n\nCongratulations to all the selected students!\n\n"
        "RESULTS AWAITED\n- Halcyon Bank: interviews concluded on 14 Oct.\n\nSHORTLISTS\n- Pixelwave: Arnav Jain "
        "(23103705) shortlisted for the next round.\n\nUPCOMING DRIVES\n- Nimbus Cloud - 22 Oct" + _SIGNATURE,
        "Orbit Freight",
        {"Manya Gill": "23103701", "Dev Sood": "23103702"},
    ),
]


@pytest.mark.parametrize(("subject", "body", "company", "students"), OFFERS)
def test_round5_offer_layouts(subject: str, body: str, company: str, students: dict[str, str | None]) -> None:
    result = _classify(subject, body)
    assert result.outcome == "offer", result.reason
    assert result.offer is not None and result.offer.company == company, result.reason
    assert {s.name: s.enrollment_number for s in result.offer.students} == students, result.reason


NOT_OFFERS = [
    (  # collecting the letters already given is a notice, even with the names and the package
        "Offer letters - Lumen Labs",
        "Dear Students,\n\nThe students placed at Lumen Labs (CTC 9 LPA) must share their offer letters with the "
        "T&P office by Friday.\n\n1. Isha Bhatt   22104701\n2. Rohan Das   22104702" + _SIGNATURE,
    ),
    (  # the students, not the company, will share the letters: a collection notice
        "Placement result - Lumen Labs",
        "Dear Students,\n\nThe following students have been selected by Lumen Labs (CTC 9 LPA).\n\n1. Isha Bhatt   "
        "22104701\n2. Rohan Das   22104702\n\nThe selected students will share the offer letters with the T&P office "
        "by Friday." + _SIGNATURE,
    ),
    (  # every section of the digest is vetoed: a shortlist and results awaited, no final words
        "Weekly placement digest",
        "Dear Students,\n\nSHORTLISTED FOR INTERVIEWS\n- Orbit Freight (CTC 7 LPA): Manya Gill (23103701), Dev Sood "
        "(23103702) are shortlisted for the technical interview.\n\nRESULTS AWAITED\n- Halcyon Bank"
        + _SIGNATURE,
    ),
    (  # final-looking words outside, but the list and package sit in a vetoed section
        "Weekly placement digest",
        "Dear Students,\nCongratulations to all the selected students of last week!\n\nSHORTLISTED FOR THE HR ROUND\n"
        "1. Manya Gill (23103701)\n2. Dev Sood (23103702)\nCTC 7 LPA. Interviews will be held on Monday.\n\n"
        "RESULTS AWAITED\n- Halcyon Bank" + _SIGNATURE,
    ),
    (  # the words of a result in a logistics section, the students in a vetoed shortlist section
        "Orbit Freight - update",
        "Dear Students,\n\nSHORTLIST FOR INTERVIEW\nThe following students are shortlisted for the interview:\n"
        "1. Manya Gill (23103701)\n2. Dev Sood (23103702)\n\nVENUE AND TIME\nCongratulations to the selected "
        "students! Report at LT-1 at 10 AM. CTC 10 LPA." + _SIGNATURE,
    ),
    (  # a digest whose kept section says only "congratulations to everyone who took part"
        "Weekly placement digest",
        "Dear Students,\n\nHIGHLIGHTS\nCongratulations to everyone who took part in the Orbit Freight drive (CTC 7 LPA)."
        "\n\nNEXT ROUND\nManya Gill (23103701) and Dev Sood (23103702) move to the next round." + _SIGNATURE,
    ),
]


@pytest.mark.parametrize(("subject", "body"), NOT_OFFERS)
def test_round5_look_alikes_stay_notices(subject: str, body: str) -> None:
    result = _classify(subject, body)
    assert result.outcome == "notice", result.reason


def test_a_vendor_selling_to_the_placement_office_is_skipped_and_a_company_inviting_a_drive_is_not() -> None:
    pitch = _classify(
        "Placement season 2027: what recruiters want",
        "Dear Placement Officer,\n\nInternship-to-PPO conversions rose this year; average CTC for data roles is 9.5 "
        "LPA. Join our webinar on 12 August.\n\nRequest a free demo of HireDesk for your institute.",
        sender="HireDesk <hello@hiredesk.example>",
    )
    assert pitch.outcome == "skipped" and "vendor" in pitch.reason, pitch.reason
    drive = _classify(
        "Campus hiring - Orbit Freight",
        "Dear Placement Officer,\n\nOrbit Freight would like to conduct a campus drive for the 2027 batch for the "
        "role of Data Analyst (CTC 7 LPA). Please share the list of eligible students by 20 October.\n\nRegards,\n"
        "Campus Team, Orbit Freight",
        sender="Orbit Freight <campus@orbitfreight.example>",
    )
    assert drive.outcome == "notice", drive.reason


def test_a_pin_code_or_a_short_number_is_not_an_enrollment_and_a_branch_alone_does_not_hide_a_name() -> None:
    assert clean_enrollment("201309") is None and clean_enrollment("1234567") is None
    assert clean_enrollment("22103045") == "22103045" and clean_enrollment("9922103045") == "9922103045"
    assert clean_enrollment("21bcs10234") == "21BCS10234"
    assert students_in_line("A-10, Sector 62, Noida - 201309 (U.P.)")[0].enrollment is None
