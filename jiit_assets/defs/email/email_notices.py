"""Placement-office mail that is not an offer: notice type or skipped, and what a notice says.

Pure and deterministic. The type is decided by word-boundary rules on the subject first (it is
what the placement office chose to say), then on the body. Mail with no placement vocabulary, spam,
newsletters and account alerts are skipped with a reason. Offer merge events are also turned into
notices here, without student names: the broadcast says how many were placed, not who.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from jiit_assets.defs.email.message import DecodedEmail
from jiit_assets.defs.email.offers import OfferEvent
from jiit_assets.defs.email.privacy import clean_subject, strip_private
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.notice_types import notice_type
from jiit_assets.lib.students import listed_students
from jiit_assets.lib.text import format_lpa

MAX_NOTICE_CHARS = 3500
MAX_TITLE_CHARS = 100

_SKIP_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "account or security alert",
        re.compile(
            r"(?i)\b(?:security\s+alert|new\s+sign[- ]in|sign[- ]in\s+attempt|suspicious\s+(?:activity|sign[- ]in|login)|"
            r"verify\s+your\s+(?:account|e-?mail|identity)|password\s+(?:reset|expir\w*|change)|"
            r"two[- ]step\s+verification|app\s+password)\b"
        ),
    ),
    (
        "newsletter or promotion",
        re.compile(
            r"(?i)\b(?:\d+\s*%\s*off|discount|coupon|promo\s+code|limited[- ]time\s+offer|flash\s+sale|"
            r"shop\s+now|buy\s+now|lottery|you\s+have\s+won|claim\s+your\s+(?:prize|reward))\b"
        ),
    ),
)
# A vendor writing to the placement office to sell its service (an ATS, a training programme): the
# greeting is to the office, and the mail pitches a demo, a trial or a plan for the institute. Companies
# also write "Dear Placement Officer" to invite a drive, so the greeting alone never skips a mail.
_TO_THE_OFFICE = re.compile(
    r"(?im)^\W{0,3}(?:dear|hi|hello)\s{1,3}(?:(?:training\s+(?:and|&)\s+)?placement\s+(?:officers?|heads?|coordinators?)|"
    r"TPOs?|T\s?&\s?P\s+(?:officers?|heads?)|career\s+services\s+(?:team|heads?))\b"
)
_SALES_PITCH = re.compile(
    r"(?i)\b(?:(?:book|schedule|request|get)\s+(?:a\s+|your\s+)?(?:free\s+)?(?:demo|trial)|free\s+trial|"
    r"pricing\s+plans?|subscription\s+plans?|(?:our|this)\s+(?:platform|product|solution|software)\s+for\s+your\s+"
    r"(?:institute|college|university|campus)|(?:demo|trial)\s+of\s+[\w ]{1,40}\s+for\s+your\s+(?:institute|college|university|campus)|"
    # a training firm's pitch: "we partner with 150+ engineering colleges", "a customised plan for JIIT's batch"
    r"partner(?:ing)?\s+with\s+\d+\+?\s+(?:\w+\s+){0,2}(?:colleges|institutes|universities|campuses)|"
    r"customi[sz]ed\s+(?:plan|programme|program|package|curriculum)\s+for\s+(?:your\s+\w+|\w+'s))\b"
)
# An out-of-office or other machine reply: its headers say so, or its subject or first lines do.
_AUTO_SUBJECT = re.compile(
    r"(?i)^\s*(?:automatic\s+reply|auto(?:matic)?[- ]?(?:reply|response)|out\s+of\s+(?:the\s+)?office)\b"
)
_AUTO_BODY = re.compile(
    r"(?i)\A\W{0,5}(?:[^\n]{0,80}\b)?(?:I\s+am|I'm)\s+(?:currently\s+)?(?:out\s+of\s+(?:the\s+)?office|on\s+leave|away)\b"
    r"[^\n]{0,200}\b(?:limited|no)\s+access\s+to\s+(?:e-?mail|my\s+mail)|\A\W{0,5}this\s+is\s+an\s+automatic\s+reply\b"
)


def auto_reply(subject: str, text: str, *, headers_say: bool = False) -> str | None:
    """Why a mail is a machine's reply (out of office, on leave) and not for students, or None."""
    if headers_say:
        return "an automatic reply (its headers say so)"
    said = _AUTO_SUBJECT.search(subject) or _AUTO_BODY.search(text[:600])
    return f"an automatic reply ({normalize_space(said.group(0))[:60].lower()!r})" if said else None


