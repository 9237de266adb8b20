"""Daily digests: which notices each digest lists, and how a digest is planned, stored and closed.

Every notice a delivery run handles is LISTED once in ``digest_items`` (``_id`` = notice id,
``listed_at`` = when a delivery run first saw it; an edit keeps that time), so a digest reads a
week of listed notices, never the big ``notices`` collection. A subscriber's digest for an IST day
is due once their digest hour has come (``subscribers/timing.py``); it lists the listed notices
their profile wants whose ``listed_at`` lies after the previous digest's cutoff and at or before
its own cutoff (the moment it was planned). So a notice that arrives after the 20:00 digest is in
the next one, and each notice is in at most one digest of a subscriber. A first digest looks back
one day.

A digest is a ledger entry like any notice's: ``_id`` = ``digest:<IST day>:r1:<channel>:<recipient>``,
so it is sent once per subscriber and IST day, by the same intent/outcome protocol, fenced on the
same lease. Its first write stores what it lists (``since``, ``cutoff``, ``items``) and the text
to send, so a retry after an outage or a crash sends the same digest. The subscriber's document
(``users`` / ``push_subscriptions``) carries ``digest_last`` = the latest digest planned (day,
cutoff, and whether it is still open): the next digest starts at that cutoff, and an open one is
retried before a newer one is planned, so no cutoff is ever skipped. Writes in that order (ledger
entry, then pointer) make a crash in between harmless: the next run finds the entry by its
``_id`` and carries on with it. Plain module, no dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState, delivery_id, first_document
from jiit_assets.defs.subscribers.mentions import MENTION_SUFFIX
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.targeting import NoticeTargeting, TargetNotice, wants
from jiit_assets.defs.subscribers.timing import DigestItem, digest_day_due, wants_digest, wants_instant
from jiit_assets.lib.mongo_writes import bulk_write_chunked
from jiit_assets.lib.vocabulary import aware_utc

Document = dict[str, Any]
DIGEST_PREFIX = "digest:"
POINTER_FIELD = "digest_last"
RETENTION = timedelta(days=8)  # listed notices older than this are in a digest already, or never will be
FIRST_LOOK_BACK = timedelta(days=1)
COVERED_REASON = "covered by the subscriber's daily digest"


def digest_notice_id(day: date) -> str:
    return f"{DIGEST_PREFIX}{day.isoformat()}"


def digest_entry_id(day: date, channel: str, recipient: str) -> str:
    return delivery_id(digest_notice_id(day), 1, channel, recipient)


@dataclass(frozen=True)
class ListedNotice:
    """A notice as digests list it, with what targeting decides on."""

    notice_id: str
    listed_at: datetime
    title: str
    url: str | None
    target: TargetNotice

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ListedNotice:
        target = document.get("target") or {}
        package = target.get("package_lpa")
        return cls(
            notice_id=str(document["_id"]),
            listed_at=aware_utc(document["listed_at"]),
            title=str(document.get("title") or ""),
            url=document.get("url") if isinstance(document.get("url"), str) else None,
            target=TargetNotice(
                notice_id=str(document["_id"]),
                revision=int(target.get("revision") or 1),
                type=str(target.get("type") or ""),
                company_key=str(target.get("company_key") or ""),
                package_lpa=float(package) if isinstance(package, int | float) else None,
                courses=tuple(str(course) for course in target.get("courses") or ()),
                batches=frozenset(int(year) for year in target.get("batches") or ()),
            ),
        )


def _target_document(target: TargetNotice) -> Document:
    return {
        "revision": target.revision,
        "type": target.type,
        "company_key": target.company_key,
        "package_lpa": target.package_lpa,
        "courses": list(target.courses),
        "batches": sorted(target.batches),
    }


def digest_exempt(notice_id: str, targeting: NoticeTargeting) -> bool:
    """Items that stay instant for digest subscribers, and are never listed in a digest.

    A personal mention (``#you``: the student is on a shortlist or got an offer) often asks them
    to act within hours (report for a test, accept an offer), and a deadline reminder is only
    useful before its deadline; a digest that arrives in the evening would be too late for both.
    """
    notice = targeting.notices.get(notice_id)
    return notice_id.endswith(MENTION_SUFFIX) or notice is None or notice.reminder


def list_notices(
    collection: Collection[Document],
    notices: Iterable[Mapping[str, Any]],
    targeting: NoticeTargeting,
    now: datetime,
) -> int:
    """List the run's notices for digests; ``listed_at`` is written only the first time.

    A notice already listed at its current revision is not written again (a pending notice passes
    through many runs while a recipient retries); an edit updates its title and targeting.
    """
    known = {
        str(document["_id"]): int((document.get("target") or {}).get("revision") or 0)
        for document in collection.find({}, {"target": 1})
    }
    operations = []
    for notice in notices:
        notice_id = str(notice["_id"])
        if (
            digest_exempt(notice_id, targeting)
            or known.get(notice_id) == targeting.notices[notice_id].revision
        ):
            continue
        fields = {
            "title": str(notice.get("title") or ""),
            "url": notice.get("url") if isinstance(notice.get("url"), str) else None,
            "target": _target_document(targeting.notices[notice_id]),
        }
        operations.append(
            UpdateOne({"_id": notice_id}, {"$set": fields, "$setOnInsert": {"listed_at": now}}, upsert=True)
        )
    if operations:
        bulk_write_chunked(collection, operations)
    return len(operations)


def load_listed(collection: Collection[Document], now: datetime) -> list[ListedNotice]:
    """Every listed notice (a week's worth: the collection is pruned here), oldest first."""
    collection.delete_many({"listed_at": {"$lt": now - RETENTION}})
    listed = [ListedNotice.from_document(document) for document in collection.find({})]
    return sorted(listed, key=lambda item: (item.listed_at, item.notice_id))


def cover_by_digest(
    entries: dict[str, dict[str, LedgerEntry]],
    recipients: Mapping[str, Profile | None],
    targeting: NoticeTargeting,
    channel: str,
    configured: Iterable[str] = (),
) -> list[LedgerEntry]:
    """Close the open instant entries of daily-digest-only subscribers as ``digested``.

    Call after :meth:`NoticeTargeting.close_unwanted` (a notice a subscriber does not want is in
    no digest of theirs either). Returns the entries closed here, for the caller to record.
    """
    fixed = set(configured)
    daily = [
        recipient
        for recipient, profile in recipients.items()
        if recipient not in fixed
        and profile is not None
        and wants_digest(profile)
        and not wants_instant(profile)
    ]
    closed = []
    for notice_id, by_recipient in entries.items():
        if digest_exempt(notice_id, targeting):
            continue
        revision = targeting.notices[notice_id].revision
        for recipient in daily:
            entry = by_recipient.get(recipient)
            if entry is not None and entry.done:
                continue
            if entry is None:
                entry = LedgerEntry(notice_id, revision, channel, recipient)
                by_recipient[recipient] = entry
            entry.state, entry.reason = LedgerState.DIGESTED, COVERED_REASON
            closed.append(entry)
    return closed


@dataclass(frozen=True)
class DigestPointer:
    """The latest digest planned for a subscriber (stored on their document as ``digest_last``)."""

    day: date
    cutoff: datetime
    open: bool

    def to_document(self) -> Document:
        return {"day": self.day.isoformat(), "cutoff": self.cutoff, "open": self.open}

    @classmethod
    def from_document(cls, document: Any) -> DigestPointer | None:
        if not isinstance(document, Mapping) or not isinstance(document.get("cutoff"), datetime):
            return None
        try:
            day = date.fromisoformat(str(document.get("day")))
        except ValueError:
            return None
        return cls(day, aware_utc(document["cutoff"]), document.get("open") is True)


@dataclass(frozen=True)
class DigestRecipient:
    """A subscriber as digests see them: ``id`` in the ledger, ``document_id`` of their document."""

    id: str
    document_id: Any
    profile: Profile
    pointer: DigestPointer | None


def digest_recipient(document: Mapping[str, Any], recipient_id: str) -> DigestRecipient | None:
    """The subscriber when a digest concerns them: they want one, or one of theirs is still open."""
    profile = Profile.from_document(document.get("profile"))
    pointer = DigestPointer.from_document(document.get(POINTER_FIELD))
    if not wants_digest(profile) and not (pointer and pointer.open):
        return None
    return DigestRecipient(recipient_id, document["_id"], profile, pointer)


def next_digest(recipient: DigestRecipient, now: datetime) -> tuple[date, bool] | None:
    """(IST day, still open) of the digest to work on now, or None when nothing is due.

    An open digest comes first: a newer one is planned only once it is sent (or given up), so
    the newer one starts at its cutoff and nothing falls between the two.
    """
    pointer = recipient.pointer
    if pointer is not None and pointer.open:
        return pointer.day, True
    day = digest_day_due(recipient.profile, now)
    if day is None or (pointer is not None and pointer.day >= day):
        return None
    return day, False


def digest_items(
    recipient: DigestRecipient, listed: Iterable[ListedNotice], cutoff: datetime
) -> list[ListedNotice]:
    """The listed notices after the previous cutoff, up to ``cutoff``, that the profile wants."""
    since = recipient.pointer.cutoff if recipient.pointer else cutoff - FIRST_LOOK_BACK
    return [
        item for item in listed if since < item.listed_at <= cutoff and wants(item.target, recipient.profile)
    ]


def as_digest_items(items: Iterable[ListedNotice]) -> list[DigestItem]:
    return [DigestItem(item.title, item.url, item.listed_at) for item in items]


@dataclass
class Digest:
    """One subscriber's digest as stored in its ledger entry."""

    recipient: DigestRecipient
    day: date
    cutoff: datetime
    entry: LedgerEntry
    content: Document = field(default_factory=dict)  # what the channel sends (chunks or payload)
    saved: DigestPointer | None = None  # the pointer as last written on the subscriber's document

    def __post_init__(self) -> None:
        self.saved = self.saved or self.recipient.pointer


def open_digest(
    deliveries: Collection[Document],
    recipient: DigestRecipient,
    channel: str,
    day: date,
    planned: tuple[datetime, list[ListedNotice], Document] | None,
) -> Digest | None:
    """The digest's ledger entry: inserted from ``planned`` (cutoff, items, content), else the stored one.

    A stored entry always wins (a crash after its insert, or an open digest being retried), so a
    digest's content never changes once written. None when an open digest's entry is missing.
    """
    entry = LedgerEntry(digest_notice_id(day), 1, channel, recipient.id, LedgerState.RETRY)
    stored = deliveries.find_one({"_id": entry.id})
    if stored is None and planned is not None:
        cutoff, items, content = planned
        if not items:
            entry.state, entry.reason = LedgerState.EMPTY, "no notices for this digest"
        extra = {
            "since": recipient.pointer.cutoff if recipient.pointer else cutoff - FIRST_LOOK_BACK,
            "cutoff": cutoff,
            "items": [item.notice_id for item in items],
            "content": content,
        }
        try:
            deliveries.insert_one(first_document(entry, extra))
            return Digest(recipient, day, cutoff, entry, content)
        except DuplicateKeyError:
            stored = deliveries.find_one({"_id": entry.id})
    if stored is None:
        return None
    content = dict(stored.get("content") or {})
    return Digest(recipient, day, aware_utc(stored["cutoff"]), LedgerEntry.from_document(stored), content)


def save_pointer(collection: Collection[Document], digest: Digest) -> None:
    """Record on the subscriber's document that this digest is planned (open) or closed."""
    pointer = DigestPointer(digest.day, digest.cutoff, open=not digest.entry.done)
    if digest.saved != pointer:
        update = {"$set": {POINTER_FIELD: pointer.to_document()}}
        collection.update_one({"_id": digest.recipient.document_id}, update)
        digest.saved = pointer


def close_missing(collection: Collection[Document], recipient: DigestRecipient) -> None:
    """An open pointer whose ledger entry is gone (deleted by hand): closed, so digests go on."""
    if recipient.pointer is not None:
        closed = DigestPointer(recipient.pointer.day, recipient.pointer.cutoff, open=False)
        collection.update_one({"_id": recipient.document_id}, {"$set": {POINTER_FIELD: closed.to_document()}})
