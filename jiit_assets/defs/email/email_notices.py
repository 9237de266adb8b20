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
from jiit_assets.defs.email.offers import OfferEvent, clean_subject, strip_private
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.models import NoticeContent, NoticeType
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
            r"shop\s+now|buy\s+now|newsletter|view\s+(?:this\s+email\s+)?in\s+(?:your\s+)?browser|"
            r"lottery|you\s+have\s+won|claim\s+your\s+(?:prize|reward))\b"
        ),
    ),
)
_PLACEMENT_WORDS = re.compile(
    r"(?i)\b(?:placements?|recruit\w*|drive|internships?|shortlist\w*|short-listed|interviews?|ctc|lpa|stipend|"
    r"hiring|jobs?|webinars?|hackathons?|noc|t\s?&\s?p|tnp|training\s+and\s+placement|batch|students?|"
    r"companies|company|resume|cv|offer\s+letters?|campus|eligib\w*|ppt|pre[- ]placement|assessment|"
    r"aptitude|registration|superset|job\s+profile)\b"
)
# (type, pattern) in priority order: the first that matches wins.
_TYPE_RULES: tuple[tuple[NoticeType, re.Pattern[str]], ...] = (
    (
        NoticeType.SHORTLISTING,
        re.compile(
            r"(?i)\b(?:short[- ]?list(?:ed|ing)?|selected\s+for\s+(?:the\s+)?(?:next|further|second|third|final|"
            r"technical|hr|personal|group|online|interview)\w*|next\s+round|qualified\s+for|cleared\s+the)\b"
        ),
    ),
    (NoticeType.INTERNSHIP_NOC, re.compile(r"(?i)\b(?:NOCs?|no\s+objection\s+certificates?)\b")),
    (
        NoticeType.HACKATHON,
        re.compile(r"(?i)\b(?:hackathons?|ideathon|codathon|coding\s+(?:challenge|contest))\b"),
    ),
    (
        NoticeType.WEBINAR,
        re.compile(
            r"(?i)\b(?:webinars?|pre[- ]placement\s+talks?|PPT|workshops?|seminars?|guest\s+lectures?|info\s+session)\b"
        ),
    ),
    (
        NoticeType.REMINDER,
        re.compile(r"(?i)\b(?:reminders?|last\s+date\s+(?:is\s+)?today|closing\s+today|final\s+call)\b"),
    ),
    (
        NoticeType.JOB_POSTING,
        re.compile(
            r"(?i)\b(?:open\s+for\s+applications?|apply\s+(?:by|before|now|latest)|job\s+description|JD|"
            r"eligibility\s+criteria|campus\s+(?:drive|recruitment)|recruitment\s+drive|hiring\s+for|"
            r"(?:is|will\s+be)\s+visiting|registrations?\s+(?:open|link|deadline))\b"
        ),
    ),
    (
        NoticeType.UPDATE,
        re.compile(
            r"(?i)\b(?:updates?|updated|reschedul\w*|postponed|preponed|revised|schedule[ds]?|venue\s+(?:has\s+been\s+)?chang\w*|"
            r"change\s+in|cancel+ed|results?)\b"
        ),
    ),
)


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
    if not _PLACEMENT_WORDS.search(whole):
        return NoticeDecision(None, "not placement-related (no placement vocabulary)")
    in_subject = _first_type(subject)
    in_body = _first_type(body)
    # The subject decides, unless it only says "update"/"results" and the body is more specific.
    if in_subject and (in_subject[0] != NoticeType.UPDATE or not in_body or in_body[0] == NoticeType.UPDATE):
        return NoticeDecision(in_subject[0], f"{in_subject[0]} (subject says {in_subject[1]!r})")
    if in_body:
        return NoticeDecision(in_body[0], f"{in_body[0]} (body says {in_body[1]!r})")
    return NoticeDecision(NoticeType.ANNOUNCEMENT, "placement notice without a more specific type")


def _first_type(text: str) -> tuple[NoticeType, str] | None:
    for notice_type, pattern in _TYPE_RULES:
        if match := pattern.search(text):
            return notice_type, normalize_space(match.group(0)).lower()
    return None


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
        breakdown = _breakdown(event)
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