# A newsletter is skipped unless it is about placements: the T&P office's own digest is a notice.
_BULK_MAIL = re.compile(r"(?i)\b(?:newsletter|view\s+(?:this\s+email\s+)?in\s+(?:your\s+)?browser)\b")
_PLACEMENT_WORDS = re.compile(
    r"(?i)\b(?:placements?|recruit\w*|drive|internships?|shortlist\w*|short-listed|interviews?|ctc|lpa|stipend|"
    r"hiring|jobs?|webinars?|hackathons?|noc|t\s?&\s?p|tnp|training\s+and\s+placement|batch|students?|"
    r"companies|company|resume|cv|offer\s+letters?|campus|eligib\w*|ppt|pre[- ]placement|assessment|"
    r"aptitude|registration|superset|job\s+profile|"
    # events and contests for students say so without a placement word: "The tech talk by Adobe is postponed"
    r"(?:tech|guest|expert)\s+(?:talk|lecture)s?|seminars?|workshops?|alumni|mentor(?:ing|ship)|mock\s+interviews?|"
    r"coding\s+(?:contest|competition|challenge)s?)\b"
)


def vendor_pitch(subject: str, text: str) -> str | None:
    """Why a mail is a vendor selling a service to the placement office (not for students), or None."""
    body = strip_private(text)
    office = _TO_THE_OFFICE.search(body)
    pitch = _SALES_PITCH.search(f"{subject}\n{body}") if office else None
    if office is None or pitch is None:
        return None
    said = f"{normalize_space(office.group(0)).lower()!r}, {normalize_space(pitch.group(0)).lower()!r}"
    return f"a vendor selling a service to the placement office ({said})"


@dataclass(frozen=True)
class NoticeDecision:
    notice_type: NoticeType | None  # None: skipped
    reason: str


def classify_notice(subject: str, text: str) -> NoticeDecision:
    """Type of a non-offer mail, or None with the reason it is skipped."""
    subject = clean_subject(subject)
    body = strip_private(text)
    whole = f"{subject}\n{body}"
    for reason, pattern in _SKIP_RULES:
        if match := pattern.search(whole):
            return NoticeDecision(None, f"{reason} ({match.group(0).lower()!r})")
    if not body.strip() and not subject:
        return NoticeDecision(None, "empty message")
    if pitched := vendor_pitch(subject, body):
        return NoticeDecision(None, pitched)
    if not _PLACEMENT_WORDS.search(whole):
        if match := _BULK_MAIL.search(whole):
            return NoticeDecision(None, f"newsletter or promotion ({match.group(0).lower()!r})")
        return NoticeDecision(None, "not placement-related (no placement vocabulary)")
    decided = notice_type(subject, body, source="email", students=listed_students(body))
    return NoticeDecision(decided.type, f"{decided.type}: {decided.reason}")


