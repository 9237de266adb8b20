"""E-mail assets: placement offers and notices from the placement office's IMAP mailbox.

One run reads the mailbox once and writes both collections, so ``email_placement_offers`` and
``email_notices`` are one multi-asset. The story of a run:

1. find unseen messages by UID (or, for a backfill, every message of a date range, seen or not);
2. fetch them in batches with ``BODY.PEEK[]`` so reading never marks them read;
3. per batch: skip message keys the ``processed_emails`` ledger already settled, decode the rest,
   decide offer / notice / skipped / failed, merge offers per company key (each merge that changes
   something yields an event with a deterministic id), then store offers, events, notices and
   finally the ledger entries;
4. only then flag the batch ``\\Seen``.

A crash or dropped connection at any point loses nothing: unflagged messages are fetched again and
the ledger (keyed by Message-ID hash) plus deterministic ids make re-processing a no-op. Messages
that fail to decode are recorded as failed, left unseen and retried on the next runs; after
``MAX_ATTEMPTS`` they are flagged so they stop costing every run (a backfill retries them again).
"""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import dagster as dg
from pydantic import Field

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.email_notices import offer_notice_content
from jiit_assets.defs.email.message import DecodedEmail, EmailDecodeError, decode_email
from jiit_assets.defs.email.offers import OfferEvent, PlacementOffer, merge_offer
from jiit_assets.defs.email.privacy import clean_subject
from jiit_assets.defs.email.resources import ImapError, ImapResource, MailboxSession
from jiit_assets.lib.models import NoticeContent
from jiit_assets.lib.mongo import MongoResource, upsert_documents
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    PROCESSED_EMAILS,
)
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import OWNERS

MAX_ATTEMPTS = 3
PENDING = "pending"
PREVIEW_ROWS = 15

Outcome = Literal["offer", "notice", "skipped", "failed"]


class EmailConfig(dg.Config):
    """Leave empty for the hourly run (unseen mail). Set dates to backfill a past range."""

    since: str | None = Field(
        default=None, description="Backfill from this day (YYYY-MM-DD, Asia/Kolkata), seen or unseen mail."
    )
    until: str | None = Field(
        default=None, description="Last day of the backfill (inclusive); defaults to `since`."
    )
    reprocess: bool = Field(
        default=False,
        description="Re-extract messages the ledger already settled (after a rule change). Idempotent.",
    )


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date

    def contains(self, moment: datetime | None) -> bool:
        if moment is None:
            return True
        return self.first_day <= moment.astimezone(IST).date() <= self.last_day


def window_from_config(config: EmailConfig) -> Window | None:
    if not config.since and not config.until:
        return None
    if not config.since:
        raise dg.Failure(
            "`until` needs `since`: give the first day of the backfill too.", allow_retries=False
        )
    try:
        first = date.fromisoformat(config.since)
        last = date.fromisoformat(config.until) if config.until else first
    except ValueError:
        raise dg.Failure("`since` and `until` must be dates like 2025-08-21.", allow_retries=False) from None
    if last < first:
        raise dg.Failure(f"`until` ({last}) is before `since` ({first}).", allow_retries=False)
    return Window(first, last)


@dataclass
class LedgerEntry:
    message_key: str
    outcome: Outcome
    reason: str
    uid: str
    subject: str
    attempts: int = 1
    company: str | None = None

    def to_document(self, folder: str, now: datetime) -> dict[str, Any]:
        return {
            "_id": self.message_key,
            "outcome": self.outcome,
            "reason": self.reason,
            "uid": self.uid,
            "folder": folder,
            "subject": self.subject[:200],
            "company": self.company,
            "attempts": self.attempts,
            "processed_at": now,
        }


@dataclass
class IngestReport:
    fetched: int = 0
    already_processed: int = 0
    outside_window: int = 0
    offers_new: int = 0
    offers_updated: int = 0
    companies: set[str] = field(default_factory=set)
    notices: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (subject, reason)
    failed: list[tuple[str, str]] = field(default_factory=list)
    flagged: int = 0
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, outcome, reason) preview

    def record(self, entry: LedgerEntry) -> None:
        if entry.outcome == "skipped":
            self.skipped.append((entry.subject, entry.reason))
        elif entry.outcome == "failed":
            self.failed.append((entry.subject, entry.reason))
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append((entry.subject, entry.outcome, entry.reason))


