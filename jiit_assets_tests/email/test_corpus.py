"""The deterministic rules on the fixture corpus: every offer found, no look-alike taken for one,
packages right to 0.01 LPA, notices typed, nothing private left in what would be stored."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from jiit_assets.cli.inspect_email import inspect_message
from jiit_assets.defs.email.email_notices import classify_notice, notice_content
from jiit_assets.defs.email.message import EmailDecodeError, decode_email
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets_tests.email.corpus_table import EXPECTED, names, raw

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# The phone numbers that appear in the corpus (enrollment numbers like 9921103056 look similar).
PHONES = ("98765 43210", "9876543210", "99999 88888")


def test_corpus_is_large_and_varied() -> None:
    kinds = {name: expected["kind"] for name, expected in EXPECTED.items()}
    assert len(kinds) >= 30
    assert sum(kind == "placement_offer" for kind in kinds.values()) >= 12
    assert sum(name.startswith("lookalike_") for name in kinds) >= 8


@pytest.mark.parametrize("name", names("placement_offer"))
def test_every_offer_is_found_with_packages_to_the_hundredth(name: str) -> None:
    expected = EXPECTED[name]
    result = inspect_message(raw(name))
    assert result["kind"] == "placement_offer", result["reason"]
    offer = result["offer"]
    assert offer["company"] == expected["company"]
    roles = {role["role"]: role["package_lpa"] for role in offer["roles"]}
    assert roles.keys() == expected["roles"].keys()
    for role, package in expected["roles"].items():
        assert roles[role] == pytest.approx(package, abs=0.01), role
    assert len(offer["students"]) == expected["students"] == offer["number_of_offers"]
    for student in offer["students"]:
        assert student["role"] in expected["roles"]
        assert student["package_lpa"] == pytest.approx(expected["roles"][student["role"]], abs=0.01)
        assert re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)+", student["name"]), student["name"]
    if "enrollments" in expected:
        assert [s["enrollment_number"] for s in offer["students"] if s["enrollment_number"]] == expected[
            "enrollments"
        ]


@pytest.mark.parametrize("name", names("notice") + names("skipped"))
def test_no_look_alike_becomes_an_offer(name: str) -> None:
    expected = EXPECTED[name]
    result = inspect_message(raw(name))
    assert result["kind"] == expected["kind"], result["reason"]
    assert result["offer"] is None
    if expected["kind"] == "notice":
        assert result["notice"]["type"] == expected["notice_type"], result["reason"]
    else:
        assert expected["reason_contains"] in result["reason"]


def test_offer_decisions_over_the_whole_corpus() -> None:
    """One summary a reviewer can read: the set of offers is exactly the expected set."""
    found = set()
    for name in names():
        try:
            mail = decode_email(raw(name))
        except EmailDecodeError:
            continue
        if decide_offer(mail.subject, mail.text).is_offer and extract_offer(mail.subject, mail.text).offer:
            found.add(name)
    assert found == set(names("placement_offer"))


@pytest.mark.parametrize("name", names("failed"))
def test_undecodable_messages_raise_a_typed_error_with_a_reason(name: str) -> None:
    with pytest.raises(EmailDecodeError) as caught:
        decode_email(raw(name))
    assert EXPECTED[name]["reason_contains"] in caught.value.reason
    assert len(caught.value.message_key) == 64


@pytest.mark.parametrize("name", [n for n in names() if "sent_at" in EXPECTED[n] or "author" in EXPECTED[n]])
def test_send_time_and_author_come_from_headers_or_the_forwarded_block(name: str) -> None:
    mail = decode_email(raw(name))
    expected = EXPECTED[name]
    if "sent_at" in expected:
        assert mail.sent_at == datetime.fromisoformat(expected["sent_at"])
    if "author" in expected:
        assert mail.sender_name == expected["author"]


@pytest.mark.parametrize("name", [n for n in names() if "subject" in EXPECTED[n]])
def test_every_encoded_word_of_the_subject_is_decoded(name: str) -> None:
    assert decode_email(raw(name)).subject == EXPECTED[name]["subject"]


@pytest.mark.parametrize("name", [n for n in names() if EXPECTED[n]["kind"] != "failed"])
def test_nothing_private_reaches_what_is_stored(name: str) -> None:
    mail = decode_email(raw(name))
    stored: list[str] = []
    offer = extract_offer(mail.subject, mail.text).offer
    if offer is not None:
        stored.append(repr(offer.to_document()))
    decision = classify_notice(mail.subject, mail.text)
    if decision.notice_type is not None:
        content = notice_content(mail, decision.notice_type)
        stored.append(repr(content.to_document()))
    for text in stored:
        assert not EMAIL_ADDRESS.search(text), name
        assert not any(phone in text for phone in PHONES), name
        assert "Forwarded message" not in text and "Sent: " not in text


def test_text_attachments_are_not_taken_for_the_body() -> None:
    mail = decode_email(raw("offer_base64_rupees_attachment.eml"))
    assert "not the body" not in mail.text
    assert "Programmer Analyst Trainee" in mail.text


def test_huge_message_is_capped_but_still_classified() -> None:
    mail = decode_email(raw("huge_drive_log.eml"))
    assert mail.truncated
    assert len(mail.text) <= 100_000
    assert classify_notice(mail.subject, mail.text).notice_type is not None


def test_unknown_charset_falls_back_without_losing_text() -> None:
    mail = decode_email(raw("broken_unknown_charset.eml"))
    assert "TCS is visiting the campus" in mail.text
    assert "Caf" in mail.text