def _title(subject: str, notice_type: NoticeType) -> str:
    title = clean_subject(subject) or str(notice_type).replace("_", " ").capitalize()
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def _body(text: str) -> str:
    body = strip_private(text)
    body = re.sub(
        r"(?im)^\s*(?:thanks\s*(?:&|and)\s*regards|regards|warm\s+regards|best\s+regards),?\s*$[\s\S]*\Z",
        "",
        body,
    )
    body = body.strip()
    if len(body) > MAX_NOTICE_CHARS:
        body = body[: MAX_NOTICE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return body


_COMPANY_LABEL = re.compile(
    r"(?im)^\s*(?:company(?:\s+name)?|organi[sz]ation)\s*[:\-–]\s*(?P<value>[^\n]{2,60})$"
)


def notice_content(mail: DecodedEmail, notice_type: NoticeType) -> NoticeContent:
    """What an e-mail notice says (source "email", id = message key); no addresses or phone numbers."""
    body = _body(mail.text)
    company = _COMPANY_LABEL.search(body)
    return NoticeContent(
        source="email",
        source_id=mail.message_key,
        type=notice_type,
        title=_title(mail.subject, notice_type),
        text=body,
        company=company.group("value").strip() if company else None,
        author=mail.sender_name or None,
        published_at=mail.sent_at,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _breakdown(event: OfferEvent) -> list[str]:
    counts: Counter[str] = Counter()
    only = event.roles[0].role if len(event.roles) == 1 else None
    for student in event.new_students:
        counts[student.role or only or "Unspecified"] += 1
    word = "offer" if event.type == "new_offer" else "new offer"
    lines: list[str] = []
    listed: set[str] = set()
    for role in event.roles:
        if counts.get(role.role):
            package = format_lpa(role.package)
            line = f"- {role.role}: {_plural(counts[role.role], word)}"
            lines.append(f"{line} — {package}" if package else line)
            listed.add(role.role)
    for role_name, count in counts.items():
        if role_name not in listed:
            lines.append(f"- {role_name}: {_plural(count, word)}")
    return lines


def offer_notice_content(event: OfferEvent, author: str | None = None) -> NoticeContent:
    """The broadcast for an offer merge event: counts and roles, never student names."""
    company = event.company
    added = len(event.new_students)
    paragraphs: list[str]
    if event.type == "new_offer":
        count = added or event.total_students
        verb = "has" if count == 1 else "have"
        paragraphs = [f"{_plural(count, 'student')} {verb} been placed at {company}."]
        if count == 0:  # the mail carried its list as an attachment or an image
            paragraphs = [f"{company} has announced its selections; the list came as an attachment."]
        breakdown = _breakdown(event)
        if count == 0:
            breakdown = [
                f"- {role.role} — {format_lpa(role.package)}" for role in event.roles if role.package
            ]
        if breakdown:
            paragraphs.append("Positions:\n" + "\n".join(breakdown))
        paragraphs.append("Congratulations to all selected!")
        title = f"Placement Update: {company}"
    else:
        paragraphs = []
        if added:
            verb = "has" if added == 1 else "have"
            paragraphs.append(
                f"{added} more {'student' if added == 1 else 'students'} {verb} been placed at {company}."
            )
            paragraphs.append(f"Total placements at {company}: {event.total_students}")
            breakdown = _breakdown(event)
            if breakdown:
                paragraphs.append("New positions:\n" + "\n".join(breakdown))
        for role in event.upgraded_roles:
            package = format_lpa(role.package)
            if package:
                paragraphs.append(f"The package for {role.role} at {company} is now {package}.")
        if not paragraphs:
            paragraphs.append(f"The placement details for {company} have been updated.")
        if added:
            paragraphs.append("Congratulations to the newly selected!")
        title = f"Placement Update: {company} (+{added})" if added else f"Placement Update: {company}"
    packages = [role.package for role in event.roles if role.package is not None]
    facts: list[tuple[str, str]] = [("Company", company), ("Total offers", str(event.total_students))]
    best = format_lpa(max(packages)) if packages else None
    if best:
        facts.append(("Highest package", best))
    return NoticeContent(
        source="placement_offer",
        source_id=event.id,
        type=NoticeType.PLACEMENT_OFFER,
        title=title,
        text="\n\n".join(paragraphs),
        facts=tuple(facts),
        company=company,
        role=event.roles[0].role if len(event.roles) == 1 else None,
        package_lpa=max(packages) if packages else None,
        author=author,
        published_at=event.time_sent,
    )
