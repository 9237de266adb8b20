"""Storing fetched portal notices: only new and edited ones are written, and each is queued once.

Each fetched notice is compared with the content hashes of ``raw_superset_notices``
(``lib/hash_store.py``: one ``_id`` read, whatever the number of stored notices). New notices are
inserted in one bulk statement and edited ones updated by ``_id``; each of them gets a queue
request for the ``notices`` asset. Write order: documents, then requests, then hashes, so a
crash anywhere leaves the hashes behind and the next run re-writes the same content (idempotent).

Every value from the portal is made storable first (``lib/ranges.bson_safe``): an integer beyond
64 bits or a non-finite float is kept as text, and the reason is stored in ``data_problems``
together with dates that were out of range. No Dagster here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.database import Database

from jiit_assets.defs.superset.portal_jobs import MalformedPayload
from jiit_assets.defs.superset.portal_notices import RawNotice, parse_raw_notice
from jiit_assets.lib.hash_store import SHORT_HASH_CHARS, HashStore
from jiit_assets.lib.mongo_writes import Document, write_known
from jiit_assets.lib.queue_requests import QueueRequest, request_queueing
from jiit_assets.lib.ranges import bson_safe
from jiit_assets.lib.schema import CONTENT_HASHES, RAW_SUPERSET_NOTICES

# The portal fields a reader sees: a change in any of them means the notice was edited.
NOTICE_HASHED_FIELDS = ("title", "content", "lastModifiedOn")
# The fields of a stored notice the notices asset reads; a queue request carries them.
RAW_FIELDS = {
    "identifier": 1,
    "title": 1,
    "content": 1,
    "lastModifiedByUserName": 1,
    "lastModifiedOn": 1,
    "publishedAt": 1,
    "published_at": 1,
    "last_modified_at": 1,
    "content_hash": 1,
}


def notice_content_hash(raw: Mapping[str, Any]) -> str:
    payload = json.dumps({key: raw.get(key) for key in NOTICE_HASHED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def mongo_safe(raw: Mapping[str, Any], problems: list[str] | None = None) -> dict[str, Any]:
    """Portal fields as returned, storable: no operator or dotted keys, numbers that fit BSON."""
    kept = {
        str(key): value for key, value in raw.items() if not str(key).startswith("$") and "." not in str(key)
    }
    safe: dict[str, Any] = bson_safe(kept, problems=problems)
    return safe


def raw_notice_document(raw: Mapping[str, Any], notice: RawNotice, now: datetime) -> Document:
    """The ``raw_superset_notices`` document of a fetched notice."""
    problems: list[str] = list(notice.problems)
    return {
        **mongo_safe(raw, problems),
        "_id": notice.identifier,
        "identifier": notice.identifier,
        "published_at": notice.published_at,
        "last_modified_at": notice.last_modified_at,
        "content_hash": notice_content_hash(raw),
        "data_problems": problems,
        "updated_at": now,
        "first_seen_at": now,
    }


@dataclass
class StoredNotices:
    """What one run did with the fetched notices."""

    parsed: list[RawNotice] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    skipped: list[str] = field(default_factory=list)  # malformed entries, with the reason
    data_problems: list[str] = field(default_factory=list)  # "<id>: <field problem>"

    @property
    def unchanged(self) -> int:
        return len(self.parsed) - self.new - self.changed


def notice_hashes(db: Database[Document]) -> HashStore:
    return HashStore(db[CONTENT_HASHES], RAW_SUPERSET_NOTICES, lambda: _rebuild(db))


def _rebuild(db: Database[Document]) -> Iterable[tuple[str, str]]:
    for document in db[RAW_SUPERSET_NOTICES].find({}, {"content_hash": 1}):
        yield str(document["_id"]), str(document.get("content_hash") or "")[:SHORT_HASH_CHARS]


def store_notices(db: Database[Document], items: Sequence[Any], now: datetime) -> StoredNotices:
    """Parse fetched notices and write the new and edited ones (see the module docstring)."""
    result = StoredNotices()
    parsed: dict[str, tuple[Mapping[str, Any], RawNotice]] = {}
    for raw in items:
        try:
            notice = parse_raw_notice(raw)
        except MalformedPayload as error:
            result.skipped.append(str(error))
            continue
        parsed[notice.identifier] = (raw, notice)
    result.parsed = [notice for _, notice in parsed.values()]
    hashes = notice_hashes(db)
    stored = hashes.load()
    inserts: list[Document] = []
    updates: list[Document] = []
    for identifier, (raw, notice) in parsed.items():
        document = raw_notice_document(raw, notice, now)
        previous = stored.get(identifier)
        if previous == document["content_hash"][:SHORT_HASH_CHARS]:
            continue
        (inserts if previous is None else updates).append(document)
        result.data_problems += [f"{identifier}: {problem}" for problem in document["data_problems"]]
    result.new, result.changed = len(inserts), len(updates)
    written = [*inserts, *updates]
    write_known(db[RAW_SUPERSET_NOTICES], inserts, updates, insert_only_fields=("first_seen_at",))
    request_queueing(
        db,
        (
            QueueRequest(
                RAW_SUPERSET_NOTICES,
                doc["_id"],
                doc["content_hash"],
                {key: doc[key] for key in RAW_FIELDS if key in doc},
            )
            for doc in written
        ),
    )
    hashes.save({doc["_id"]: doc["content_hash"][:SHORT_HASH_CHARS] for doc in written})
    return result
