"""The ``notices`` asset: the one queue that notification reads.

Every source marks what it wants announced with ``notice_state: "pending"``: new or edited portal
notices in ``raw_superset_notices``, e-mail notices in ``email_notices`` and placement-offer events
in ``email_offer_events`` (the last two already carry a built ``NoticeContent``). This asset drains
them in one pass: portal notices are classified and linked to their job by deterministic rules,
every notice is rendered for Telegram and Web Push, and the result is upserted into ``notices``
with a delivery state per channel; only then are the sources marked ``queued``. A crash between
the two writes just re-processes the same notices next run, which changes nothing.

Idempotency: the ``_id`` is ``<source>:<source id>``; a notice whose content hash is unchanged is
left alone; an edited one keeps its ``_id`` and ``created_at``, gets ``revision + 1``, an "updated"
marker and pending delivery again. On a first run, notices published more than ``backlog_days``
ago are stored as ``skipped`` so students are not flooded with history.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from jiit_assets.defs.notices.render import PUSH_MAX_BYTES, TELEGRAM_MAX_UNITS, render_notice, telegram_length
from jiit_assets.defs.notices.rules import (
    DEFAULT_JOB_URL_BASE,
    JobSummary,
    superset_company_keys,
    superset_notice_content,
)
from jiit_assets.lib.models import CHANNELS, DeliveryState, NoticeContent, QueuedNotice
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    ENRICHED_JOBS,
    NOTICES,
    RAW_SUPERSET_NOTICES,
)
from jiit_assets.lib.vocabulary import OWNERS

PENDING = "pending"
QUEUED = "queued"
INVALID = "invalid"
PREVIEW_ROWS = 10
# Documents (or `$or` clauses) per marking statement: few statements, each a modest filter.
MARK_CHUNK = 300
DUPLICATE_KEY = 11000

_RAW_FIELDS = {
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
_JOB_FIELDS = {
    "id": 1,
    "job_profile": 1,
    "company": 1,
    "company_key": 1,
    "package": 1,
    "annum_months": 1,
    "deadline": 1,
    "location": 1,
    "hiring_flow": 1,
    "createdAt": 1,
}
_EXISTING_FIELDS = {"content_hash": 1, "revision": 1}


class NoticesConfig(dg.Config):
    backlog_days: int = 7
    """Notices published longer ago than this are stored without being sent (first run, long outages)."""
    job_url_base: str = DEFAULT_JOB_URL_BASE
    """Prefix of the job page linked from a notice; the job id is appended."""


@dataclass(frozen=True)
class _Source:
    """A document that asked to be announced, and how to mark it done."""

    collection: str
    source_id: Any  # the document's _id in its own collection
    content: NoticeContent
    published_at: datetime | None
    edited_at: datetime | None  # when the source last changed it (an edit is news even for an old notice)
    marker: dict[str, Any]  # extra filter fields so an edit made meanwhile is not marked queued


@dataclass
class _Outcome:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_backlog: list[str] = field(default_factory=list)
    invalid: list[tuple[str, Any, str]] = field(default_factory=list)  # (collection, _id, reason)


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _load_superset(mongo: MongoResource, job_url_base: str, outcome: _Outcome) -> list[_Source]:
    raw_notices = list(mongo.collection(RAW_SUPERSET_NOTICES).find({"notice_state": PENDING}, _RAW_FIELDS))
    if not raw_notices:
        return []
    keys: set[str] = set()
    for raw in raw_notices:
        keys |= superset_company_keys(raw)
    jobs = (
        [
            JobSummary.from_document(document)
            for document in mongo.collection(ENRICHED_JOBS).find(
                {"company_key": {"$in": sorted(keys)}}, _JOB_FIELDS
            )
        ]
        if keys
        else []
    )
    sources: list[_Source] = []
    for raw in raw_notices:
        try:
            content = superset_notice_content(raw, jobs, job_url_base=job_url_base)
        except ValueError as error:
            outcome.invalid.append((RAW_SUPERSET_NOTICES, raw["_id"], str(error)))
            continue
        edited = _aware(raw.get("last_modified_at"))
        marker = {"content_hash": raw["content_hash"]} if "content_hash" in raw else {}
        sources.append(
            _Source(RAW_SUPERSET_NOTICES, raw["_id"], content, content.published_at, edited, marker)
        )
    return sources


def _load_prebuilt(mongo: MongoResource, collection: str, outcome: _Outcome) -> list[_Source]:
    sources: list[_Source] = []
    for document in mongo.collection(collection).find({"notice_state": PENDING}, {"notice_content": 1}):
        try:
            content = NoticeContent.from_document(document["notice_content"])
        except (KeyError, TypeError, ValueError) as error:
            outcome.invalid.append(
                (collection, document["_id"], f"unreadable notice_content: {error!r}"[:300])
            )
            continue
        sources.append(_Source(collection, document["_id"], content, content.published_at, None, {}))
    return sources


@dataclass
class _QueueWrites:
    """What the queue receives: new notices inserted in bulk, edits as guarded updates."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[UpdateOne] = field(default_factory=list)


