"""Round-6 rules of issue 15, each probed with made-up mails and a look-alike that must stay as it is:
a stipend stated as a total over the internship in other words, an out-of-office reply and a training
firm's pitch to the placement office (not for students)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from jiit_assets.defs.email.classification import MailClassification, classify_email
from jiit_assets.defs.email.message import decode_email
from jiit_assets.defs.email.packages import package_of


def _classify(
    subject: str,
    body: str,
    *,
    sender: str = "T&P Cell <tnp@jiit.ac.in>",
    headers: dict[str, str] | None = None,
) -> MailClassification:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "students@jiit.ac.in"
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0530"
    message["Message-ID"] = f"<{abs(hash(subject + body))}@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return classify_email(decode_email(bytes(message)))


_SIGNATURE = "\n\nRegards,\nTraining & Placement Cell\nJIIT Noida"


@pytest.mark.parametrize(
    ("text", "lpa"),
    [
        ("Total stipend for the internship: ₹1,80,000 (for the complete 6 months).", 3.6),
        ("Stipend: INR 2,40,000 for the entire internship of four months.", 7.2),
        ("Total stipend for the whole duration - Rs. 1,20,000 (over 3 months)", 4.8),
        # look-alikes: a monthly figure for a stated span stays the month's pay
        ("Stipend: ₹30,000 per month for the complete 6 months.", 3.6),
        ("Stipend: ₹45,000 (for the complete internship).", 5.4),
    ],
)
def test_stipend_totals_in_other_words(text: str, lpa: float) -> None:
    found = package_of(text)
    assert found is not None and found.lpa == lpa, found


OUT_OF_OFFICE = [
    (
        "Automatic reply: Drive schedule - Orbit Freight",
        "Thank you for your mail. I will respond on my return.",
        {},
    ),
    (
        "Re: Drive schedule - Orbit Freight",
        "I am out of office until 20 February with limited access to email. For placements, contact the T&P Cell.",
        {},
    ),
    (
        "Re: Drive schedule - Orbit Freight",
        "Thanks, noted. Will reply in detail soon.",
        {"Auto-Submitted": "auto-replied"},
    ),
    (
        "Re: Drive schedule - Orbit Freight",
        "Thanks, noted. Will reply in detail soon.",
        {"X-Autoreply": "yes"},
    ),
]


@pytest.mark.parametrize(("subject", "body", "headers"), OUT_OF_OFFICE)
def test_an_automatic_reply_is_skipped(subject: str, body: str, headers: dict[str, str]) -> None:
    result = _classify(subject, body, sender="Asha Verma <asha.verma@jiit.ac.in>", headers=headers)
    assert result.outcome == "skipped" and "automatic reply" in result.reason, result.reason


def test_a_notice_that_mentions_leave_or_replies_is_not_an_automatic_reply() -> None:
    result = _classify(
        "Drive schedule - Orbit Freight",
        "Dear Students,\n\nOrbit Freight will hold its campus drive on 22 October for the role of Data Analyst. "
        "Students on leave must inform the T&P office. An automatic reply confirms your registration."
        + _SIGNATURE,
        headers={"Auto-Submitted": "no"},
    )
    assert result.outcome == "notice", result.reason


def test_a_training_firms_pitch_is_skipped_and_a_company_asking_for_a_call_is_not() -> None:
    pitch = _classify(
        "Partnership proposal: placement readiness for your batch",
        "Dear Placement Head,\n\nWe partner with 200+ engineering colleges to run aptitude training and mock "
        "interviews. We would love to discuss a customised plan for your institute's 2027 batch.\n\nBest,\nNeha\n"
        "Upskillr EdTech",
        sender="Neha <neha@upskillr.example>",
    )
    assert pitch.outcome == "skipped" and "vendor" in pitch.reason, pitch.reason
    drive = _classify(
        "Campus hiring - Orbit Freight",
        "Dear Placement Head,\n\nOrbit Freight would like to hold mock interviews and a campus drive for the 2027 "
        "batch (Data Analyst, CTC 7 LPA). Could we schedule a 20-minute call with your team?\n\nRegards,\n"
        "Campus Team, Orbit Freight",
        sender="Orbit Freight <campus@orbitfreight.example>",
    )
    assert drive.outcome == "notice", drive.reason


@pytest.mark.parametrize(
    ("heading", "roles"),
    [
        ("NOKIA — Engineer - Radio Access — CTC 8.2 LPA", {"Engineer - Radio Access": 8.2}),
        ("NOKIA | Analyst - Data Platform | CTC 8.2 LPA", {"Analyst - Data Platform": 8.2}),
        # look-alikes: the hyphen parts the package from the role, or all three segments
        ("NOKIA — Network Engineer - CTC 8.2 LPA", {"Network Engineer": 8.2}),
        ("NOKIA - Network Engineer - CTC 8.2 LPA", {"Network Engineer": 8.2}),
    ],
)
def test_a_digest_role_keeps_its_qualifier_after_a_hyphen(heading: str, roles: dict[str, float]) -> None:
    result = _classify(
        "Placement results - week 6",
        f"Dear All,\n\nPlacement results for the week are as follows.\n\n{heading}\n  • Ira Sen (9921102044)\n"
        "  • Om Bedi (9921102187)\n\nCongratulations to all!" + _SIGNATURE,
    )
    assert result.offer is not None, result.reason
    assert {r.role: r.package for r in result.offer.roles} == roles, result.reason


_COMPANY_LIST = (
    "Dear Sir,\n\nThank you for your support during the campus drive. Please find the list of students for the "
    "Associate role at Corvid Analytics{stage}:\n\n22103101-CSE  Meera Joshi\n22104033-IT  Kunal Arora\n\n"
    "The CTC for the role is Rs. 7.5 L per annum.{tail}\n\nRegards,\nCampus Team | Corvid Analytics"
)


def test_a_companys_selected_candidates_mail_that_states_the_offer_is_an_offer() -> None:
    result = _classify(
        "Campus Drive 2026 - Selected candidates - JIIT Noida",
        _COMPANY_LIST.format(stage="", tail=" Offer letters will be shared on the registered e-mail IDs."),
        sender="Corvid Campus <campus@corvid-analytics.example>",
    )
    assert result.outcome == "offer", result.reason
    assert result.offer is not None
    assert {s.name: s.enrollment_number for s in result.offer.students} == {
        "Meera Joshi": "22103101",
        "Kunal Arora": "22104033",
    }


@pytest.mark.parametrize(
    ("stage", "tail"),
    [
        # a further stage ahead: the list is a shortlist even with the offer's words
        (" selected for the interview", " Offer letters will follow the interview."),
        ("", " The next round will be held on Monday; offer letters after that."),
    ],
)
def test_selected_candidates_for_a_further_stage_or_without_an_offer_stay_a_notice(
    stage: str, tail: str
) -> None:
    result = _classify(
        "Campus Drive 2026 - Selected candidates - JIIT Noida",
        _COMPANY_LIST.format(stage=stage, tail=tail),
        sender="Corvid Campus <campus@corvid-analytics.example>",
    )
    assert result.outcome == "notice", result.reason


SINGLE = [
    (
        "PPO - Vantix Systems",
        "Dear Students,\n\nWe are delighted to share that Ms. Priya Nair (22103145) has received a pre-placement "
        "offer from Vantix Systems for the role of Software Engineer 2. CTC: 32 LPA.\n\nCongratulations, Priya!"
        + _SIGNATURE,
        ("Priya Nair", "22103145"),
        {"Software Engineer 2": 32.0},
    ),
    (
        "Offer confirmation | Quorra Labs",
        "Hi Team,\n\nWe are happy to inform you that Rohit Bansal (Enrollment No. 9922103077, B.Tech ECE) is being "
        "offered the role of Data Engineer at Quorra Labs. CTC: 14 LPA. A formal offer letter will follow.\n\n"
        "Regards,\nAsha Menon (9810012345)\nQuorra Labs",
        ("Rohit Bansal", "9922103077"),
        {"Data Engineer": 14.0},
    ),
    (
        "Placement - Tessell",
        "Dear Students,\n\nWe are pleased to inform that Ananya Gupta, CSE, 22103188 has been selected by Tessell "
        "for the role of Backend Engineer with a CTC of 18 LPA.\n\nCongratulations!" + _SIGNATURE,
        ("Ananya Gupta", "22103188"),
        {"Backend Engineer": 18.0},
    ),
]


@pytest.mark.parametrize(("subject", "body", "student", "roles"), SINGLE)
def test_one_student_named_in_the_selection_sentence(
    subject: str, body: str, student: tuple[str, str], roles: dict[str, float]
) -> None:
    result = _classify(subject, body)
    assert result.outcome == "offer" and result.offer is not None, result.reason
    assert [(s.name, s.enrollment_number) for s in result.offer.students] == [student], result.reason
    assert {r.role: r.package for r in result.offer.roles} == roles, result.reason


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (  # a greeting and the coordinator's signature name no selected student
            "PPO",
            "Dear Rahul,\n\nCongratulations on your pre-placement offer from Vantix Systems with a CTC of 32 LPA."
            "\n\nRegards,\nNeeraj Saxena (9810012345)\nT&P Cell",
        ),
        (  # one student named for a further stage
            "Interview - Tessell",
            "Dear Students,\n\nAnanya Gupta, CSE, 22103188 has been shortlisted for the technical interview by "
            "Tessell (CTC 18 LPA) on Monday." + _SIGNATURE,
        ),
    ],
)
def test_a_greeting_a_signature_or_a_shortlisted_name_is_no_selected_student(subject: str, body: str) -> None:
    result = _classify(subject, body)
    assert result.outcome == "notice", result.reason
