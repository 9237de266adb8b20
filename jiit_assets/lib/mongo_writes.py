"""Batched MongoDB writes keyed by ``_id``, and the document shapes they take (no Dagster).

Plain domain modules (the stores, the queue, the outbox) write through these, so they live apart
from the Dagster resource and IO manager in ``mongo.py``. Every helper keeps a batch under the
sizes FerretDB v1 answers, and treats a duplicate ``_id`` another writer inserted first as what an
upsert would have done rather than as a failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import bson
from bson.codec_options import CodecOptions
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

WRITE_BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 50
# Reads of whole id sets (the steady-state "what do we have already?" queries) come back in one
# round trip: the default batches (101 documents, then a server default) made them O(n) getMores.
READ_BATCH_SIZE = 10_000
DUPLICATE_KEY = 11000
_MISSING = object()
_COMPARE_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)

Document = dict[str, Any]


@runtime_checkable
class MongoDocumentModel(Protocol):
    """A typed document (dataclass or pydantic model) that knows its stored shape."""

    def to_document(self) -> Document: ...


@dataclass(frozen=True)
class UpsertCounts:
    """What a batch of upserts did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )

    def as_metadata(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def as_document(item: Mapping[str, Any] | MongoDocumentModel) -> Document:
    document = item.to_document() if isinstance(item, MongoDocumentModel) else dict(item)
    if "_id" not in document:
        raise ValueError(f"document without a natural _id: keys {sorted(document)[:8]}")
    return document


def _chunks(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _as_stored(value: Any) -> Any:
    """The value as it reads back from MongoDB (ms datetimes, tuples as lists), for comparisons."""
    return bson.decode(bson.encode({"v": value}), codec_options=_COMPARE_OPTIONS)["v"]


def _set_fields(document: Document, insert_only: frozenset[str]) -> Document:
    """The fields an update of an existing document sets: all but ``_id`` and the insert-only ones."""
    return {key: value for key, value in document.items() if key != "_id" and key not in insert_only}


def insert_new(collection: Collection[Document], documents: Sequence[Document]) -> list[Document]:
    """Insert documents known to be new (unordered); return those another writer inserted first.

    A duplicate ``_id`` means someone stored that document between our read and our insert: the
    caller decides whether theirs stands or becomes an update, as an upsert would. Any other write
    error, or a write concern error, is a real failure and raises.
    """
    if not documents:
        return []
    try:
        collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as error:
        write_errors = error.details.get("writeErrors", [])
        if error.details.get("writeConcernErrors") or any(
            write_error.get("code") != DUPLICATE_KEY for write_error in write_errors
        ):
            raise
        return [documents[write_error["index"]] for write_error in write_errors]
    return []


def upsert_documents(
    collection: Collection[Document],
    documents: Iterable[Mapping[str, Any] | MongoDocumentModel],
    insert_only_fields: Iterable[str] = (),
) -> UpsertCounts:
    """Upsert documents by ``_id``: insert new ones, ``$set`` changed fields, leave the rest alone.

    Existing documents are read back once per batch and compared here, so an unchanged re-run
    writes nothing at all. That matters on FerretDB, where each update costs a table scan, and it
    keeps write load O(changes) on any server. Fields a document does not carry are never removed.
    """
    insert_only = frozenset(insert_only_fields)
    batch: list[Document] = []
    seen: set[Any] = set()
    for item in documents:
        document = as_document(item)
        if document["_id"] in seen:
            raise ValueError(f"duplicate _id {document['_id']!r} in one batch for {collection.name}")
        seen.add(document["_id"])
        batch.append(document)
    counts = UpsertCounts()
    for chunk in _chunks(batch, WRITE_BATCH_SIZE):
        counts = counts + _upsert_chunk(collection, chunk, insert_only)
    return counts


def _upsert_chunk(
    collection: Collection[Document], chunk: Sequence[Document], insert_only: frozenset[str]
) -> UpsertCounts:
    ids = [doc["_id"] for doc in chunk]
    stored = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": ids}}, batch_size=READ_BATCH_SIZE)}
    to_insert: list[Document] = []
    updates: dict[Any, Document] = {}
    unchanged = 0
    for document in chunk:
        current = stored.get(document["_id"])
        if current is None:
            to_insert.append(document)
            continue
        changed = {
            key: value
            for key, value in _set_fields(document, insert_only).items()
            if current.get(key, _MISSING) != _as_stored(value)
        }
        if changed:
            updates[document["_id"]] = changed
        else:
            unchanged += 1
    raced = insert_new(collection, to_insert)
    for document in raced:
        updates[document["_id"]] = _set_fields(document, insert_only)
    if updates:
        bulk_write_chunked(
            collection,
            [UpdateOne({"_id": doc_id}, {"$set": fields}) for doc_id, fields in updates.items() if fields],
        )
    return UpsertCounts(inserted=len(to_insert) - len(raced), updated=len(updates), unchanged=unchanged)


def bulk_write_chunked(collection: Collection[Document], operations: Sequence[Any]) -> None:
    """``bulk_write`` in chunks of ``UPDATE_BATCH_SIZE`` unordered statements.

    FerretDB v1 stops answering an ``update`` command of 100 or more statements (measured: 99
    return in a quarter second, 100 never), so no caller may send that many at once.
    """
    for start in range(0, len(operations), UPDATE_BATCH_SIZE):
        collection.bulk_write(list(operations[start : start + UPDATE_BATCH_SIZE]), ordered=False)


def write_known(
    collection: Collection[Document],
    inserts: Sequence[Document],
    updates: Sequence[Document],
    insert_only_fields: Iterable[str] = (),
) -> None:
    """Write documents already known to be new (bulk insert) or changed (``$set`` by ``_id``).

    For callers that compared against a compact store of content hashes instead of reading the
    documents back (each of these statements is an ``_id`` lookup, even on FerretDB). A document
    another writer inserted meanwhile becomes an update, as an upsert would.
    """
    insert_only = frozenset(insert_only_fields)
    raced = insert_new(collection, inserts)
    operations = [
        UpdateOne({"_id": document["_id"]}, {"$set": _set_fields(document, insert_only)})
        for document in [*updates, *raced]
    ]
    bulk_write_chunked(collection, operations)
