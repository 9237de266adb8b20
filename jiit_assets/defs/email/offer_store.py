"""Placement offers merged per company: one atomic write per change, safe under crashes and overlap.

A company's offer changes by appending a revision: a document in ``email_offer_revisions`` with
``_id = "<company key>#<n>"`` holding the merged offer and the offer events that change produced.
Inserting it is the one write that commits the change. The unique ``_id`` makes it atomic on
MongoDB and FerretDB alike; a compare-and-set on a version field would not be, because FerretDB
runs a conditional update as a read followed by a write. When two runs merge into the same company
at once, one insert wins and the other re-reads and merges again on top of it: no offer data is
lost and each change yields exactly one event id.

The offer document and the events are copies derived from the revision ("rolled forward"), each
written idempotently (events insert-only, so a queued event is never reset to pending). Every read
first rolls forward revisions not yet copied, so a crash between the writes is completed by the
next run that touches the company (the mail is not in the ledger yet, so that run reads it again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from jiit_assets.defs.email.email_notices import offer_notice_content
from jiit_assets.defs.email.offers import OfferEvent, PlacementOffer, merge_offer
from jiit_assets.lib.mongo import upsert_documents
from jiit_assets.lib.vocabulary import NoticeState

Document = dict[str, Any]

# Every field of an event document: copied once, never overwritten (the queue owns notice_state).
EVENT_FIELDS = (
    "type",
    "company",
    "company_key",
    "new_students",
    "total_students",
    "changes",
    "time_sent",
    "notice_state",
    "notice_content",
    "created_at",
)
# Runs racing on one company retry the merge this often before giving up (each loss means another
# run committed a change, so the bound is only reached by a pathological overlap).
MAX_MERGE_ATTEMPTS = 20


class RevisionConflict(Exception):
    """Another run committed the revision this merge was built on top of; merge again."""


@dataclass(frozen=True)
class OfferMail:
    """One extracted offer and what the event needs from its mail."""

    offer: PlacementOffer
    author: str | None
    sent_at: datetime | None


@dataclass
class StoredOffers:
    new: int = 0
    updated: int = 0
    companies: set[str] = field(default_factory=set)


def event_document(event: OfferEvent, author: str | None, now: datetime) -> Document:
    content = offer_notice_content(event, author=author)
    return {
        "_id": event.id,
        "type": event.type,
        "company": event.company,
        "company_key": event.company_key,
        "new_students": len(event.new_students),
        "total_students": event.total_students,
        "changes": list(event.changes),
        "time_sent": event.time_sent,
        "notice_state": NoticeState.PENDING.value,
        "notice_content": content.to_document(),
        "created_at": now,
    }


def revision_id(company_key: str, revision: int) -> str:
    return f"{company_key}#{revision}"


class OfferStore:
    """Reads and commits company offers."""

    def __init__(
        self,
        offers: Collection[Document],
        events: Collection[Document],
        revisions: Collection[Document],
    ) -> None:
        self.offers = offers
        self.events = events
        self.revisions = revisions
        self.touched: set[str] = set()  # company keys this store merged into

    def store(self, mails: Iterable[OfferMail]) -> StoredOffers:
        """Merge every offer into its company (oldest mail first), one revision per company."""
        by_company: dict[str, list[OfferMail]] = {}
        oldest = datetime.min.replace(tzinfo=UTC)
        for mail in sorted(mails, key=lambda item: item.sent_at or oldest):
            by_company.setdefault(mail.offer.company_key, []).append(mail)
        result = StoredOffers()
        for key in sorted(by_company):
            company, events = self.merge_company(key, by_company[key])
            result.companies.add(company)
            result.new += sum(1 for event in events if event["type"] == "new_offer")
            result.updated += sum(1 for event in events if event["type"] != "new_offer")
        return result

    @retry(
        retry=retry_if_exception_type(RevisionConflict),
        stop=stop_after_attempt(MAX_MERGE_ATTEMPTS),
        reraise=True,
    )
    def merge_company(self, key: str, mails: list[OfferMail]) -> tuple[str, list[Document]]:
        """Merge ``mails`` into the company's latest revision and commit; returns the new events."""
        self.touched.add(key)
        stored, revision = self.load(key)
        current = PlacementOffer.from_document(stored) if stored else None
        now = datetime.now(UTC)
        events: list[Document] = []
        merged = current
        for mail in mails:
            merged, event = merge_offer(merged, mail.offer)
            if event is not None and all(known["_id"] != event.id for known in events):
                events.append(event_document(event, mail.author, now))
        assert merged is not None  # at least one mail was merged
        if current is not None and merged.to_document() == current.to_document():
            return merged.company, []
        first_seen = (stored or {}).get("first_seen_at") or now
        document = {**merged.to_document(), "first_seen_at": first_seen, "updated_at": now}
        self.commit(key, revision + 1, document, events)
        return merged.company, events

    def settle(self) -> None:
        """Roll forward every company this store touched, once its own writes are done.

        FerretDB runs the guarded copy in ``roll_forward`` as a read then a write, so a run copying
        an old revision can, in a narrow window, overwrite a newer copy made by an overlapping run.
        The revisions stay right; reading them again after all of a run's writes repairs the copy,
        so whichever overlapping run finishes last leaves every offer document current.
        """
        for key in sorted(self.touched):
            self.load(key)

    def load(self, key: str) -> tuple[Document | None, int]:
        """The company's offer document and revision, after rolling forward uncopied revisions."""
        stored = self.offers.find_one({"_id": key})
        revision = int((stored or {}).get("revision") or 0)
        while (pending := self.revisions.find_one({"_id": revision_id(key, revision + 1)})) is not None:
            self.roll_forward(pending)
            revision += 1
            stored = {**pending["offer"], "revision": revision}
        return stored, revision

    def commit(self, key: str, revision: int, document: Document, events: list[Document]) -> None:
        entry = {
            "_id": revision_id(key, revision),
            "company_key": key,
            "revision": revision,
            "offer": document,
            "events": events,
            "created_at": document["updated_at"],
        }
        try:
            self.revisions.insert_one(entry)
        except DuplicateKeyError:
            raise RevisionConflict(revision_id(key, revision)) from None
        self.roll_forward(entry)

    def roll_forward(self, entry: Document) -> None:
        """Copy a committed revision to the events and the offer document (both idempotent)."""
        if entry["events"]:
            upsert_documents(self.events, entry["events"], EVENT_FIELDS)
        revision = int(entry["revision"])
        document = {**entry["offer"], "revision": revision}
        # Never move a document back: a slow run copying an old revision must not undo a newer one.
        older = {"$or": [{"revision": {"$lt": revision}}, {"revision": {"$exists": False}}]}
        # A duplicate key means the document already holds this revision or a newer one.
        with contextlib.suppress(DuplicateKeyError):
            self.offers.replace_one({"_id": document["_id"], **older}, document, upsert=True)
