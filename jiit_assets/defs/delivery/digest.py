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
``_id`` and carries on with it. A subscriber who changes digest mode is covered by
``digest_modes.py`` (a notice belongs to the mode in force when it was listed). Plain module, no
dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from jiit_assets.defs.delivery.digest_modes import (
    CATCH_UP_MODES,
    REGULAR_MODES,
    ModeTimeline,
    catch_up_notice_id,
    catch_up_owed,
)
from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState, delivery_id, first_document
from jiit_assets.defs.subscribers.mentions import MENTION_SUFFIX
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.defs.subscribers.targeting import NoticeTargeting, TargetNotice, wants
from jiit_assets.defs.subscribers.timing import (
    MODE_HISTORY,
    MODES_FIELD,
    DigestItem,
    ModeChange,
    digest_day_due,
    mode_at,
    mode_changes,
    wants_digest,
)
from jiit_assets.lib.mongo_writes import bulk_write_chunked
from jiit_assets.lib.vocabulary import aware_utc

Document = dict[str, Any]
DIGEST_PREFIX = "digest:"
POINTER_FIELD = "digest_last"
RETENTION = MODE_HISTORY  # listed notices older than this are in a digest already, or never will be
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
    notices: Sequence[Mapping[str, Any]],
    targeting: NoticeTargeting,
    now: datetime,
) -> int:
    """List the run's notices for digests; ``listed_at`` is written only the first time.

    A notice already listed at its current revision is not written again (a pending notice passes
    through many runs while a recipient retries); an edit updates its title and targeting.
    """
    ids = sorted({str(notice["_id"]) for notice in notices})
    known = {
        str(document["_id"]): int((document.get("target") or {}).get("revision") or 0)
        for document in collection.find({"_id": {"$in": ids}}, {"target": 1})
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
    timeline: ModeTimeline | None = None,
) -> list[LedgerEntry]:
    """Close as ``digested`` the open entries of notices listed while their subscriber was daily-only.

    Decided by the mode at the notice's ``listed_at`` (``timeline``; today's mode without one), so
    an instant entry held by quiet hours or an outage is still sent at once after a switch to daily.
    Call after :meth:`NoticeTargeting.close_unwanted` (a notice a subscriber does not want is in
    no digest of theirs either). Returns the entries closed here, for the caller to record.
    """
    fixed = set(configured)
    timeline = timeline or ModeTimeline({}, {})
    candidates = {
        recipient: profile
        for recipient, profile in recipients.items()
        if recipient not in fixed
        and profile is not None
        and (profile.digest == DigestMode.DAILY or recipient in timeline.changes)
    }
    closed = []
    for notice_id, by_recipient in entries.items():
        if digest_exempt(notice_id, targeting):
            continue
        revision = targeting.notices[notice_id].revision
        for recipient, profile in candidates.items():
            entry = by_recipient.get(recipient)
            done = entry is not None and entry.done
            if done or timeline.mode(recipient, profile, notice_id) != DigestMode.DAILY:
                continue
            if entry is None:
                entry = LedgerEntry(notice_id, revision, channel, recipient)
                by_recipient[recipient] = entry
            entry.state, entry.reason = LedgerState.DIGESTED, COVERED_REASON
            closed.append(entry)
    return closed


@dataclass(frozen=True)
class DigestPointer:
    """The latest digest planned for a subscriber (stored on their document as ``digest_last``).

    ``day`` is the IST day of their latest regular digest (None before the first one); a catch-up
    digest moves ``cutoff`` and names itself in ``notice``, but keeps ``day``, so that day's
    regular digest is not skipped if they return to daily mode.
    """

    day: date | None
    cutoff: datetime
    open: bool
    notice: str | None = None  # the digest's ledger notice id (older pointers: the digest of ``day``)

    @property
    def notice_id(self) -> str:
        if self.notice:
            return self.notice
        if self.day is None:
            raise ValueError("a digest pointer names its digest or its day")
        return digest_notice_id(self.day)

    def to_document(self) -> Document:
        day = self.day.isoformat() if self.day else None
        return {"day": day, "cutoff": self.cutoff, "open": self.open, "notice": self.notice}

    @classmethod
    def from_document(cls, document: Any) -> DigestPointer | None:
        if not isinstance(document, Mapping) or not isinstance(document.get("cutoff"), datetime):
            return None
        notice = document.get("notice") if isinstance(document.get("notice"), str) else None
        try:
            day = date.fromisoformat(str(document["day"])) if document.get("day") else None
        except ValueError:
            return None
        if day is None and notice is None:
            return None
        return cls(day, aware_utc(document["cutoff"]), document.get("open") is True, notice)


@dataclass(frozen=True)
class DigestRecipient:
    """A subscriber as digests see them: ``id`` in the ledger, ``document_id`` of their document."""

    id: str
    document_id: Any
    profile: Profile
    pointer: DigestPointer | None
    changes: tuple[ModeChange, ...] = ()  # their digest mode changes (digest_modes.py)

    @property
    def since(self) -> datetime | None:
        """The previous digest's cutoff: the next digest lists what was listed after it."""
        return self.pointer.cutoff if self.pointer else None


