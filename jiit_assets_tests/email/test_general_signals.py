"""Round-2 rules of issue 15, each on an example of its own: broad signals (a result said in the body,
a total row, grouped enrollment numbers, the list sent as an attachment, the sender's domain) and the
look-alikes that must stay notices."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.email_notices import classify_notice
from jiit_assets.defs.email.message import decode_email, looks_like_html
from jiit_assets.defs.email.offer_company import company_domain, find_company
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets.defs.email.packages import package_of
from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.notice_types import notice_type
from jiit_assets.lib.students import clean_enrollment, students_in_line

STUDENTS = "\n\n1. Riya Sen (22103001)\n2. Arjun Mehta (22103002)\n"


def _mail(
    body: str, *, subject: str, sender: str, html: bool = False, attachment: str | None = None
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "students@example.org"
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0530"
    message["Message-ID"] = f"<{abs(hash(body))}@example.org>"
    message.set_content(body, subtype="html" if html else "plain")
    if attachment:
        message.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=attachment)
    return bytes(message)


def test_html_labelled_as_plain_text_is_read_as_html() -> None:
    markup = "<p>Dear all,</p><table><tr><th>Name</th><th>Enrollment</th></tr><tr><td>Riya Sen</td><td>22103001</td></tr></table>"
    assert looks_like_html(markup)
    assert not looks_like_html("Dear all, use <b> tags sparingly.")
    raw = _mail(markup, subject="List", sender="tnp@example.org")
    assert "Riya Sen | 22103001" in decode_email(raw).text


@pytest.mark.parametrize(
    ("text", "lpa"),
    [
        ("Component | Amount (LPA)\nBase | 11.00\nBonus | 1.00\nTotal CTC | 12.00\n", 12.0),
        ("CTC: 9L\nJoining in July.", 9.0),
        ("Fixed pay INR 7,50,000 p.a.", 7.5),
        ("Stipend ₹25k/month for six months", 3.0),
    ],
)
def test_packages_in_more_layouts(text: str, lpa: float) -> None:
    package = package_of(text)
    assert package is not None and package.lpa == lpa


def test_a_bare_l_is_not_a_lakh_without_a_label_or_a_line_end() -> None:
    assert package_of("Tower 9L block, room 4") is None


@pytest.mark.parametrize(
    ("line", "enrollment"),
    [
        ("Meera Joshi   221 04 518", "22104518"),
        ("Meera Joshi | 22/104/518 | CSE-AI", "22104518"),
        ("MEERA JOSHI / 22104518", "22104518"),
    ],
)
def test_enrollment_numbers_written_in_groups(line: str, enrollment: str) -> None:
    found = students_in_line(line)
    assert len(found) == 1 and found[0].enrollment == enrollment


def test_dates_and_mobile_numbers_are_never_enrollment_numbers() -> None:
    assert clean_enrollment("12/10/2025") is None
    assert students_in_line("Meera Joshi 98111 22334") == []


@pytest.mark.parametrize(
    "body",
    [
        "Acme has announced the result of its drive. Selected students:" + STUDENTS + "\nCTC 9 LPA",
        "The following interns have been converted to full-time Analyst roles. CTC 9 LPA." + STUDENTS,
        "Please find the candidates who will receive offers from Acme (CTC 9 LPA):" + STUDENTS,
    ],
)
def test_results_said_in_the_body_are_offers(body: str) -> None:
    decision = decide_offer("Acme - Results", body)
    assert decision.is_offer, decision.reason


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Acme OA result",
            "Congratulations! These students cleared the Acme online assessment and will appear for the "
            "interviews tomorrow (CTC 9 LPA)." + STUDENTS,
        ),
        ("Acme offer letters", "Students selected by Acme (9 LPA) may collect their offer letters at noon."),
        ("Acme update", "Acme interviews are over; results abhi awaited hain. CTC 9 LPA." + STUDENTS),
        (
            "T&P Digest - March edition",
            "Congratulations to 40 students placed at Acme this month! Highest 9 LPA.",
        ),
    ],
)
def test_look_alikes_stay_notices(subject: str, body: str) -> None:
    decision = decide_offer(subject, body)
    assert not decision.is_offer, decision.reason


def test_company_never_the_college_office_and_from_the_subject_remainder() -> None:
    found = find_company(
        "Wonderful!! Acme Robotics results", "Greetings from T&P Cell! Results below.", "", []
    )
    assert found is not None and found.name == "Acme Robotics"
    found = find_company("Offer Release - Graduate Engineer Trainee", "Offers are out.", "", [])
    assert found is None  # a role is not a company
    assert company_domain("hr.acmerobotics.com") == "Acmerobotics"
    assert company_domain("gmail.com") is None


def test_the_senders_own_domain_names_the_company() -> None:
    body = "We are pleased to share the candidates who will receive offers. CTC 9 LPA." + STUDENTS
    raw = _mail(body, subject="Final list of candidates", sender="Talent Team <ta@acmerobotics.com>")
    classified = classify_email(decode_email(raw))
    assert classified.offer is not None and classified.offer.company == "Acmerobotics"


def test_a_list_sent_as_an_attachment_keeps_the_offer_without_names() -> None:
    body = "Acme has selected students for the Analyst role (CTC 9 LPA). The list is attached."
    raw = _mail(body, subject="Acme final selects", sender="tnp@example.org", attachment="acme_selects.pdf")
    mail = decode_email(raw)
    assert mail.attachment_names == ("acme_selects.pdf",)
    classified = classify_email(mail)
    assert classified.offer is not None, classified.reason
    assert classified.offer.students == () and "attachment" in classified.reason
    assert classified.offer.roles[0].role == "Analyst"
    # The mail's word is enough: a forward or a list server often drops the attachment itself.
    stripped = extract_offer("Acme final selects", body)
    assert stripped.offer is not None and stripped.offer.students == ()
    silent = extract_offer(
        "Acme final selects", "Acme has selected students for the Analyst role (CTC 9 LPA)."
    )
    assert silent.offer is None  # no names, no attachment, nothing says where the students are


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Acme tech talk", "The Acme talk has been postponed to Friday.", NoticeType.UPDATE),
        (
            "Internship NOC: apply by Friday",
            "Request your NOC with the offer letter.",
            NoticeType.INTERNSHIP_NOC,
        ),
        ("Acme: candidates for group discussion", "The list is attached.", NoticeType.SHORTLISTING),
        (
            "Acme hiring - SDE",
            "Interested students portal pe apply karo by Monday. CTC 9 LPA.",
            NoticeType.JOB_POSTING,
        ),
    ],
)
def test_notice_type_rules_of_round_two(title: str, body: str, expected: NoticeType) -> None:
    assert notice_type(title, body, source="email").type == expected


def test_the_offices_own_newsletter_is_a_notice_and_a_shop_newsletter_is_skipped() -> None:
    assert (
        classify_notice("T&P newsletter", "Placement news of the month for students.").notice_type is not None
    )
    assert classify_notice("Weekly newsletter", "New arrivals in our store.").notice_type is None


def test_a_bare_serial_number_starts_a_student_row_only_with_an_enrollment_number() -> None:
    found = students_in_line("1 Gaurav Bhandari 221 03 417")
    assert [(s.name, s.enrollment) for s in found] == [("Gaurav Bhandari", "22103417")]
    assert students_in_line("10 Main Auditorium") == []


def test_a_ppo_that_may_follow_is_not_the_package_of_an_internship_offer() -> None:
    text = "Stipend: ₹1,20,000 per month. A pre-placement offer with a CTC of\n45 LPA is possible later."
    package = package_of(text)
    assert package is not None and package.lpa == 14.4
    # a PPO that was made is the package, and a possible PPO alone still states a figure
    assert getattr(package_of("They received PPOs. CTC 28 LPA."), "lpa", None) == 28.0
    assert getattr(package_of("A PPO of 20 LPA may follow."), "lpa", None) == 20.0


def test_a_role_sentence_wrapped_at_a_fixed_width_is_read_whole() -> None:
    text = (
        "Congratulations! The students below have been selected for the Software\n"
        "Engineering Intern role at Acme. Stipend: ₹50,000 per month.\n" + STUDENTS
    )
    offer = extract_offer("Internship results: Acme", text).offer
    assert offer is not None and [r.role for r in offer.roles] == ["Software Engineering Intern"]
