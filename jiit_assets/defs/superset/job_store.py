"""Storing listed portal jobs: details fetched only for jobs not enriched yet, known jobs refreshed.

Each listed job is compared with ``enriched_jobs``' entry in ``content_hashes``: the hash of its
listing fields and whether it holds details (``<hash>:1``) or not (``<hash>:0``). One ``_id`` read
answers, for every job, "new?", "enriched?" and "listing changed?", so a run with nothing new
reads nothing else and writes nothing. New jobs are inserted in bulk and changed ones updated by
``_id``; the linking fields of every job are kept packed beside the hashes for the notices
asset; the hashes are written last (a crash before leaves them behind: the next run re-writes
the same fields). A job whose detail call fails is stored from its listing and retried next run;
one enriched before keeps its details and records the failure. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.database import Database

from jiit_assets.defs.superset.accounts import SupersetError
from jiit_assets.defs.superset.client import JobListings, SupersetClient
from jiit_assets.defs.superset.portal_jobs import (
    LISTING_FIELDS,
    MalformedPayload,
    StructuredJob,
    job_id_of,
    listing_document,
    structure_job,
)
from jiit_assets.lib.hash_store import HashStore, PackedMap, short_hash
from jiit_assets.lib.mongo_writes import Document, write_known
from jiit_assets.lib.schema import CONTENT_HASHES, ENRICHED_JOBS

# The fields of a job the notices asset links and describes notices with (``JobSummary``); kept
# for every job in one packed document, so linking reads no job collection (a scan on FerretDB).
SUMMARY_FIELDS = (
    "id",
    "job_profile",
    "company",
    "company_key",
    "package",
    "annum_months",
    "deadline",
    "location",
    "hiring_flow",
    "createdAt",
)
SUMMARIES = "job_summaries"


@dataclass
class StoredJobs:
    """What one run did with the listed jobs."""

    listed: int = 0
    new_ids: list[str] = field(default_factory=list)
    enriched: list[StructuredJob] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "<job id>: <error>"
    refreshed: int = 0
    without_details: int = 0  # stored jobs (after this run) that still lack their details

    @property
    def unchanged(self) -> int:
        return self.listed - len(self.enriched) - len(self.failed) - self.refreshed


@dataclass
class _Writes:
    inserts: list[Document] = field(default_factory=list)
    updates: list[Document] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)

    def summaries(self) -> dict[str, Document]:
        """The summary fields each written document sets (merged into the stored summaries)."""
        return {
            str(doc["_id"]): {key: doc[key] for key in SUMMARY_FIELDS if key in doc}
            for doc in [*self.inserts, *self.updates]
        }


def listing_hash(fields: Mapping[str, Any]) -> str:
    """The hash of a job's listing fields, the same from a listing or from its stored document."""
    return short_hash(
        {key: fields.get(key, [] if key == "data_problems" else None) for key in LISTING_FIELDS}
    )


def job_hashes(db: Database[Document]) -> HashStore:
    return HashStore(db[CONTENT_HASHES], ENRICHED_JOBS, lambda: _rebuild(db))


def job_summaries(db: Database[Document]) -> PackedMap[Document]:
    return PackedMap(db[CONTENT_HASHES], SUMMARIES, lambda: _rebuild_summaries(db))


def _rebuild_summaries(db: Database[Document]) -> Iterable[tuple[str, Document]]:
    for document in db[ENRICHED_JOBS].find({}, dict.fromkeys(SUMMARY_FIELDS, 1)):
        yield str(document["_id"]), {key: document.get(key) for key in SUMMARY_FIELDS}


def load_job_summaries(db: Database[Document]) -> dict[str, Document]:
    """``{job id: summary fields}`` of every stored job, in one read."""
    return job_summaries(db).load()


def _rebuild(db: Database[Document]) -> Iterable[tuple[str, str]]:
    projection = {key: 1 for key in (*LISTING_FIELDS, "enriched")}
    for document in db[ENRICHED_JOBS].find({}, projection):
        yield str(document["_id"]), f"{listing_hash(document)}:{1 if document.get('enriched') else 0}"


def store_jobs(
    db: Database[Document],
    client: SupersetClient,
    listings: JobListings,
    now: datetime,
    reenrich_all: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> StoredJobs:
    """Enrich new jobs, refresh known ones from their listing, and write what changed."""
    by_id = {job_id: listing for listing in listings.listings if (job_id := job_id_of(listing))}
    hashes = job_hashes(db)
    stored = hashes.load()
    result = StoredJobs(listed=len(by_id), new_ids=[job_id for job_id in by_id if job_id not in stored])
    writes = _Writes()
    for job_id, listing in by_id.items():
        known = stored.get(job_id)
        fields = listing_document(listing)
        if known is not None and known.endswith(":1") and not reenrich_all:
            if known != f"{listing_hash(fields)}:1":
                result.refreshed += 1
                writes.updates.append({"_id": job_id, **fields, "updated_at": now})
                writes.hashes[job_id] = f"{listing_hash(fields)}:1"
            continue
        _enrich(client, job_id, listing, listings.visible_to.get(job_id, []), known, now, result, writes, log)
    write_known(db[ENRICHED_JOBS], writes.inserts, writes.updates, insert_only_fields=("first_seen_at",))
    changed = writes.summaries()
    if changed:
        summaries = job_summaries(db)
        stored_summaries = summaries.load()
        summaries.save({key: {**stored_summaries.get(key, {}), **value} for key, value in changed.items()})
    hashes.save(writes.hashes)
    final = {**stored, **writes.hashes}
    result.without_details = sum(1 for value in final.values() if value.endswith(":0"))
    return result


def _enrich(
    client: SupersetClient,
    job_id: str,
    listing: Mapping[str, Any],
    accounts: list[int],
    known: str | None,
    now: datetime,
    result: StoredJobs,
    writes: _Writes,
    log: Callable[[str], None],
) -> None:
    """Fetch a job's details and documents; on failure store it from its listing (retried next run)."""
    fields = listing_document(listing)
    try:
        details, urls = client.fetch_job_enrichment(job_id, accounts)
        job = structure_job(listing, details, urls)
    except (SupersetError, MalformedPayload) as error:
        result.failed.append(f"{job_id}: {error}")
        log(f"SuperSet job {job_id} stored without details: {error}")
        if known is not None and known.endswith(":1"):
            # Keep the details fetched earlier; record that this refresh failed.
            writes.updates.append(
                {"_id": job_id, **fields, "enrichment_error": str(error), "updated_at": now}
            )
            writes.hashes[job_id] = f"{listing_hash(fields)}:1"
            return
        job = structure_job(listing, enrichment_error=str(error))
    else:
        result.enriched.append(job)
    document = {**job.to_document(), "updated_at": now, "first_seen_at": now}
    (writes.inserts if known is None else writes.updates).append(document)
    writes.hashes[job_id] = f"{listing_hash(fields)}:{1 if job.enriched else 0}"
