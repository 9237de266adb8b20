"""Typed shapes that cross module boundaries: what a notice says, and how it is queued for delivery.

Sources (SuperSet, e-mail notices, placement-offer events) each turn their input into a
:class:`NoticeContent`. The ``notices`` asset renders it for every channel and stores it as a
:class:`QueuedNotice`, the one queue that notification reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

CHANNELS: tuple[str, ...] = ("telegram", "web_push")

NoticeSource = Literal["superset", "email", "placement_offer", "reminder"]


class NoticeType(StrEnum):
    UPDATE = "update"
    SHORTLISTING = "shortlisting"
    ANNOUNCEMENT = "announcement"
    HACKATHON = "hackathon"
    WEBINAR = "webinar"
    JOB_POSTING = "job_posting"
    PLACEMENT_OFFER = "placement_offer"
    REMINDER = "reminder"
    INTERNSHIP_NOC = "internship_noc"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # channel not configured, or notice older than the first-run backlog window
    FAILED = "failed"  # gave up after retries for some recipients; details in `deliveries`
    HELD = "held"  # queued but held back (flood guard, no date) until an operator releases it


@dataclass(frozen=True)
class Student:
    name: str
    enrollment_number: str | None = None

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Student:
        return cls(name=str(document["name"]), enrollment_number=document.get("enrollment_number"))


@dataclass(frozen=True)
class NoticeContent:
    """What a notice says, whichever source it came from; channel messages are rendered from it."""

    source: NoticeSource
    source_id: str  # identifier inside the source: portal id, Message-ID hash, offer event id
    type: NoticeType
    title: str
    text: str  # plain text; paragraphs separated by blank lines; never HTML
    facts: tuple[tuple[str, str], ...] = ()  # labelled lines, e.g. ("Company", "Acme"), ("CTC", "₹12.0 LPA")
    students: tuple[Student, ...] = ()
    company: str | None = None
    role: str | None = None
    job_id: str | None = None
    package_lpa: float | None = None
    deadline: datetime | None = None  # timezone-aware
    author: str | None = None
    published_at: datetime | None = None  # timezone-aware; when the source published it
    url: str | None = None

    @property
    def notice_id(self) -> str:
        return f"{self.source}:{self.source_id}"

    def to_document(self) -> dict[str, Any]:
        document = asdict(self)
        document["type"] = str(self.type)
        # Objects, not [label, value] pairs: FerretDB (our local server) rejects nested arrays.
        document["facts"] = [{"label": label, "value": value} for label, value in self.facts]
        document["students"] = [asdict(student) for student in self.students]
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> NoticeContent:
        return cls(
            source=document["source"],
            source_id=str(document["source_id"]),
            type=NoticeType(document["type"]),
            title=str(document["title"]),
            text=str(document.get("text") or ""),
            facts=tuple(_fact(fact) for fact in document.get("facts") or ()),
            students=tuple(Student.from_document(s) for s in document.get("students") or ()),
            company=document.get("company"),
            role=document.get("role"),
            job_id=document.get("job_id"),
            package_lpa=document.get("package_lpa"),
            deadline=_aware(document.get("deadline")),
            author=document.get("author"),
            published_at=_aware(document.get("published_at")),
            url=document.get("url"),
        )

    def content_hash(self) -> str:
        """Stable hash of what a reader would see; a change means the notice was edited."""
        payload = json.dumps(self.to_document(), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PushPayload:
    """The JSON a service worker receives; must encrypt into a single 4096-byte aes128gcm record."""

    title: str
    body: str
    url: str | None
    notice_id: str
    type: str

    def to_document(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RenderedNotice:
    telegram_html: tuple[str, ...]  # each chunk <= 4096 UTF-16 code units after entity parsing
    push: PushPayload


@dataclass
class QueuedNotice:
    """A document of the ``notices`` collection: content, rendered messages and delivery state."""

    content: NoticeContent
    rendered: RenderedNotice
    revision: int = 1
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    delivery: dict[str, DeliveryState] = field(
        default_factory=lambda: {channel: DeliveryState.PENDING for channel in CHANNELS}
    )

    @property
    def pending(self) -> bool:
        return any(state == DeliveryState.PENDING for state in self.delivery.values())

    def to_document(self) -> dict[str, Any]:
        content = self.content
        return {
            "_id": content.notice_id,
            **content.to_document(),
            "content_hash": content.content_hash(),
            "revision": self.revision,
            "telegram_html": list(self.rendered.telegram_html),
            "push": self.rendered.push.to_document(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "delivery": {channel: str(state) for channel, state in self.delivery.items()},
            "pending": self.pending,
            # Fields the existing campus web app reads from its notices collection.
            "id": content.notice_id,
            "category": str(content.type).replace("_", " "),
            "createdAt": int((content.published_at or self.created_at).timestamp() * 1000),
            "updatedAt": int(self.updated_at.timestamp() * 1000),
            "sent_to_telegram": self.delivery.get("telegram") == DeliveryState.SENT,
        }


def _fact(fact: Any) -> tuple[str, str]:
    """A stored fact: ``{"label", "value"}``, or a ``[label, value]`` pair as older documents hold it."""
    if isinstance(fact, dict):
        return str(fact["label"]), str(fact["value"])
    label, value = fact
    return str(label), str(value)


def _aware(value: Any) -> datetime | None:
    """Datetimes read back from MongoDB may be naive UTC depending on client settings."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value))
