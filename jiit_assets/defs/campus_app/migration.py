"""Taking over a running installation of the older system: its database into our collections.

``migrate_legacy`` reads the older database (``Jobs``, ``PlacementOffers``,
``OfficialPlacementData``, ``Users``, ``Notices``) and inserts what we lack, collection by
collection, in chunks. Every write is an insert of a document whose ``_id`` is derived from the
older document, and nothing already present is touched, so the migration is idempotent (a second
run inserts nothing) and resumable (a crashed run is completed by running it again). A dry run
reads and converts everything and writes nothing.

Notices: the older ``sent_to_telegram`` flag is the only record of what was sent, so a notice it
marks sent is imported as delivered on every channel; an unsent one is queued for delivery only
when it appeared within the backlog window, else stored as skipped. A portal notice is also
written to ``raw_superset_notices`` (already queued, with the content hash the portal fetch
computes), before its queue entry, so our next SuperSet run recognises it instead of announcing it.
Plain module: pymongo only, no dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from jiit_assets.defs.campus_app.legacy import (
    SUPERSET,
    LegacyDocumentError,
    job_from_legacy,
    legacy_time,
    notice_content_from_legacy,
    notice_kind,
    offer_from_legacy,
    official_from_legacy,
    published_at,
    raw_notice_from_legacy,
    user_from_legacy,
)
from jiit_assets.defs.email.ingestion import TAKEN_OVER_MARK
from jiit_assets.defs.email.offers import PlacementOffer, merge_offer
from jiit_assets.defs.notices.jobs import JobSummary
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.notices.rules import superset_notice_content
from jiit_assets.defs.superset.notice_store import notice_content_hash
from jiit_assets.defs.superset.portal_notices import parse_raw_notice
from jiit_assets.lib.models import CHANNELS, DeliveryState, NoticeContent, QueuedNotice
from jiit_assets.lib.mongo_writes import READ_BATCH_SIZE, WRITE_BATCH_SIZE, Document, insert_new
from jiit_assets.lib.schema import (
    EMAIL_PLACEMENT_OFFERS,
    ENRICHED_JOBS,
    MAILBOX_STATE,
    NOTICES,
    OFFICIAL_PLACEMENT_STATS,
    RAW_SUPERSET_NOTICES,
    USERS,
)
from jiit_assets.lib.vocabulary import NoticeState

CollectionFor = Callable[[str], Collection[Document]]
DEFAULT_BACKLOG_DAYS = 7
_JOB_FIELDS = {"id": 1, "job_profile": 1, "company": 1, "company_key": 1, "package": 1,
               "annum_months": 1, "deadline": 1, "location": 1, "hiring_flow": 1, "createdAt": 1}  # fmt: skip


@dataclass
class Counts:
    read: int = 0
    new: int = 0  # inserted (or, in a dry run, would be)
    present: int = 0  # already in our collection: left alone
    invalid: int = 0


@dataclass
class MigrationReport:
    dry_run: bool
    collections: dict[str, Counts] = field(default_factory=dict)
    notice_states: dict[str, int] = field(default_factory=dict)  # of the notices inserted
    problems: list[str] = field(default_factory=list)  # "<collection> <id>: <reason>", first 50

    def counts(self, name: str) -> Counts:
        return self.collections.setdefault(name, Counts())

    def invalid(self, name: str, document: Mapping[str, Any], error: Exception) -> None:
        self.counts(name).invalid += 1
        if len(self.problems) < 50:
            self.problems.append(f"{name} {document.get('id', document.get('_id'))!s}: {error}"[:300])

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "collections": {name: asdict(counts) for name, counts in self.collections.items()},
            "notices_by_delivery_state": self.notice_states,
            "problems": self.problems,
        }


class _Writer:
    """Inserts documents whose ``_id`` is missing, in chunks; counts; writes nothing in a dry run."""

    def __init__(self, target: Collection[Document], counts: Counts, dry_run: bool) -> None:
        self.target, self.counts, self.dry_run = target, counts, dry_run

    def missing(self, documents: list[Document]) -> list[Document]:
        ids = [document["_id"] for document in documents]
        stored = {
            d["_id"] for d in self.target.find({"_id": {"$in": ids}}, {"_id": 1}, batch_size=READ_BATCH_SIZE)
        }
        self.counts.present += len(stored)
        return [document for document in documents if document["_id"] not in stored]

    def insert(self, documents: list[Document]) -> list[Document]:
        """Insert the missing ones; returns them (what a dry run would insert)."""
        unique = list({document["_id"]: document for document in documents}.values())
        inserted: list[Document] = []
        for start in range(0, len(unique), WRITE_BATCH_SIZE):
            todo = self.missing(unique[start : start + WRITE_BATCH_SIZE])
            if todo and not self.dry_run:
                # Another writer (our pipeline) stored some meanwhile: theirs stand.
                raced = {document["_id"] for document in insert_new(self.target, todo)}
                self.counts.present += len(raced)
                todo = [document for document in todo if document["_id"] not in raced]
            self.counts.new += len(todo)
            inserted.extend(todo)
        return inserted


def _convert(
    report: MigrationReport, name: str, documents: Iterable[Mapping[str, Any]], convert: Callable[..., Any]
) -> list[Any]:
    converted = []
    for document in documents:
        report.counts(name).read += 1
        try:
            converted.append(convert(document))
        except (LegacyDocumentError, KeyError, TypeError, ValueError) as error:
            report.invalid(name, document, error)
    return converted


def migrate_legacy(
    legacy: Database[Document],
    ours: CollectionFor,
    *,
    dry_run: bool,
    backlog_days: int = DEFAULT_BACKLOG_DAYS,
    now: datetime | None = None,
) -> MigrationReport:
    """Import the older system's database into ours (see the module docstring)."""
    now = now or datetime.now(UTC)
    report = MigrationReport(dry_run=dry_run)
    jobs = _convert(report, "Jobs", legacy["Jobs"].find({}), job_from_legacy)
    _Writer(ours(ENRICHED_JOBS), report.counts("Jobs"), dry_run).insert(jobs)

    offers = _merge_offers(
        _convert(report, "PlacementOffers", legacy["PlacementOffers"].find({}), _dated_offer)
    )
    _Writer(ours(EMAIL_PLACEMENT_OFFERS), report.counts("PlacementOffers"), dry_run).insert(offers)

    snapshots = _convert(
        report, "OfficialPlacementData", legacy["OfficialPlacementData"].find({}), official_from_legacy
    )
    snapshots.sort(key=lambda snapshot: snapshot["scrape_timestamp"])  # the latest time of a hash wins
    _Writer(ours(OFFICIAL_PLACEMENT_STATS), report.counts("OfficialPlacementData"), dry_run).insert(snapshots)

    users = _convert(report, "Users", legacy["Users"].find({}), user_from_legacy)
    _Writer(ours(USERS), report.counts("Users"), dry_run).insert(users)

    _migrate_notices(legacy, ours, report, jobs, now - timedelta(days=backlog_days), now)
    if not dry_run:
        mark_mailbox_taken_over(ours(MAILBOX_STATE), now)
    return report