def _notice_document(content: NoticeContent, mail: DecodedEmail) -> dict[str, Any]:
    return {
        "_id": mail.message_key,
        "type": str(content.type),
        "title": content.title,
        "text": content.text,
        "time_sent": mail.sent_at,
        "author": content.author,
        "notice_state": PENDING,
        "notice_content": content.to_document(),
        "first_seen_at": datetime.now(UTC),
    }


def _event_document(event: OfferEvent, author: str | None) -> dict[str, Any]:
    content = offer_notice_content(event, author=author)
    return {
        "_id": event.id,
        "type": event.type,
        "company": event.company,
        "company_key": event.company_key,
        "new_students": len(event.new_students),
        "total_students": event.total_students,
        "changes": list(event.changes),
        "time_sent": event.time_sent,
        "notice_state": PENDING,
        "notice_content": content.to_document(),
        "created_at": datetime.now(UTC),
    }


_EVENT_FIELDS = (
    "type",
    "company",
    "company_key",
    "new_students",
    "total_students",
    "changes",
    "time_sent",
    "notice_state",
    "notice_content",
    "created_at",
)


def _process_batch(
    batch: Iterable[tuple[str, bytes]],
    mongo: MongoResource,
    folder: str,
    report: IngestReport,
    window: Window | None,
    reprocess: bool,
) -> list[str]:
    """Store the results of one fetched batch; returns the UIDs that may now be flagged \\Seen."""
    decoded: list[tuple[str, DecodedEmail | EmailDecodeError]] = []
    for uid, raw in batch:
        try:
            decoded.append((uid, decode_email(raw)))
        except EmailDecodeError as error:
            decoded.append((uid, error))
    keys = [item.message_key for _, item in decoded]
    ledger = mongo.collection(PROCESSED_EMAILS)
    settled = {doc["_id"]: doc for doc in ledger.find({"_id": {"$in": keys}}, {"outcome": 1, "attempts": 1})}
    to_flag: list[str] = []
    entries: dict[str, LedgerEntry] = {}
    offers: list[tuple[PlacementOffer, DecodedEmail]] = []
    notices: list[dict[str, Any]] = []
    for uid, item in decoded:
        key = item.message_key
        previous = settled.get(key)
        if key in entries:  # the same message delivered twice in one batch
            if entries[key].outcome != "failed":
                to_flag.append(uid)
            continue
        if previous and previous.get("outcome") != "failed" and not reprocess:
            report.already_processed += 1
            to_flag.append(uid)
            continue
        if isinstance(item, EmailDecodeError):
            attempts = int((previous or {}).get("attempts") or 0) + 1
            entries[key] = LedgerEntry(key, "failed", item.reason, uid, "(undecodable)", attempts=attempts)
            if attempts >= MAX_ATTEMPTS:
                to_flag.append(uid)
            continue
        # The mail's own Date, not a forwarded original's: a backfill covers what arrived those days.
        if window is not None and not window.contains(item.header_date or item.sent_at):
            report.outside_window += 1
            continue
        subject = clean_subject(item.subject)
        try:
            classified = classify_email(item)
        except Exception as error:  # a rule bug must not stop the batch; retried next run
            attempts = int((previous or {}).get("attempts") or 0) + 1
            entries[key] = LedgerEntry(
                key, "failed", f"extraction error: {type(error).__name__}", uid, subject, attempts=attempts
            )
            if attempts >= MAX_ATTEMPTS:
                to_flag.append(uid)
            continue
        offer, content = classified.offer, classified.notice
        entries[key] = LedgerEntry(
            key, classified.outcome, classified.reason, uid, subject, company=offer.company if offer else None
        )
        if offer is not None:
            offers.append((offer, item))
        elif content is not None:
            notices.append(_notice_document(content, item))
            report.notices[str(content.type)] += 1
        to_flag.append(uid)

    if offers:
        _store_offers(offers, mongo, report)
    if notices:
        upsert_documents(mongo.collection(EMAIL_NOTICES), notices, ("notice_state", "first_seen_at"))
    now = datetime.now(UTC)
    if entries:
        upsert_documents(ledger, [entry.to_document(folder, now) for entry in entries.values()])
    for entry in entries.values():
        report.record(entry)
    return to_flag


