"""Compact content hashes per source: what an hourly run compares a fetch against.

An hourly run needs to know, for each fetched notice or job, whether it is new, changed or the
same as stored. Reading the stored documents for that costs, on FerretDB v1 (SQLite), a scan of
the whole collection: ``$in`` is filtered in Go after reading every document, and even a single
``_id`` is a SQL scan of the table. Instead each source keeps one small document in
``content_hashes``: ``{_id: <source>, packed: zlib(JSON {<id>: <short hash>})}``, read in one
round trip from a collection of a handful of documents. The map is packed into one binary value
rather than stored as 10,000 fields because FerretDB v1 handles a document's fields in O(fields²)
(a 20,000-field document took seconds to read); packed, 100,000 items are about 3 MB, far below
the 16 MB document limit.

The hashes are a cache of the stored collection, written after it: a crash in between leaves the
collection ahead of the hashes, so the next run sees those items as changed and re-writes the
same content (idempotent). When a source's document is missing (first run after an upgrade, or
deleted by hand) it is rebuilt from the collection once. No Dagster here.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pymongo.collection import Collection

Document = dict[str, Any]
V = TypeVar("V")
# 64 bits of SHA-256: a change detector, so a collision costs at most one missed edit in 2^64.
SHORT_HASH_CHARS = 16


def short_hash(payload: Any) -> str:
    """A short, stable hash of any JSON-able value (keys sorted, dates as text)."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:SHORT_HASH_CHARS]


def _pack(hashes: Mapping[str, Any]) -> bytes:
    return zlib.compress(json.dumps(hashes, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 6)


def _unpack(packed: bytes) -> dict[str, Any]:
    data = json.loads(zlib.decompress(packed).decode("utf-8"))
    return {str(key): value for key, value in data.items()} if isinstance(data, dict) else {}


class PackedMap(Generic[V]):
    """A map of one source (``{item id: JSON value}``), loaded in one read and rewritten in one write."""

    def __init__(
        self, collection: Collection[Document], source: str, rebuild: Callable[[], Iterable[tuple[str, V]]]
    ) -> None:
        self._collection = collection
        self._source = source
        self._rebuild = rebuild  # a read of the stored collection, run only when no map is kept
        self._hashes: dict[str, V] | None = None

    def load(self) -> dict[str, V]:
        """``{item id: value}`` as kept (built from the stored collection the first time)."""
        document = self._collection.find_one({"_id": self._source})
        packed = document.get("packed") if document is not None else None
        if isinstance(packed, bytes):
            self._hashes = _unpack(packed)
            return dict(self._hashes)
        self._hashes = dict(self._rebuild())
        self._write(rebuilt=True)
        return dict(self._hashes)

    def save(self, changes: Mapping[str, V]) -> None:
        """Record new and changed values: the whole map in one write by ``_id``.

        Two overlapping runs may each write their own view; the one that loses only makes the next
        run see its items as changed and re-write the same content, which is idempotent.
        """
        if not changes:
            return
        if self._hashes is None:
            self.load()
        assert self._hashes is not None
        self._hashes.update(changes)
        self._write(rebuilt=False)

    def _write(self, rebuilt: bool) -> None:
        assert self._hashes is not None
        stamp = "rebuilt_at" if rebuilt else "updated_at"
        self._collection.update_one(
            {"_id": self._source},
            {"$set": {"packed": _pack(self._hashes), "items": len(self._hashes), stamp: datetime.now(UTC)}},
            upsert=True,
        )


class HashStore(PackedMap[str]):
    """The content hashes of one source's stored items."""