def mark_mailbox_taken_over(state: Collection[Document], at: datetime) -> None:
    """Our first e-mail run reads unread mail only: the older system flagged what it had handled and
    announced as seen. The first migration's time is kept (re-runs change nothing)."""
    state.update_one({"_id": TAKEN_OVER_MARK}, {"$setOnInsert": {"at": at}}, upsert=True)


def _dated_offer(document: Mapping[str, Any]) -> tuple[PlacementOffer, datetime, datetime | None]:
    saved = legacy_time(document.get("saved_at")) or datetime.now(UTC)
    return offer_from_legacy(document), saved, legacy_time(document.get("updated_at"))


def _merge_offers(offers: list[tuple[PlacementOffer, datetime, datetime | None]]) -> list[Document]:
    """One document per company key (the older system kept "Acme Corp" and "Acme Corp." apart)."""
    merged: dict[str, tuple[PlacementOffer, datetime, datetime]] = {}
    for offer, saved, updated in sorted(offers, key=lambda item: item[1]):
        key = offer.company_key
        if not key:
            continue
        previous = merged.get(key)
        combined, _ = merge_offer(previous[0] if previous else None, offer)
        first = previous[1] if previous else saved
        merged[key] = (combined, first, max(updated or saved, previous[2] if previous else saved))
    return [
        {**offer.to_document(), "first_seen_at": first, "updated_at": updated}
        for offer, first, updated in merged.values()
    ]


