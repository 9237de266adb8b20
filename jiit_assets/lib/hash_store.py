"""Compact content hashes per source: what an hourly run compares a fetch against.

An hourly run needs to know, for each fetched notice or job, whether it is new, changed or the
same as stored. Reading the stored documents for that costs, on FerretDB, a scan of the whole
collection (``$in`` is not pushed down; only a single ``_id`` is). Instead each source keeps one
document in ``content_hashes``, ``{_id: <source>, hashes: {<id>: <short hash>}}``, read by ``_id``
in one round trip whatever the number of stored items (about 60 bytes per item: 10,000 notices
are ~0.6 MB, far below the 16 MB document limit).

The hashes are a cache of the stored collection, written after it: a crash in between leaves the
collection ahead of the hashes, so the next run sees those items as changed and re-writes the
same content (idempotent). When a source's document is missing (first run after an upgrade, or
deleted by hand) it is rebuilt from the collection once. No Dagster here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.collection import Collection

Document = dict[str, Any]
# 64 bits of SHA-256: a change detector, so a collision costs at most one missed edit in 2^64.
SHORT_HASH_CHARS = 16


def short_hash(payload: Any) -> str:
    """A short, stable hash of any JSON-able value (keys sorted, dates as text)."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:SHORT_HASH_CHARS]


def _key(item_id: str) -> str:
    """An item id as a field name MongoDB accepts (no ``.``, no leading ``$``), reversibly."""
    return item_id.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def _item_id(key: str) -> str:
    return key.replace("%24", "$").replace("%2E", ".").replace("%25", "%")


class HashStore:
    """The stored hashes of one source, loaded in one read and updated in one write."""

    def __init__(self, collection: Collection[Document], source: str) -> None:
        self._collection = collection
        self._source = source

    def load(self, rebuild: Callable[[], Iterable[tuple[str, str]]]) -> dict[str, str]:
        """``{item id: hash}``; ``rebuild`` (a read of the stored collection) runs only if none is kept."""
        document = self._collection.find_one({"_id": self._source})
        if document is not None:
            return {_item_id(key): value for key, value in (document.get("hashes") or {}).items()}
        hashes = dict(rebuild())
        self._collection.update_one(
            {"_id": self._source},
            {"$set": {"hashes": {_key(k): v for k, v in hashes.items()}, "rebuilt_at": datetime.now(UTC)}},
            upsert=True,
        )
        return hashes

    def save(self, changes: Mapping[str, str]) -> None:
        """Record new and changed hashes (one update statement, by ``_id``)."""
        if not changes:
            return
        fields: Document = {f"hashes.{_key(item_id)}": value for item_id, value in changes.items()}
        fields["updated_at"] = datetime.now(UTC)
        self._collection.update_one({"_id": self._source}, {"$set": fields}, upsert=True)
