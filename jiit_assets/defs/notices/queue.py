"""The notices queue: read what the sources asked to announce, render it, write it, mark it done.

Sources: portal notices named by queue requests (``lib/queue_requests.py``), e-mail notices and
offer events still marked ``notice_state: "pending"`` (both carry a built ``NoticeContent``).
Each notice is compared with the queue's content hashes (``lib/hash_store.py``, one ``_id`` read),
so an unchanged notice costs nothing and a run's database round trips do not grow with the queue.

Write order, each step idempotent so a crash anywhere re-does only harmless work: outbox entries
for the revisions that become pending (and holds for held ones), then the notices (bulk insert of new ones, guarded
updates of edits), then the queue's hashes, then the sources are marked done. Pure pymongo: no
Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from jiit_assets.defs.notices.hold import HeldNotice, hold
from jiit_assets.defs.notices.jobs import JobSummary
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.notices.rules import superset_company_keys, superset_notice_content
from jiit_assets.defs.superset.job_store import load_job_summaries
from jiit_assets.defs.superset.notice_store import RAW_FIELDS
from jiit_assets.lib.hash_store import SHORT_HASH_CHARS, HashStore
from jiit_assets.lib.models import CHANNELS, DeliveryState, NoticeContent, QueuedNotice
from jiit_assets.lib.mongo_writes import Document, bulk_write_chunked, insert_new
from jiit_assets.lib.outbox import OutboxEntry, enqueue
from jiit_assets.lib.queue_requests import QueueRequest, complete, read_requests
from jiit_assets.lib.ranges import checked_datetime
from jiit_assets.lib.schema import CONTENT_HASHES, NOTICES, RAW_SUPERSET_NOTICES

PENDING = "pending"
QUEUED = "queued"
INVALID = "invalid"
MARK_CHUNK = 300


@dataclass(frozen=True)
class Source:
    """A document that asked to be announced, and how to mark it done."""

    collection: str
    source_id: Any  # the document's _id in its own collection
    content: NoticeContent
    published_at: datetime | None
    edited_at: datetime | None  # when the source last changed it (an edit is news even for an old notice)
    request: QueueRequest | None = None  # the queue request that named it (portal notices)


@dataclass
class Outcome:
    """What one run did with each notice it read."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_backlog: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)  # notice id -> why it is held
    invalid: list[tuple[str, Any, str]] = field(default_factory=list)  # (collection, _id, reason)
    requests_done: list[QueueRequest] = field(default_factory=list)


def queue_hashes(db: Database[Document]) -> HashStore:
    """The queue's ``{notice id: "<short content hash>:<revision>"}`` store."""
    return HashStore(db[CONTENT_HASHES], NOTICES, lambda: _rebuild_queue_hashes(db))


def _rebuild_queue_hashes(db: Database[Document]) -> Iterable[tuple[str, str]]:
    for document in db[NOTICES].find({}, {"content_hash": 1, "revision": 1}):
        content_hash = str(document.get("content_hash") or "")[:SHORT_HASH_CHARS]
        yield str(document["_id"]), f"{content_hash}:{int(document.get('revision') or 1)}"


def load_queue_state(db: Database[Document]) -> dict[str, tuple[str, int]]:
    """``{notice id: (short content hash, revision)}`` of every queued notice, in one read."""
    stored = queue_hashes(db).load()
    state: dict[str, tuple[str, int]] = {}
    for notice_id, value in stored.items():
        content_hash, _, revision = value.rpartition(":")
        state[notice_id] = (content_hash, int(revision or 1))
    return state


def load_superset(db: Database[Document], job_url_base: str, outcome: Outcome) -> list[Source]:
    """Portal notices named by open queue requests: one ``_id`` read each, then their jobs."""
    requests = read_requests(db, RAW_SUPERSET_NOTICES, RAW_FIELDS)
    raw_by_request: list[tuple[QueueRequest, Mapping[str, Any]]] = []
    for request in requests:
        # Requests carry the fields; reading the source (a table scan on FerretDB) is the fallback.
        raw = request.document or db[RAW_SUPERSET_NOTICES].find_one({"_id": request.source_id}, RAW_FIELDS)
        if raw is None:
            outcome.requests_done.append(request)  # the document is gone: nothing to announce
        else:
            raw_by_request.append((request, {**raw, "_id": request.source_id}))
    if not raw_by_request:
        return []
    keys: set[str] = set()
    for _, raw in raw_by_request:
        keys |= superset_company_keys(raw)
    # Linking reads the packed job summaries (one read), not enriched_jobs (a scan on FerretDB).
    summaries = load_job_summaries(db) if keys else {}
    jobs = [
        JobSummary.from_document(summary)
        for summary in summaries.values()
        if summary.get("company_key") in keys
    ]
    sources: list[Source] = []
    for request, raw in raw_by_request:
        try:
            content = superset_notice_content(raw, jobs, job_url_base=job_url_base)
        except ValueError as error:
            outcome.invalid.append((RAW_SUPERSET_NOTICES, raw["_id"], str(error)))
            outcome.requests_done.append(request)
            continue
        edited = raw.get("last_modified_at")
        edited_at = checked_datetime(edited) if isinstance(edited, datetime) else None
        sources.append(
            Source(RAW_SUPERSET_NOTICES, raw["_id"], content, content.published_at, edited_at, request)
        )
    return sources


def load_prebuilt(db: Database[Document], collection: str, outcome: Outcome) -> list[Source]:
    """Pending e-mail notices or offer events (small collections, read by their ``notice_state``)."""
    sources: list[Source] = []
    for document in db[collection].find({"notice_state": PENDING}, {"notice_content": 1}):
        try:
            content = NoticeContent.from_document(document["notice_content"])
        except (KeyError, TypeError, ValueError) as error:
            outcome.invalid.append(
                (collection, document["_id"], f"unreadable notice_content: {error!r}"[:300])
            )
            continue
        sources.append(Source(collection, document["_id"], content, content.published_at, None))
    return sources


