"""Package phrasings, the offer merge and the broadcast text, rule by rule."""

from __future__ import annotations

from datetime import datetime

import pytest

from jiit_assets.defs.email.email_notices import offer_notice_content
from jiit_assets.defs.email.message import MAX_RAW_BYTES, EmailDecodeError, decode_email, message_key_for
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offers import OfferRole, PlacementOffer, SelectedStudent, merge_offer
from jiit_assets.defs.email.packages import package_from_text
from jiit_assets.defs.email.privacy import strip_private
from jiit_assets.lib.text import IST


@pytest.mark.parametrize(
    ("text", "lpa"),
    [
        ("CTC: 12 LPA", 12.0),
        ("a package of 8.65 lakhs per annum", 8.65),
        ("Rs. 6,50,000 per annum", 6.5),
        ("INR 8.65 Lakhs {5.5 fixed + 1.65 variable + 1.5 allowance}", 8.65),
        ("8-12 LPA based on performance", 8.0),
        ("between 7 to 9 lakhs", 7.0),
        ("Stipend: 25k per month", 3.0),
        ("stipend of Rs. 40,000 per month", 4.8),
        ("10 LPA CTC + 50k monthly stipend during training", 10.0),
        (
            "15 LPA after completion of the internship (stipend of Rs. 40,000 per month during internship)",
            15.0,
        ),
        ("₹ 10,00,000 per annum", 10.0),
        ("CTC 1.2 Cr", 120.0),
        ("12,00,000 CTC", 12.0),
        ("INR 7.6 LPA (fixed)", 7.6),
        ("The role is SDE L1 in Noida", None),
        ("Enrollment 21103045, batch 2026", None),
    ],
)
def test_package_phrasings(text: str, lpa: float | None) -> None:
    result = package_from_text(text)
    if lpa is None:
        assert result is None
    else:
        assert result == pytest.approx(lpa, abs=0.01)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Results", "Congratulations! You have been selected for the next round at Acme. CTC 12 LPA."),
        ("Acme", "The following students are shortlisted for the technical interview at Acme (12 LPA)."),
        (
            "Update",
            "This is a gentle reminder: students who received offers must submit your offer letter. 12 LPA.",
        ),
        ("Deals", "Exclusive offer: 50% off for students placed at top firms with 12 LPA!"),
        ("Account", "Security alert: new sign-in attempt. Congratulations, you have been selected, 12 LPA."),
        ("Acme", "The following students have been selected by Acme."),  # no package
        (
            "Acme role controls",
            "Our access control role includes free freedom; salary 12 LPA.",
        ),  # substrings only
    ],
)
def test_look_alike_phrasings_are_not_offers(subject: str, body: str) -> None:
    assert not decide_offer(subject, body).is_offer


def test_privacy_strips_forwarded_headers_addresses_and_phones() -> None:
    text = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Amit <amit@jiit.ac.in>\nDate: Thu, 21 Aug 2025 at 4:51 PM\n"
        "Subject: results\nTo: <all@jiit.ac.in>\n\nDear Students,\nCall Mob: +91 98765 43210 or write to tnp@jiit.ac.in.\n"
    )
    cleaned = strip_private(text)
    assert "amit@" not in cleaned and "tnp@" not in cleaned and "98765" not in cleaned
    assert "From:" not in cleaned and "Forwarded" not in cleaned
    assert "Dear Students," in cleaned


def _offer(company: str, students: list[SelectedStudent], package: float = 12.0) -> PlacementOffer:
    return PlacementOffer(
        company=company,
        roles=(OfferRole("Software Engineer", package),),
        students=tuple(students),
        number_of_offers=len(students),
        time_sent=datetime(2025, 8, 18, 11, 0, tzinfo=IST),
        source_message_keys=(company,),
    )


def test_merge_joins_company_variants_and_students_seen_without_enrollment() -> None:
    first = _offer(
        "Acme",
        [
            SelectedStudent("Aarav Sharma", "21103045", None, 12.0),
            SelectedStudent("Kabir Singh", None, None, 12.0),
        ],
    )
    merged, event = merge_offer(None, first)
    assert event is not None and event.type == "new_offer" and len(event.new_students) == 2
    second = _offer(
        "Acme Corp",
        [
            SelectedStudent("Kabir  singh", "21103077", None, 12.0),
            SelectedStudent("Meera Nair", "21103099", None, 12.0),
        ],
    )
    assert second.company_key == merged.company_key == "acme"
    merged2, update = merge_offer(merged, second)
    assert update is not None and update.type == "updated_offer"
    assert [s.name for s in update.new_students] == ["Meera Nair"]
    assert [(s.name, s.enrollment_number) for s in merged2.students] == [
        ("Aarav Sharma", "21103045"),
        ("Kabir Singh", "21103077"),
        ("Meera Nair", "21103099"),
    ]
    assert merged2.number_of_offers == 3 and merged2.company == "Acme"
    # Reprocessing the same mail changes nothing and yields no event.
    again, none = merge_offer(merged2, second)
    assert none is None and again == merged2
    # Merging the same change on the same base always yields the same event id.
    assert merge_offer(merged, second)[1].id == update.id  # type: ignore[union-attr]


