"""The delivery outbox: one small document per notice revision that still awaits delivery.

FerretDB (the embedded database most installations run) pushes only ``_id`` lookups down to
SQLite; any other filter reads the whole collection. So "what is still to send" is not a query
over ``notices`` but the whole content of ``outbox``, which holds only pending work: reading it
costs O(pending), whatever the number of stored notices.

Protocol (crash-safe in every order of failure):

* the ``notices`` asset writes the outbox entry ``{_id: notice id, revision, created_at}`` BEFORE
  the notice revision itself, so a pending notice never exists without its entry;
* delivery reads the entries, then each notice by ``_id``; an entry whose notice is not yet
  written (or still holds an older revision) is left for the writer to complete;
* settling marks the notice first and removes the entry after (``settle``); an entry whose notice
  is already settled or superseded is removed on the next read (``stale``).

A database that predates the outbox is adopted once (``adopt_pending``): its pending notices get
entries, so nothing queued before the upgrade is left undelivered. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database

from jiit_assets.lib.mongo_writes import Document, bulk_write_chunked
from jiit_assets.lib.schema import MIGRATIONS, NOTICES, OUTBOX

ADOPTED_MARKER = "outbox_adopted_pending_notices"


@dataclass(frozen=True)
class OutboxEntry:
    """A notice revision that awaits delivery."""

    notice_id: str
    revision: int
    created_at: datetime

    def to_document(self) -> Document:
        return {"_id": self.notice_id, "revision": self.revision, "created_at": self.created_at}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> OutboxEntry:
        created = document.get("created_at")
        if not isinstance(created, datetime):
            created = datetime.fromtimestamp(0, tz=UTC)
        return cls(str(document["_id"]), int(document.get("revision") or 1), created)


def enqueue(db: Database[Document], entries: Iterable[OutboxEntry]) -> int:
    """Record that these notice revisions await delivery (idempotent; a newer revision replaces)."""
    operations = [
        UpdateOne({"_id": entry.notice_id}, {"$set": entry.to_document()}, upsert=True) for entry in entries
    ]
    if operations:
        bulk_write_chunked(db[OUTBOX], operations)
    return len(operations)


def read_pending(db: Database[Document]) -> list[OutboxEntry]:
    """Every notice revision awaiting delivery, oldest first; one read of the outbox only."""
    adopt_pending(db)
    entries = [OutboxEntry.from_document(document) for document in db[OUTBOX].find({})]
    return sorted(entries, key=lambda entry: (entry.created_at, entry.notice_id))


def settle(db: Database[Document], notice_id: str, revision: int) -> None:
    """The revision was delivered (or given up): remove its entry, unless a newer one replaced it."""
    db[OUTBOX].delete_one({"_id": notice_id, "revision": revision})


def pending_notices(
    db: Database[Document], entries: Sequence[OutboxEntry], projection: Mapping[str, int]
) -> list[Document]:
    """The notices of ``entries`` (one ``_id`` read each), in entry order; stale entries are removed.

    An entry is stale when its notice already holds a newer revision, or holds this revision with
    nothing pending (delivery settled it, then stopped before removing the entry).
    """
    notices = db[NOTICES]
    wanted = {**projection, "revision": 1, "pending": 1}
    found: list[Document] = []
    for entry in entries:
        notice = notices.find_one({"_id": entry.notice_id}, wanted)
        if notice is None:
            continue  # the notices asset writes the entry first; its notice follows
        revision = int(notice.get("revision") or 1)
        if revision > entry.revision or (revision == entry.revision and not notice.get("pending")):
            settle(db, entry.notice_id, entry.revision)
        elif revision == entry.revision:
            found.append(notice)
    return found


def adopt_pending(db: Database[Document]) -> None:
    """Once per database: give every notice already pending an outbox entry (upgrade migration).

    One full read of ``notices`` the first time, then a single ``_id`` lookup of the marker.
    Idempotent and safe to run twice at once: entries are upserts by ``_id``.
    """
    markers = db[MIGRATIONS]
    if markers.find_one({"_id": ADOPTED_MARKER}, {"_id": 1}) is not None:
        return
    pending = db[NOTICES].find({"pending": True}, {"revision": 1, "created_at": 1})
    enqueue(db, (OutboxEntry.from_document(document) for document in pending))
    markers.update_one({"_id": ADOPTED_MARKER}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True)


def outbox_size(outbox: Collection[Document]) -> int:
    """How many notice revisions await delivery (reads only the outbox)."""
    return outbox.count_documents({})