def _job_summaries(ours: CollectionFor, legacy_jobs: list[Document]) -> list[JobSummary]:
    """The jobs a portal notice can link to: ours, plus the older ones a dry run has not written."""
    documents = {str(job["_id"]): job for job in legacy_jobs}
    documents.update(
        {
            str(job["_id"]): job
            for job in ours(ENRICHED_JOBS).find({}, _JOB_FIELDS, batch_size=READ_BATCH_SIZE)
        }
    )
    return [JobSummary.from_document(job) for job in documents.values()]


def _raw_document(document: Mapping[str, Any], now: datetime) -> Document:
    """The ``raw_superset_notices`` document our portal fetch would have stored, already queued."""
    raw = raw_notice_from_legacy(document)
    notice = parse_raw_notice(raw)
    return {
        **raw,
        "_id": notice.identifier,
        "published_at": notice.published_at,
        "last_modified_at": notice.last_modified_at,
        "content_hash": notice_content_hash(raw),
        "notice_state": str(NoticeState.QUEUED),
        "queued_at": now,
        "updated_at": now,
        "first_seen_at": legacy_time(document.get("saved_at")) or now,
    }


def _queue_document(
    document: Mapping[str, Any], content: NoticeContent, cutoff: datetime, now: datetime
) -> Document:
    """The ``notices`` queue entry: delivered, pending (unsent and recent) or skipped (unsent, old)."""
    published = content.published_at or published_at(document)
    if document.get("sent_to_telegram") is True:
        state, note = DeliveryState.SENT, "delivered by the older system before the migration"
    elif published is not None and published >= cutoff:
        state, note = DeliveryState.PENDING, None
    else:
        state, note = (
            DeliveryState.SKIPPED,
            "skipped: not sent by the older system, older than the backlog window",
        )
    created = legacy_time(document.get("saved_at")) or published or now
    queued = QueuedNotice(
        content=content,
        rendered=render_notice(content),
        created_at=created,
        updated_at=now,
        delivery={channel: state for channel in CHANNELS},
    )
    queue_document = {
        **queued.to_document(),
        "legacy_id": str(document.get("id")),
        "delivery_note": note,
        "migrated_at": now,
    }
    if state == DeliveryState.SENT:
        queue_document["delivered_at"] = legacy_time(document.get("sent_at")) or created
    return queue_document


def _migrate_notices(
    legacy: Database[Document],
    ours: CollectionFor,
    report: MigrationReport,
    legacy_jobs: list[Document],
    cutoff: datetime,
    now: datetime,
) -> None:
    jobs = _job_summaries(ours, legacy_jobs)
    raws: list[Document] = []
    queue: list[Document] = []
    for document in legacy["Notices"].find({}):
        report.counts("Notices").read += 1
        try:
            kind = notice_kind(document)
            if kind == SUPERSET:
                raw = _raw_document(document, now)
                content = superset_notice_content(raw, jobs)
                raws.append(raw)
            else:
                content = notice_content_from_legacy(document, kind)
            queue.append(_queue_document(document, content, cutoff, now))
        except (LegacyDocumentError, KeyError, TypeError, ValueError) as error:
            report.invalid("Notices", document, error)
    # Portal copies first: should the run stop between the two, the next portal fetch finds the
    # notice known and unchanged, and re-running the migration adds the missing queue entries.
    report.counts("Notices (portal copies)").read = len(raws)
    _Writer(ours(RAW_SUPERSET_NOTICES), report.counts("Notices (portal copies)"), report.dry_run).insert(raws)
    inserted = _Writer(ours(NOTICES), report.counts("Notices"), report.dry_run).insert(queue)
    for entry in inserted:
        state = str(entry["delivery"][CHANNELS[0]])
        report.notice_states[state] = report.notice_states.get(state, 0) + 1