def _store_offers(
    offers: list[tuple[PlacementOffer, DecodedEmail]], mongo: MongoResource, report: IngestReport
) -> None:
    collection = mongo.collection(EMAIL_PLACEMENT_OFFERS)
    keys = sorted({offer.company_key for offer, _ in offers})
    stored = {
        doc["_id"]: PlacementOffer.from_document(doc) for doc in collection.find({"_id": {"$in": keys}})
    }
    current: dict[str, PlacementOffer | None] = {key: stored.get(key) for key in keys}
    events: list[dict[str, Any]] = []
    changed: set[str] = set()
    for offer, mail in sorted(offers, key=lambda pair: pair[1].sent_at or datetime.min.replace(tzinfo=UTC)):
        key = offer.company_key
        before = current[key]
        merged, event = merge_offer(before, offer)
        if before is None or merged.to_document() != before.to_document():
            changed.add(key)
        current[key] = merged
        if event is not None:
            events.append(_event_document(event, mail.sender_name or None))
            if event.type == "new_offer":
                report.offers_new += 1
            else:
                report.offers_updated += 1
        report.companies.add(merged.company)
    now = datetime.now(UTC)
    documents = []
    for key in sorted(changed):
        merged_offer = current[key]
        if merged_offer is not None:
            documents.append({**merged_offer.to_document(), "first_seen_at": now, "updated_at": now})
    if documents:
        upsert_documents(collection, documents, ("first_seen_at",))
    if events:
        # Insert-only: an event already queued (or sent) by `notices` is never reset to pending.
        upsert_documents(mongo.collection(EMAIL_OFFER_EVENTS), _unique(events), _EVENT_FIELDS)