@dataclass
class QueueWrites:
    """What the queue receives: new notices inserted in bulk, edits as guarded updates."""

    inserts: list[Document] = field(default_factory=list)
    updates: list[UpdateOne] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)
    held: list[HeldNotice] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    written: list[QueuedNotice] = field(default_factory=list)


def plan_writes(
    sources: Iterable[Source],
    existing: Mapping[str, tuple[str, int]],
    now: datetime,
    backlog_days: int,
    outcome: Outcome,
    flood_limit: int | None = None,
) -> QueueWrites:
    """The queue writes for these sources: new, edited, backlog-skipped or held notices.

    Held (not pending): a notice with no publish or edit date (its age is unknown, so the backlog
    rule cannot clear it), and every notice of a run that would make more than ``flood_limit``
    notices pending at once (a changed portal field could otherwise re-send everything).
    """
    cutoff = now - timedelta(days=backlog_days)
    planned: list[tuple[Source, tuple[str, int] | None, str]] = []
    for source in sources:
        previous = existing.get(source.content.notice_id)
        content_hash = source.content.content_hash()
        if previous is not None and previous[0] == content_hash[:SHORT_HASH_CHARS]:
            outcome.unchanged.append(source.content.notice_id)
            continue
        fresh_at = source.published_at if previous is None else (source.edited_at or source.published_at)
        if fresh_at is None:
            state = "held:it has no publish or edit date, so its age (backlog rule) is unknown"
        elif fresh_at < cutoff:
            state = "skipped"
        else:
            state = "pending"
        planned.append((source, previous, state))
    becoming_pending = sum(1 for _, _, state in planned if state == "pending")
    flood = flood_limit is not None and becoming_pending > flood_limit
    writes = QueueWrites()
    for source, previous, state in planned:
        if flood and state == "pending":
            state = (
                f"held:flood guard: {becoming_pending} notices would be sent in one run (limit {flood_limit})"
            )
        _plan_one(writes, source, previous, state, now, backlog_days, outcome)
    return writes


def _plan_one(
    writes: QueueWrites,
    source: Source,
    previous: tuple[str, int] | None,
    state: str,
    now: datetime,
    backlog_days: int,
    outcome: Outcome,
) -> None:
    content = source.content
    notice_id = content.notice_id
    revision = previous[1] + 1 if previous is not None else 1
    delivery_state = DeliveryState(state.split(":", 1)[0])
    queued = QueuedNotice(
        content=content,
        rendered=render_notice(content, revision=revision),
        revision=revision,
        created_at=now,
        updated_at=now,
        delivery={channel: delivery_state for channel in CHANNELS},
    )
    document = queued.to_document()
    document["delivery_note"] = None
    if delivery_state == DeliveryState.SKIPPED:
        document["delivery_note"] = (
            f"skipped: published more than {backlog_days} days before it was queued (backlog)"
        )
        outcome.skipped_backlog.append(notice_id)
    elif delivery_state == DeliveryState.HELD:
        reason = state.split(":", 1)[1]
        document["delivery_note"] = f"held: {reason}"
        outcome.held[notice_id] = reason
        writes.held.append(HeldNotice(notice_id, revision, reason, now))
    else:
        writes.outbox.append(OutboxEntry(notice_id, revision, now))
    if previous is None:
        writes.inserts.append(document)
        outcome.new.append(notice_id)
    else:
        # An edit: same _id, created_at kept, delivery pending again. Filtered on the revision we
        # read so two concurrent runs cannot both bump it.
        del document["_id"]
        document.pop("created_at")
        writes.updates.append(UpdateOne({"_id": notice_id, "revision": previous[1]}, {"$set": document}))
        outcome.updated.append(notice_id)
    writes.hashes[notice_id] = f"{document['content_hash'][:SHORT_HASH_CHARS]}:{revision}"
    writes.written.append(queued)


def write_queue(db: Database[Document], writes: QueueWrites) -> None:
    """Outbox and holds first, then the notices, then their hashes (see the module docstring)."""
    enqueue(db, writes.outbox)
    hold(db, writes.held)
    queue = db[NOTICES]
    # A notice another run queued meanwhile keeps that run's copy (what $setOnInsert would do).
    insert_new(queue, writes.inserts)
    if writes.updates:
        bulk_write_chunked(queue, writes.updates)
    queue_hashes(db).save(writes.hashes)


def mark_done(db: Database[Document], sources: Iterable[Source], outcome: Outcome, now: datetime) -> None:
    """The sources are in the queue: close their requests, mark e-mail sources, record invalid ones."""
    requests = [*outcome.requests_done]
    plain: dict[str, list[Any]] = {}
    for source in sources:
        if source.request is not None:
            requests.append(source.request)
        else:
            plain.setdefault(source.collection, []).append(source.source_id)
    complete(db, requests)
    for collection, ids in plain.items():
        for start in range(0, len(ids), MARK_CHUNK):
            db[collection].update_many(
                {"_id": {"$in": ids[start : start + MARK_CHUNK]}, "notice_state": PENDING},
                {"$set": {"notice_state": QUEUED, "queued_at": now}},
            )
    # Invalid documents are rare: one statement each, by `_id`.
    for collection, _id, reason in outcome.invalid:
        db[collection].update_one(
            {"_id": _id}, {"$set": {"notice_state": INVALID, "notice_error": reason, "queued_at": now}}
        )