def digest_recipient(document: Mapping[str, Any], recipient_id: str) -> DigestRecipient | None:
    """The subscriber when a digest concerns them: they want one, one is open, or a catch-up is owed."""
    profile = Profile.from_document(document.get("profile"))
    pointer = DigestPointer.from_document(document.get(POINTER_FIELD))
    changes = mode_changes(document.get(MODES_FIELD))
    if (
        not wants_digest(profile)
        and not (pointer and pointer.open)
        and not catch_up_owed(profile, changes, pointer.cutoff if pointer else None)
    ):
        return None
    return DigestRecipient(recipient_id, document["_id"], profile, pointer, changes)


@dataclass(frozen=True)
class DueDigest:
    """The digest to work on now: its ledger notice id, the pointer's day after it, and its kind."""

    notice_id: str
    day: date | None
    open: bool = False
    catch_up: bool = False


def next_digest(recipient: DigestRecipient, now: datetime) -> DueDigest | None:
    """The digest to work on now, or None when nothing is due.

    An open digest comes first: a newer one is planned only once it is sent (or given up), so
    the newer one starts at its cutoff and nothing falls between the two. A catch-up digest is
    due at once for a subscriber who left daily-only mode with notices still owed.
    """
    pointer = recipient.pointer
    if pointer is not None and pointer.open:
        return DueDigest(pointer.notice_id, pointer.day, open=True)
    day = digest_day_due(recipient.profile, now)
    if day is not None and (pointer is None or pointer.day is None or pointer.day < day):
        return DueDigest(digest_notice_id(day), day)
    if catch_up_owed(recipient.profile, recipient.changes, recipient.since):
        return DueDigest(catch_up_notice_id(recipient.since), pointer.day if pointer else None, catch_up=True)
    return None


def digest_items(
    recipient: DigestRecipient, listed: Iterable[ListedNotice], cutoff: datetime, catch_up: bool = False
) -> list[ListedNotice]:
    """The listed notices after the previous cutoff, up to ``cutoff``, that the profile wants.

    Only notices listed while the subscriber was in a digest mode (daily or both; daily only for
    a catch-up: what ``both`` listed was sent at once) are in it: see digest_modes.py.
    """
    since = recipient.since or cutoff - FIRST_LOOK_BACK
    modes = CATCH_UP_MODES if catch_up else REGULAR_MODES
    return [
        item
        for item in listed
        if since < item.listed_at <= cutoff
        and wants(item.target, recipient.profile)
        and mode_at(recipient.changes, recipient.profile.digest, item.listed_at) in modes
    ]


def as_digest_items(items: Iterable[ListedNotice]) -> list[DigestItem]:
    return [DigestItem(item.title, item.url, item.listed_at) for item in items]


@dataclass
class Digest:
    """One subscriber's digest as stored in its ledger entry."""

    recipient: DigestRecipient
    due: DueDigest
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
    due: DueDigest,
    planned: tuple[datetime, list[ListedNotice], Document] | None,
) -> Digest | None:
    """The digest's ledger entry: inserted from ``planned`` (cutoff, items, content), else the stored one.

    A stored entry always wins (a crash after its insert, or an open digest being retried), so a
    digest's content never changes once written. None when an open digest's entry is missing.
    """
    entry = LedgerEntry(due.notice_id, 1, channel, recipient.id, LedgerState.RETRY)
    stored = deliveries.find_one({"_id": entry.id})
    if stored is None and planned is not None:
        cutoff, items, content = planned
        if not items:
            entry.state, entry.reason = LedgerState.EMPTY, "no notices for this digest"
        extra = {
            "since": recipient.since or cutoff - FIRST_LOOK_BACK,
            "cutoff": cutoff,
            "items": [item.notice_id for item in items],
            "content": content,
        }
        try:
            deliveries.insert_one(first_document(entry, extra))
            return Digest(recipient, due, cutoff, entry, content)
        except DuplicateKeyError:
            stored = deliveries.find_one({"_id": entry.id})
    if stored is None:
        return None
    content = dict(stored.get("content") or {})
    return Digest(recipient, due, aware_utc(stored["cutoff"]), LedgerEntry.from_document(stored), content)


def save_pointer(collection: Collection[Document], digest: Digest) -> None:
    """Record on the subscriber's document that this digest is planned (open) or closed."""
    pointer = DigestPointer(digest.due.day, digest.cutoff, not digest.entry.done, digest.due.notice_id)
    if digest.saved != pointer:
        update = {"$set": {POINTER_FIELD: pointer.to_document()}}
        collection.update_one({"_id": digest.recipient.document_id}, update)
        digest.saved = pointer


def close_missing(collection: Collection[Document], recipient: DigestRecipient) -> None:
    """An open pointer whose ledger entry is gone (deleted by hand): closed, so digests go on."""
    if recipient.pointer is not None:
        closed = replace(recipient.pointer, open=False)
        collection.update_one({"_id": recipient.document_id}, {"$set": {POINTER_FIELD: closed.to_document()}})