def _queue_operations(
    sources: Iterable[_Source],
    existing: Mapping[str, Mapping[str, Any]],
    now: datetime,
    backlog_days: int,
    outcome: _Outcome,
) -> tuple[_QueueWrites, list[QueuedNotice]]:
    writes = _QueueWrites()
    written: list[QueuedNotice] = []
    cutoff = now - timedelta(days=backlog_days)
    for source in sources:
        content = source.content
        notice_id = content.notice_id
        previous = existing.get(notice_id)
        content_hash = content.content_hash()
        if previous is not None and previous.get("content_hash") == content_hash:
            outcome.unchanged.append(notice_id)
            continue
        revision = int(previous.get("revision") or 1) + 1 if previous is not None else 1
        # A new notice is measured by when it was published, an edit by when it was edited.
        fresh_at = source.published_at if previous is None else (source.edited_at or source.published_at)
        old = fresh_at is not None and fresh_at < cutoff
        state = DeliveryState.SKIPPED if old else DeliveryState.PENDING
        queued = QueuedNotice(
            content=content,
            rendered=render_notice(content, revision=revision),
            revision=revision,
            created_at=now,
            updated_at=now,
            delivery={channel: state for channel in CHANNELS},
        )
        document = queued.to_document()
        document["delivery_note"] = (
            f"skipped: published more than {backlog_days} days before it was queued (backlog)"
            if old
            else None
        )
        if previous is None:
            # Known to be new from the read above, so it is inserted (one bulk statement for all).
            writes.inserts.append(document)
            outcome.new.append(notice_id)
        else:
            # An edit: same _id, created_at kept, delivery pending again. Filtered on the hash we
            # read so two concurrent runs cannot both bump the revision.
            del document["_id"]
            document.pop("created_at")
            writes.updates.append(
                UpdateOne(
                    {"_id": notice_id, "content_hash": previous.get("content_hash")}, {"$set": document}
                )
            )
            outcome.updated.append(notice_id)
        if old:
            outcome.skipped_backlog.append(notice_id)
        written.append(queued)
    return writes, written


def _write_queue(queue: Collection[dict[str, Any]], writes: _QueueWrites) -> None:
    if writes.inserts:
        try:
            queue.insert_many(writes.inserts, ordered=False)
        except BulkWriteError as error:
            # Another run queued some of them since our read: its copy stands (what an upsert with
            # $setOnInsert would do). Anything but a duplicate key is a real failure.
            if any(problem.get("code") != DUPLICATE_KEY for problem in error.details.get("writeErrors", [])):
                raise
            if error.details.get("writeConcernErrors"):
                raise
    if writes.updates:
        queue.bulk_write(writes.updates, ordered=False)


def _mark_filters(sources: Iterable[_Source]) -> list[dict[str, Any]]:
    """Few filters that together match exactly the still-pending, unedited source documents.

    Each update statement costs FerretDB v1 a read of the collection, so the sources are marked with
    one ``update_many`` per chunk of ``MARK_CHUNK`` documents rather than one statement each; the
    per-document guard (``_id`` plus the ``content_hash`` that was read) stays inside ``$or`` so an
    edit made during the run leaves that document pending for the next run.
    """
    plain: list[Any] = []
    guarded: list[dict[str, Any]] = []
    for source in sources:
        if source.marker:
            guarded.append({"_id": source.source_id, **source.marker})
        else:
            plain.append(source.source_id)
    clauses = [
        *guarded,
        *({"_id": {"$in": plain[i : i + MARK_CHUNK]}} for i in range(0, len(plain), MARK_CHUNK)),
    ]
    return [
        {"notice_state": PENDING, "$or": clauses[i : i + MARK_CHUNK]}
        for i in range(0, len(clauses), MARK_CHUNK)
    ]


def _mark_queued(mongo: MongoResource, sources: Iterable[_Source], outcome: _Outcome, now: datetime) -> None:
    by_collection: dict[str, list[_Source]] = {}
    for source in sources:
        by_collection.setdefault(source.collection, []).append(source)
    for collection, collection_sources in by_collection.items():
        target = mongo.collection(collection)
        for query in _mark_filters(collection_sources):
            target.update_many(query, {"$set": {"notice_state": QUEUED, "queued_at": now}})
    # Invalid documents are rare; one statement per distinct reason and collection.
    invalid: dict[tuple[str, str], list[Any]] = {}
    for collection, _id, reason in outcome.invalid:
        invalid.setdefault((collection, reason), []).append(_id)
    for (collection, reason), ids in invalid.items():
        mongo.collection(collection).update_many(
            {"_id": {"$in": ids}, "notice_state": PENDING},
            {"$set": {"notice_state": INVALID, "notice_error": reason, "queued_at": now}},
        )


