"""Telegram HTML and Web Push rendering: well-formed, complete, split as Telegram counts, small pushes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jiit_assets.defs.notices.render import (
    PUSH_MAX_BYTES,
    render_notice,
    split_telegram_html,
    telegram_html,
    telegram_plain_text,
)
from jiit_assets.defs.notices.rules import JobSummary, superset_notice_content
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets_tests.notices.samples import JOBS, SAMPLES
from jiit_assets_tests.notices.telegram_check import TelegramHtmlError, check, check_message, utf16_length

STANDIN_NOTICES = (
    Path(__file__).resolve().parents[2]
    / "jiit_assets_tests"
    / "standins"
    / "data"
    / "superset"
    / "notices.json"
)
JOB_SUMMARIES = [JobSummary.from_document(job) for job in JOBS]


def _all_contents() -> list[NoticeContent]:
    notices = [sample.notice for sample in SAMPLES]
    notices += [entry["notice"] for entry in json.loads(STANDIN_NOTICES.read_text())]
    return [superset_notice_content(notice, JOB_SUMMARIES) for notice in notices]


def _content(**overrides: object) -> NoticeContent:
    base: dict[str, object] = {
        "source": "superset",
        "source_id": "n-test",
        "type": NoticeType.ANNOUNCEMENT,
        "title": "Notice",
        "text": "Hello.",
        "author": "T&P Cell",
        "published_at": datetime(2025, 7, 17, 6, 31, tzinfo=UTC),
    }
    base.update(overrides)
    return NoticeContent(**base)  # type: ignore[arg-type]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_checker_itself_rejects_what_telegram_rejects() -> None:
    for bad in [
        "CGPA < 7",
        "T&P",
        "<b>open",
        "<b><i>x</b></i>",
        "<script>x</script>",
        '<a href="javascript:alert(1)">x</a>',
        "<b class='x'>x</b>",
        "&nbsp;",
        "",
    ]:
        with pytest.raises(TelegramHtmlError):
            check_message(bad)
    assert (
        check('<b>T&amp;P</b> <a href="https://x.in/?a=1&amp;b=2">&lt;ok&gt;</a> &#128512;') == "T&P <ok> 😀"
    )


@pytest.mark.parametrize("revision", [1, 2])
def test_every_fixture_notice_renders_to_well_formed_chunks_that_lose_nothing(revision: int) -> None:
    contents = _all_contents()
    assert len(contents) > 50
    for content in contents:
        rendered = render_notice(content, revision=revision)
        assert rendered.telegram_html, content.source_id
        texts = [check_message(chunk) for chunk in rendered.telegram_html]
        assert [telegram_plain_text(chunk) for chunk in rendered.telegram_html] == texts
        whole = check(telegram_html(content, revision))
        assert _squash(" ".join(texts)) == _squash(whole), content.source_id
        assert _squash(content.title) in _squash(texts[0])
        for student in content.students:
            assert student.name in whole
        for label, value in content.facts:
            assert f"{label}: {_squash(value)}" in _squash(whole)


def test_hostile_text_arrives_as_written() -> None:
    content = next(c for c in _all_contents() if c.source_id == "n-up-hostile")
    text = check_message(render_notice(content).telegram_html[0])
    assert "Important <b>update</b> & notice" in text
    assert "CGPA < 7 & backlogs > 0" in text
    assert "<tag>" in text and '"quote"' in text
    assert "alert" not in text


def test_header_marks_type_and_edits() -> None:
    content = _content(
        type=NoticeType.SHORTLISTING, title="Shortlist - Acme", students=(Student("Asha Verma", "22103045"),)
    )
    first = check_message(render_notice(content).telegram_html[0])
    assert first.startswith("🎉 Shortlisting\nShortlist - Acme")
    assert "1. Asha Verma (22103045)" in first
    assert "Updated" not in first
    edited = check_message(render_notice(content, revision=2).telegram_html[0])
    assert edited.startswith("✏️ Updated · 🎉 Shortlisting")
    assert render_notice(content, revision=2).push.title.startswith("✏️ Updated: Shortlist - Acme")


def test_facts_are_bold_labels_and_the_job_link_is_escaped() -> None:
    url = 'https://jiit.example/jobs/j-1?a=1&b="2"'
    content = _content(facts=(("Company", "AT&T <India>"),), url=url, job_id="j-1")
    html = render_notice(content).telegram_html[0]
    assert "<b>Company:</b> AT&amp;T &lt;India&gt;" in html
    assert 'href="https://jiit.example/jobs/j-1?a=1&amp;b=&quot;2&quot;"' in html
    check_message(html)
    # Only http(s) links become links.
    assert "<a " not in render_notice(_content(url="javascript:alert(1)")).telegram_html[0]


def test_long_notice_splits_at_paragraphs_under_telegram_limit() -> None:
    content = next(c for c in _all_contents() if c.source_id == "n-an-long")
    chunks = render_notice(content).telegram_html
    assert len(chunks) >= 3
    for chunk in chunks[:-1]:
        text = check_message(chunk)
        assert utf16_length(text) <= 4096
        assert text.endswith("no exceptions 🚫."), text[-40:]  # a whole paragraph, not a cut sentence


def test_astral_characters_count_double() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units, only 3000 code points
    chunks = split_telegram_html(f"<b>{text}</b>")
    assert len(chunks) == 2
    assert all(utf16_length(check_message(chunk)) <= 4096 for chunk in chunks)
    assert "".join(check(chunk) for chunk in chunks) == text


def test_splits_never_cut_entities_and_reopen_tags() -> None:
    body = " ".join(["&amp;lt;" * 3] * 900)  # entities everywhere; each word counts 12 units
    markup = f"<blockquote><b>Head</b>\n{body}</blockquote>"
    chunks = split_telegram_html(markup, limit=1000)
    assert len(chunks) > 4
    for chunk in chunks:
        check_message(chunk, limit=1000)
        assert chunk.startswith("<blockquote>") and chunk.endswith("</blockquote>")
    assert _squash(" ".join(check(chunk) for chunk in chunks)) == _squash(check(markup))


def test_words_longer_than_a_message_are_cut_but_nothing_is_lost() -> None:
    word = "x" * 9000
    chunks = split_telegram_html(f"<i>{word}</i>")
    assert [utf16_length(check_message(chunk)) for chunk in chunks] == [4096, 4096, 808]
    assert "".join(check(chunk) for chunk in chunks) == word


def test_line_boundaries_are_used_when_a_paragraph_is_too_long() -> None:
    students = tuple(Student(f"Student Number {i}", f"2210{i:04d}") for i in range(400))
    content = _content(type=NoticeType.SHORTLISTING, students=students)
    chunks = render_notice(content).telegram_html
    assert len(chunks) >= 3
    for chunk in chunks:
        for line in check_message(chunk).split("\n"):
            assert not line.startswith("Number"), "a student line was cut in two"
    lines = "\n".join(check(chunk) for chunk in chunks)
    assert all(f"{i + 1}. Student Number {i} (2210{i:04d})" in lines for i in range(400))


def test_push_payload_fits_one_record_and_is_plain_text() -> None:
    for content in _all_contents():
        for revision in (1, 3):
            push = render_notice(content, revision=revision).push
            document = push.to_document()
            assert len(json.dumps(document, ensure_ascii=False).encode()) <= PUSH_MAX_BYTES
            assert len(json.dumps(document).encode()) <= PUSH_MAX_BYTES
            assert set(document) == {"title", "body", "url", "notice_id", "type"}
            assert document["notice_id"] == f"superset:{content.source_id}"
            assert not re.search(r"</?(p|b|i|td|script|a)\b", push.body), push.body[:80]
            assert "&amp;" not in push.body and "**" not in push.body
    long = next(c for c in _all_contents() if c.source_id == "n-an-long")
    push = render_notice(long).push
    assert push.body.endswith("…") and push.body.startswith("Clause 1:")


def test_push_for_a_linked_job_names_the_facts_and_links_the_job() -> None:
    content = next(c for c in _all_contents() if c.source_id == "n-jp-acme-qa")
    push = render_notice(content).push
    assert push.title == "📢 Open for applications - Acme Corp's Job Profile - Quality Engineer"
    assert push.body.startswith("Company: Acme Corp · Role: Quality Engineer · CTC: ₹8 LPA")
    assert push.url == "https://jiit-placement-updates.tashif.codes/jobs/j-acme-qa"
    assert push.type == "job_posting"


def test_every_notice_type_has_a_header() -> None:
    for notice_type in NoticeType:
        text = check_message(render_notice(_content(type=notice_type)).telegram_html[0])
        assert re.match(r"^\W+ [A-Z]", text), text[:30]