def _unique(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for document in documents:
        seen.setdefault(document["_id"], document)
    return list(seen.values())


def ingest_mailbox(
    imap: ImapResource,
    mongo: MongoResource,
    window: Window | None = None,
    reprocess: bool = False,
    log: logging.Logger | None = None,
) -> IngestReport:
    """Read the mailbox (unseen mail, or a date range) and store offers, events, notices and the ledger."""
    report = IngestReport()
    with imap.session() as session:
        uids = _uids(session, window)
        report.fetched = len(uids)
        for batch in session.fetch_batches(uids):
            flag = _process_batch(
                ((message.uid, message.raw) for message in batch),
                mongo,
                imap.folder,
                report,
                window,
                reprocess,
            )
            session.mark_seen(flag)
            report.flagged += len(flag)
            if log is not None:
                log.info("e-mail batch of %d stored; %d flagged as seen", len(batch), len(flag))
    return report


def _uids(session: MailboxSession, window: Window | None) -> list[str]:
    if window is None:
        return session.unseen_uids()
    return session.uids_between(window.first_day, window.last_day)


def _reasons_md(items: list[tuple[str, str]]) -> str:
    if not items:
        return "(none)"
    counts = Counter(reason for _, reason in items)
    return "\n".join(f"- {count} × {reason}" for reason, count in counts.most_common(20))


def _preview_md(report: IngestReport) -> str:
    if not report.rows:
        return "No new messages."
    lines = ["| subject | outcome | reason |", "|---|---|---|"]
    for subject, outcome, reason in report.rows:
        cells = [text.replace("|", "/")[:80] for text in (subject, outcome, reason)]
        lines.append(f"| {cells[0]} | {cells[1]} | {cells[2]} |")
    return "\n".join(lines)


@dg.multi_asset(
    outs={
        EMAIL_PLACEMENT_OFFERS: dg.AssetOut(
            description=(
                "Final placement offers found in the placement office's mailbox, merged per "
                "company; every merge is also recorded as an offer event for the queue."
            ),
            group_name="email",
            kinds={"email", "mongodb"},
            owners=OWNERS,
            is_required=False,
        ),
        EMAIL_NOTICES: dg.AssetOut(
            description=(
                "Other placement e-mails (shortlists, tests, webinars, reminders, …) as notices for "
                "the queue; spam and personal mail are skipped with a reason."
            ),
            group_name="email",
            kinds={"email", "mongodb"},
            owners=OWNERS,
            is_required=False,
        ),
    },
    can_subset=False,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
)
def email_ingestion(
    context: dg.AssetExecutionContext, config: EmailConfig, imap: ImapResource, mongo: MongoResource
) -> Iterable[dg.Output[None]]:
    """Read the placement mailbox once; store offers, offer events, notices and the processed-mail ledger."""
    window = window_from_config(config)
    if not imap.is_configured():
        context.log.info(
            "E-mail ingestion skipped: IMAP is not configured (set IMAP_HOST, IMAP_USER, IMAP_PASSWORD)."
        )
        note = {"status": dg.MetadataValue.text("IMAP not configured")}
        yield dg.Output(None, output_name=EMAIL_PLACEMENT_OFFERS, metadata=note)
        yield dg.Output(None, output_name=EMAIL_NOTICES, metadata=note)
        return
    try:
        report = ingest_mailbox(imap, mongo, window, config.reprocess, context.log)
    except ImapError as error:
        # Results already stored stay stored; unflagged mail is read again by the retry or next run.
        raise dg.Failure(description=str(error), allow_retries=error.retryable) from None
    common: dict[str, Any] = {
        "mailbox": dg.MetadataValue.text(imap.describe()),
        "window": dg.MetadataValue.text(
            f"{window.first_day} to {window.last_day} (IST)" if window else "unseen messages"
        ),
        "fetched": report.fetched,
        "already_processed": report.already_processed,
        "skipped": len(report.skipped),
        "skipped_reasons": dg.MetadataValue.md(_reasons_md(report.skipped)),
        "failed": len(report.failed),
        "failed_reasons": dg.MetadataValue.md(_reasons_md(report.failed)),
        "flagged_seen": report.flagged,
        "preview": dg.MetadataValue.md(_preview_md(report)),
    }
    if report.failed:
        context.log.warning("%d message(s) could not be processed; see failed_reasons", len(report.failed))
    yield dg.Output(
        None,
        output_name=EMAIL_PLACEMENT_OFFERS,
        metadata={
            **common,
            "offers_new": report.offers_new,
            "offers_updated": report.offers_updated,
            "companies": dg.MetadataValue.text(", ".join(sorted(report.companies)) or "(none)"),
            "documents_in_collection": mongo.collection(EMAIL_PLACEMENT_OFFERS).estimated_document_count(),
        },
    )
    yield dg.Output(
        None,
        output_name=EMAIL_NOTICES,
        metadata={
            **common,
            "notices": sum(report.notices.values()),
            "notices_by_type": dg.MetadataValue.json(dict(report.notices)),
            "documents_in_collection": mongo.collection(EMAIL_NOTICES).estimated_document_count(),
        },
    )


@dg.asset_check(
    asset=EMAIL_PLACEMENT_OFFERS,
    description=(
        "Every stored offer names a company, has at least one role with a positive package in LPA "
        "below 200 (a larger figure means a misread amount) and counts as many offers as selected students."
    ),
    blocking=False,
)
def email_offers_are_complete(mongo: MongoResource) -> dg.AssetCheckResult:
    problems: list[str] = []
    total = 0
    for document in mongo.collection(EMAIL_PLACEMENT_OFFERS).find(
        {}, {"company": 1, "roles": 1, "students_selected": 1, "number_of_offers": 1}
    ):
        total += 1
        packages = [role.get("package") for role in document.get("roles") or []]
        students = document.get("students_selected") or []
        if not str(document.get("company") or "").strip():
            problems.append(f"{document['_id']}: no company name")
        if not any(isinstance(p, int | float) and 0 < p < 200 for p in packages):
            problems.append(f"{document['_id']}: no plausible package ({packages})")
        if students and document.get("number_of_offers") != len(students):
            problems.append(
                f"{document['_id']}: {document.get('number_of_offers')} offers for {len(students)} students"
            )
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "offers_checked": total,
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:20]) or "(none)"),
        },
    )


@dg.asset_check(
    asset=EMAIL_NOTICES,
    description=(
        "No message is stuck as failed in the processed-mail ledger (undecodable or crashed the rules); "
        "failed messages are retried on the next runs, this check makes them visible."
    ),
    blocking=False,
)
def email_ledger_has_no_failures(mongo: MongoResource) -> dg.AssetCheckResult:
    failed = list(
        mongo.collection(PROCESSED_EMAILS)
        .find({"outcome": "failed"}, {"reason": 1, "subject": 1, "attempts": 1})
        .limit(20)
    )
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "failed": len(failed),
            "examples": dg.MetadataValue.md(
                "\n".join(
                    f"- {d.get('subject')}: {d.get('reason')} ({d.get('attempts')} attempts)" for d in failed
                )
                or "(none)"
            ),
        },
    )