def _preview(queued: list[QueuedNotice]) -> str:
    rows = ["| notice | type | title | company | revision | delivery |", "|---|---|---|---|---|---|"]
    newest = sorted(
        queued,
        key=lambda notice: notice.content.published_at or notice.created_at,
        reverse=True,
    )[:PREVIEW_ROWS]
    for notice in newest:
        content = notice.content
        cells = [
            content.notice_id,
            str(content.type),
            content.title[:80],
            content.company or "",
            str(notice.revision),
            ", ".join(f"{channel}: {state}" for channel, state in notice.delivery.items()),
        ]
        rows.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    if len(rows) == 2:
        return "Nothing new to queue."
    return "\n".join(rows)


@dg.asset(
    name=NOTICES,
    group_name="notices",
    kinds={"mongodb"},
    owners=OWNERS,
    # The hourly update refreshes the queue; two missed hours mean students are no longer told.
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2)),
    deps=[
        dg.AssetKey(RAW_SUPERSET_NOTICES),
        dg.AssetKey(ENRICHED_JOBS),
        dg.AssetKey(EMAIL_NOTICES),
        dg.AssetKey(EMAIL_PLACEMENT_OFFERS),
    ],
    description=(
        "The one delivery queue: new or edited SuperSet notices, e-mail notices and offer events, "
        "rendered for Telegram and Web Push with a delivery state per channel."
    ),
)
def notices(
    context: dg.AssetExecutionContext, config: NoticesConfig, mongo: MongoResource
) -> dg.MaterializeResult:
    now = datetime.now(UTC)
    outcome = _Outcome()
    sources = [
        *_load_superset(mongo, config.job_url_base, outcome),
        *_load_prebuilt(mongo, EMAIL_NOTICES, outcome),
        *_load_prebuilt(mongo, EMAIL_OFFER_EVENTS, outcome),
    ]
    # Two sources can name the same notice (never by design, but a malformed id must not crash
    # the bulk write): the last one read wins.
    unique = list({source.content.notice_id: source for source in sources}.values())
    queue = mongo.collection(NOTICES)
    existing = (
        {
            document["_id"]: document
            for document in queue.find(
                {"_id": {"$in": [s.content.notice_id for s in unique]}}, _EXISTING_FIELDS
            )
        }
        if unique
        else {}
    )
    writes, written = _queue_operations(unique, existing, now, config.backlog_days, outcome)
    _write_queue(queue, writes)
    # Only after the queue holds them: a crash before this line re-processes, idempotently.
    _mark_queued(mongo, sources, outcome, now)
    for collection, _id, reason in outcome.invalid:
        context.log.warning(f"{collection} {_id!r} not queued: {reason}")

    by_type = Counter(str(source.content.type) for source in unique)
    by_source = Counter(source.content.source for source in unique)
    return dg.MaterializeResult(
        metadata={
            "queued_new": len(outcome.new),
            "updated": len(outcome.updated),
            "unchanged": len(outcome.unchanged),
            "skipped_backlog": len(outcome.skipped_backlog),
            "invalid": len(outcome.invalid),
            "by_type": dg.MetadataValue.json(dict(sorted(by_type.items()))),
            "by_source": dg.MetadataValue.json(dict(sorted(by_source.items()))),
            "pending_in_queue": queue.count_documents({"pending": True}),
            "preview": dg.MetadataValue.md(_preview(written)),
        }
    )


@dg.asset_check(
    asset=notices,
    description=(
        "Every notice waiting for delivery can be delivered: at least one Telegram chunk, each at most "
        "4096 UTF-16 units as Telegram counts them, and a push payload within the single-record budget."
    ),
    blocking=False,
)
def pending_notices_are_deliverable(mongo: MongoResource) -> dg.AssetCheckResult:
    projection = {"telegram_html": 1, "push": 1}
    problems: dict[str, str] = {}
    checked = 0
    for document in mongo.collection(NOTICES).find({"pending": True}, projection):
        checked += 1
        chunks = document.get("telegram_html") or []
        if not chunks:
            problems[document["_id"]] = "no Telegram message"
        elif any(telegram_length(chunk) > TELEGRAM_MAX_UNITS for chunk in chunks):
            problems[document["_id"]] = "a Telegram chunk is over 4096 units"
        elif (
            not isinstance(document.get("push"), dict)
            or len(json.dumps(document["push"]).encode()) > PUSH_MAX_BYTES
        ):
            problems[document["_id"]] = "push payload missing or too large"
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "pending_checked": checked,
            "undeliverable": len(problems),
            "examples": dg.MetadataValue.json(dict(list(problems.items())[:10])),
        },
    )