def test_package_upgrade_is_an_event_and_a_downgrade_is_not() -> None:
    student = SelectedStudent("Aarav Sharma", "21103045", None, 12.0)
    base, _ = merge_offer(None, _offer("Acme", [student]))
    upgraded, event = merge_offer(base, _offer("Acme", [student], package=14.0))
    assert event is not None and event.type == "updated_offer" and not event.new_students
    assert upgraded.roles[0].package == 14.0
    content = offer_notice_content(event)
    assert content.title == "Placement Update: Acme"
    assert "The package for Software Engineer at Acme is now ₹14 LPA." in content.text
    _, lower = merge_offer(upgraded, _offer("Acme", [student], package=10.0))
    assert lower is None


def test_broadcast_grammar_and_no_names() -> None:
    one = SelectedStudent("Aarav Sharma", "21103045", "Software Engineer", 12.0)
    _, event = merge_offer(None, _offer("Acme Corp", [one]))
    assert event is not None
    content = offer_notice_content(event)
    assert content.text.splitlines()[0] == "1 student has been placed at Acme Corp."
    assert "- Software Engineer: 1 offer — ₹12 LPA" in content.text
    assert "Aarav" not in content.text and not content.students
    assert content.source == "placement_offer" and content.source_id == event.id
    two = [one, SelectedStudent("Ishita Gupta", "21103112", "Software Engineer", 12.0)]
    _, event2 = merge_offer(None, _offer("Acme Corp", two))
    assert offer_notice_content(event2).text.startswith("2 students have been placed at Acme Corp.")  # type: ignore[arg-type]
    more = [SelectedStudent("Meera Nair", "21103099", "Software Engineer", 12.0)]
    base, _ = merge_offer(None, _offer("Acme Corp", two))
    _, update = merge_offer(base, _offer("Acme Corp", [*two, *more]))
    text = offer_notice_content(update).text  # type: ignore[arg-type]
    assert text.startswith("1 more student has been placed at Acme Corp.")
    assert "Total placements at Acme Corp: 3" in text and "1 new offer" in text


def test_message_key_falls_back_to_headers_and_is_stable() -> None:
    assert message_key_for("<a@b>", "x", "y", "z") == message_key_for(" <a@b> ", "other", "other", "other")
    assert message_key_for(None, "Mon, 1 Sep 2025", "a", "s") != message_key_for(
        None, "Mon, 1 Sep 2025", "a", "t"
    )


def test_forwarded_date_is_taken_from_the_header_block_not_the_body() -> None:
    raw = (
        b"From: Coordinator <c@jiit.ac.in>\r\nSubject: Fwd: schedule\r\nDate: Tue, 02 Sep 2025 08:30:00 +0530\r\n"
        b"Message-ID: <x1@jiit>\r\n\r\nInterview Date: Thu, 04 Sep 2025 at 10:00 AM\r\nVenue: LT-1\r\n"
    )
    mail = decode_email(raw)
    assert mail.sent_at == datetime(2025, 9, 2, 8, 30, tzinfo=IST)
    assert mail.sender_name == "Coordinator"


def test_oversized_messages_raise_a_typed_error() -> None:
    raw = b"From: a@b.c\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n" + b"x" * (MAX_RAW_BYTES + 1)
    with pytest.raises(EmailDecodeError) as caught:
        decode_email(raw)
    assert "cap" in caught.value.reason
    assert caught.value.message_key == message_key_for("<big@x>", "", "", "")


def test_huge_html_is_cut_before_parsing_and_the_text_capped() -> None:
    rows = "".join(f"<tr><td>Row {i}</td><td>Company {i}</td></tr>" for i in range(30_000))
    raw = (
        b"From: Placement Cell <p@jiit.ac.in>\r\nSubject: Drive log\r\nMessage-ID: <huge-html@x>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Placement drive log</p><table>"
        + rows.encode()
        + b"</table>"
    )
    mail = decode_email(raw)
    assert mail.truncated and len(mail.text) == 100_000
    assert mail.text.startswith("Placement drive log")
