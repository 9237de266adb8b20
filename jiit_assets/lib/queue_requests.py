"""Queue requests: the source documents the ``notices`` asset still has to (re)queue.

A source asset that stores a new or edited document also writes a request
``{_id: "<collection>:<source id>", collection, source_id, content_hash, document}`` carrying the
fields the ``notices`` asset needs; that asset reads every request (the collection holds only
unfinished work, so the read is O(new), where a ``notice_state`` filter or even per-``_id`` reads
of the source collection scan it on FerretDB v1) and removes each one after the notice is queued. The removal is guarded by the content hash
that was read, so an edit stored meanwhile keeps its request for the next run.

A database that predates the requests is adopted once per source collection: documents still
marked ``notice_state: "pending"`` become requests. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from jiit_assets.lib.mongo_writes import Document, bulk_write_chunked
from jiit_assets.lib.schema import MIGRATIONS, QUEUE_REQUESTS

# How source documents were marked before requests existed (the value of NoticeState.PENDING).
LEGACY_PENDING = "pending"
# `$or` clauses per removal statement: the collection is small, so few statements suffice.
REMOVE_CHUNK = 300


@dataclass(frozen=True)
class QueueRequest:
    """One source document that asked to be (re)queued, with the content hash it had then."""

    collection: str
    source_id: Any
    content_hash: str | None = None
    document: Mapping[str, Any] | None = None  # the source fields the queue needs (None: read them)

    @property
    def request_id(self) -> str:
        return f"{self.collection}:{self.source_id}"

    def to_document(self) -> Document:
        return {
            "_id": self.request_id,
            "collection": self.collection,
            "source_id": self.source_id,
            "content_hash": self.content_hash,
            "document": dict(self.document) if self.document is not None else None,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> QueueRequest:
        source = document.get("document")
        return cls(
            str(document["collection"]),
            document["source_id"],
            document.get("content_hash"),
            source if isinstance(source, Mapping) else None,
        )


def request_queueing(db: Database[Document], requests: Iterable[QueueRequest]) -> int:
    """Ask the ``notices`` asset to (re)queue these documents (upserts by ``_id``: idempotent)."""
    now = datetime.now(UTC)
    operations = [
        UpdateOne(
            {"_id": request.request_id},
            {"$set": {**request.to_document(), "requested_at": now}},
            upsert=True,
        )
        for request in requests
    ]
    if operations:
        bulk_write_chunked(db[QUEUE_REQUESTS], operations)
    return len(operations)


def read_requests(
    db: Database[Document], collection: str, fields: Mapping[str, int] | None = None
) -> list[QueueRequest]:
    """Every open request for ``collection`` (one read of the small requests collection)."""
    adopt_pending_documents(db, collection, fields)
    return [
        QueueRequest.from_document(document)
        for document in db[QUEUE_REQUESTS].find({"collection": collection})
    ]


def complete(db: Database[Document], requests: Iterable[QueueRequest]) -> None:
    """Remove requests that were handled, unless their document changed since (hash guard)."""
    clauses = [{"_id": r.request_id, "content_hash": r.content_hash} for r in requests]
    for start in range(0, len(clauses), REMOVE_CHUNK):
        db[QUEUE_REQUESTS].delete_many({"$or": clauses[start : start + REMOVE_CHUNK]})


def adopt_pending_documents(
    db: Database[Document], collection: str, fields: Mapping[str, int] | None = None
) -> None:
    """Once per collection: documents marked pending before requests existed become requests."""
    marker = f"queue_requests_adopted:{collection}"
    if db[MIGRATIONS].find_one({"_id": marker}, {"_id": 1}) is not None:
        return
    pending = list(db[collection].find({"notice_state": LEGACY_PENDING}, {"content_hash": 1}))
    request_queueing(db, (QueueRequest(collection, doc["_id"], doc.get("content_hash")) for doc in pending))
    # The field is no longer kept up to date for this collection: drop the stale marks.
    if pending:
        db[collection].update_many({"notice_state": LEGACY_PENDING}, {"$unset": {"notice_state": ""}})
    db[MIGRATIONS].update_one({"_id": marker}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True)
