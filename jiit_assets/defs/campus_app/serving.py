"""Keeping the web app's collections in step with ours: build, key, write only what changed.

Each serving collection is rebuilt from its canonical collection on every run, but written
incrementally: documents are matched on the web app's natural key (``id`` for jobs and notices,
``company`` for offers, ``content_hash`` for official snapshots), and only new documents and
changed fields are written; nothing is ever deleted. A document already stored under that key
keeps its ``_id`` (so the older system's own database, whose documents carry ObjectIds, can be the
target); a new one gets the key itself as ``_id``, so a second writer racing us collides on
``_id`` instead of creating a duplicate. Each key also has a unique index
(``jiit_assets.lib.schema``). Plain module: pymongo only, no dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.campus_app.shapes import (
    KEY_FIELDS,
    job_document,
    notice_document,
    offer_document,
    official_document,
)
from jiit_assets.lib.mongo_writes import (
    READ_BATCH_SIZE,
    WRITE_BATCH_SIZE,
    Document,
    UpsertCounts,
    upsert_documents,
)
from jiit_assets.lib.schema import CAMPUS_JOBS as JOBS
from jiit_assets.lib.schema import CAMPUS_NOTICES as NOTICES
from jiit_assets.lib.schema import CAMPUS_OFFICIAL_PLACEMENT_DATA as OFFICIAL_PLACEMENT_DATA
from jiit_assets.lib.schema import CAMPUS_PLACEMENT_OFFERS as PLACEMENT_OFFERS
from jiit_assets.lib.schema import (
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    ENRICHED_JOBS,
    OFFICIAL_PLACEMENT_STATS,
)
from jiit_assets.lib.schema import NOTICES as QUEUE

CollectionFor = Callable[[str], Collection[Document]]
# The queue's rendered channel messages are large and the web app needs none of them.
_QUEUE_PROJECTION = {"telegram_html": 0, "push": 0}


@dataclass(frozen=True)
class SyncResult:
    counts: UpsertCounts
    invalid: tuple[str, ...] = ()  # "<source _id>: <reason>" for documents that could not be shaped


def sync_by_key(target: Collection[Document], key_field: str, documents: Iterable[Document]) -> UpsertCounts:
    """Upsert ``documents`` into ``target`` matched on ``key_field``; see the module docstring."""
    batch = list({str(document[key_field]): document for document in documents}.values())
    counts = UpsertCounts()
    for start in range(0, len(batch), WRITE_BATCH_SIZE):
        chunk = batch[start : start + WRITE_BATCH_SIZE]
        keys = [document[key_field] for document in chunk]
        stored = {
            document[key_field]: document["_id"]
            for document in target.find(
                {key_field: {"$in": keys}}, {key_field: 1}, batch_size=READ_BATCH_SIZE
            )
        }
        keyed = [
            {**document, "_id": stored.get(document[key_field], document[key_field])} for document in chunk
        ]
        counts = counts + upsert_documents(target, keyed)
    return counts


def _shape_all(
    sources: Iterable[Mapping[str, Any]], shape: Callable[[Mapping[str, Any]], Document]
) -> tuple[list[Document], list[str]]:
    documents: list[Document] = []
    invalid: list[str] = []
    for source in sources:
        try:
            documents.append(shape(source))
        except (KeyError, TypeError, ValueError) as error:
            invalid.append(f"{source.get('_id')!r}: {error!r}"[:300])
    return documents, invalid


def sync_jobs(canonical: CollectionFor, serving: CollectionFor) -> SyncResult:
    documents, invalid = _shape_all(
        canonical(ENRICHED_JOBS).find({}, batch_size=READ_BATCH_SIZE), job_document
    )
    return SyncResult(sync_by_key(serving(JOBS), KEY_FIELDS[JOBS], documents), tuple(invalid))


def sync_notices(canonical: CollectionFor, serving: CollectionFor) -> SyncResult:
    queue = list(canonical(QUEUE).find({}, _QUEUE_PROJECTION, batch_size=READ_BATCH_SIZE))
    job_ids = sorted({str(n["job_id"]) for n in queue if n.get("job_id")})
    jobs = (
        {str(job["_id"]): job for job in canonical(ENRICHED_JOBS).find({"_id": {"$in": job_ids}})}
        if job_ids
        else {}
    )
    event_ids = [n.get("source_id") for n in queue if n.get("source") == "placement_offer"]
    events = (
        {
            str(event["_id"]): event
            for event in canonical(EMAIL_OFFER_EVENTS).find({"_id": {"$in": event_ids}})
        }
        if event_ids
        else {}
    )

    def shape(notice: Mapping[str, Any]) -> Document:
        job = jobs.get(str(notice.get("job_id"))) if notice.get("job_id") else None
        return notice_document(notice, job, events.get(str(notice.get("source_id"))))

    documents, invalid = _shape_all(queue, shape)
    return SyncResult(sync_by_key(serving(NOTICES), KEY_FIELDS[NOTICES], documents), tuple(invalid))


def sync_offers(canonical: CollectionFor, serving: CollectionFor) -> SyncResult:
    documents, invalid = _shape_all(canonical(EMAIL_PLACEMENT_OFFERS).find({}), offer_document)
    return SyncResult(
        sync_by_key(serving(PLACEMENT_OFFERS), KEY_FIELDS[PLACEMENT_OFFERS], documents), tuple(invalid)
    )


def sync_official(canonical: CollectionFor, serving: CollectionFor) -> SyncResult:
    documents, invalid = _shape_all(canonical(OFFICIAL_PLACEMENT_STATS).find({}), official_document)
    key = KEY_FIELDS[OFFICIAL_PLACEMENT_DATA]
    return SyncResult(sync_by_key(serving(OFFICIAL_PLACEMENT_DATA), key, documents), tuple(invalid))
