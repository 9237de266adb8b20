"""Personal mentions: a subscriber whose enrollment number a notice lists gets a message of their own.

"You are on the shortlist of Acme Corp for SDE: online test on Monday." goes, besides the
broadcast, to every subscriber whose profile holds an enrollment number listed in a shortlist, a
result or an offer. Matching is by the normalised enrollment number only, never by name (two
students may share one).

A mention is its own item in the delivery ledger: ``notice_id`` = ``"<notice id>#you"`` with
revision 0, so it is sent once per notice, student and channel (an edited notice re-sends its
broadcast but never the mention), and it shares the notice's delivery state: a mention that must
be retried keeps its notice pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from jiit_assets.defs.subscribers.profile import normalize_enrollment
from jiit_assets.lib.models import NoticeType

MENTION_SUFFIX = "#you"
MENTION_REVISION = 0
NEXT_STEP_LIMIT = 200


def base_notice_id(notice_id: str) -> str:
    """The notice a ledger item belongs to (a mention's id without its suffix)."""
    return notice_id.removesuffix(MENTION_SUFFIX)


@dataclass(frozen=True)
class Mention:
    notice_id: str  # the ledger's notice id: "<notice id>#you"
    enrollments: frozenset[str]
    text: str  # plain text
    url: str | None

    @property
    def revision(self) -> int:
        return MENTION_REVISION

    @property
    def telegram_html(self) -> str:
        body = escape(self.text, quote=False)
        if self.url:
            body += f'\n<a href="{escape(self.url, quote=True)}">Details</a>'
        return body

    def push_payload(self) -> dict[str, Any]:
        title, _, body = self.text.partition(": ")
        return {"title": title, "body": body or self.text, "url": self.url, "notice_id": self.notice_id,
                "type": "personal_mention"}  # fmt: skip


def _next_step(notice: Mapping[str, Any]) -> str:
    text = str(notice.get("text") or "").strip()
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) > NEXT_STEP_LIMIT:
        first = first[: NEXT_STEP_LIMIT - 1].rstrip() + "…"
    return first or str(notice.get("title") or "see the notice")


def mention_text(notice: Mapping[str, Any]) -> str:
    """The personal message for a notice that lists the student."""
    company = str(notice.get("company") or "").strip() or "a recruiter"
    role = str(notice.get("role") or "").strip()
    for_role = f" for {role}" if role else ""
    kind = notice.get("type")
    if kind == NoticeType.PLACEMENT_OFFER:
        return f"Congratulations! You have an offer from {company}{for_role}: {_next_step(notice)}"
    if kind == NoticeType.SHORTLISTING:
        return f"You are on the shortlist of {company}{for_role}: {_next_step(notice)}"
    title = str(notice.get("title") or "a placement notice")
    return f"You are named in “{title}”: {_next_step(notice)}"


def mention_of(notice: Mapping[str, Any]) -> Mention | None:
    """The mention a queued notice earns, or None when it lists no enrollment number."""
    enrollments = set()
    for student in notice.get("students") or []:
        if isinstance(student, Mapping):
            number = normalize_enrollment(str(student.get("enrollment_number") or ""))
            if number:
                enrollments.add(number)
    if not enrollments:
        return None
    url = notice.get("url")
    return Mention(
        notice_id=f"{notice['_id']}{MENTION_SUFFIX}",
        enrollments=frozenset(enrollments),
        text=mention_text(notice),
        url=str(url) if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
    )
