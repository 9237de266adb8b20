"""E-mail ingestion: the placement office's mailbox read into offers, offer events and notices.

The story of a run:

1. find the candidate messages by UID: unseen mail plus everything above the highest UID a
   previous run finished (mail someone already opened is not skipped), or on a first run / after
   a UIDVALIDITY change, everything of the last days; a backfill takes every message of a range;
2. fetch them in batches with ``BODY.PEEK[]`` so reading never marks them read;
3. per batch: skip message keys the ``processed_emails`` ledger already settled, decode the rest,
   decide offer / notice / skipped / failed, commit offers per company (``offer_store``: one atomic
   revision per change, which also carries its events), store notices, and then the ledger;
4. only then flag the batch ``\\Seen``; after the last batch, remember the highest UID.

The writes go directly to MongoDB, not through the IO manager, because their order is what makes a
crash safe: a message enters the ledger only after everything it produced is stored, and is flagged
only after that, so a crash at any point leaves it to be read again, and re-reading it is a no-op
(ledger keyed by Message-ID hash, deterministic ids, revisions that roll forward). Messages that fail
to decode are recorded as failed, left unseen and retried; after ``MAX_ATTEMPTS`` they are flagged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.mailbox import ImapSettings, MailboxSession, open_session
from jiit_assets.defs.email.message import DecodedEmail, EmailDecodeError, decode_email
from jiit_assets.defs.email.offer_store import OfferMail, OfferStore
from jiit_assets.defs.email.privacy import clean_subject
from jiit_assets.lib.models import NoticeContent
from jiit_assets.lib.mongo import upsert_documents
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_OFFER_REVISIONS,
    EMAIL_PLACEMENT_OFFERS,
    MAILBOX_STATE,
    PROCESSED_EMAILS,
)
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import NoticeState

MAX_ATTEMPTS = 3
PREVIEW_ROWS = 15
CATCH_UP_DAYS = 7  # how far back a first run (or a run after a UIDVALIDITY change) looks
# Written by `migrate legacy`: the older system flagged the mail it handled as seen, so a first run
# after a take-over reads unread mail only and never re-announces what the older system sent.
TAKEN_OVER_MARK = "taken_over"

Outcome = Literal["offer", "notice", "skipped", "failed"]
Document = dict[str, Any]


class Database(Protocol):
    """What ingestion needs from MongoDB (``MongoResource`` provides it)."""

    def collection(self, name: str) -> Any: ...


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date

    def contains(self, moment: datetime | None) -> bool:
        if moment is None:
            return True
        return self.first_day <= moment.astimezone(IST).date() <= self.last_day


def parse_window(since: str | None, until: str | None) -> Window | None:
    """The backfill range from its two settings; None for a regular run. ValueError says what is wrong."""
    if not since and not until:
        return None
    if not since:
        raise ValueError("`until` needs `since`: give the first day of the backfill too.")
    try:
        first = date.fromisoformat(since)
        last = date.fromisoformat(until) if until else first
    except ValueError:
        raise ValueError("`since` and `until` must be dates like 2025-08-21.") from None
    if last < first:
        raise ValueError(f"`until` ({last}) is before `since` ({first}).")
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
    notes: tuple[str, ...] = ()

    def to_document(self, folder: str, now: datetime) -> Document:
        return {
            "_id": self.message_key,
            "outcome": self.outcome,
            "reason": self.reason,
            "uid": self.uid,
            "folder": folder,
            "subject": self.subject[:200],
            "company": self.company,
            "attempts": self.attempts,
            "notes": list(self.notes),
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
    notes: list[tuple[str, str]] = field(default_factory=list)  # (subject, what was read as unknown)
    flagged: int = 0
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, outcome, reason) preview

    def record(self, entry: LedgerEntry) -> None:
        if entry.outcome == "skipped":
            self.skipped.append((entry.subject, entry.reason))
        elif entry.outcome == "failed":
            self.failed.append((entry.subject, entry.reason))
        self.notes.extend((entry.subject, note) for note in entry.notes)
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append((entry.subject, entry.outcome, entry.reason))


def notice_document(content: NoticeContent, mail: DecodedEmail) -> Document:
    return {
        "_id": mail.message_key,
        "type": str(content.type),
        "title": content.title,
        "text": content.text,
        "time_sent": mail.sent_at,
        "author": content.author,
        "notice_state": NoticeState.PENDING.value,
        "notice_content": content.to_document(),
        "first_seen_at": datetime.now(UTC),
    }


@dataclass
class BatchResults:
    """What one batch decided, before anything is written."""

    entries: dict[str, LedgerEntry] = field(default_factory=dict)
    offers: list[OfferMail] = field(default_factory=list)
    notices: list[Document] = field(default_factory=list)
    to_flag: list[str] = field(default_factory=list)


class Ingestion:
    """One ingestion run against one mailbox folder and one database."""

    def __init__(
        self,
        db: Database,
        folder: str,
        window: Window | None = None,
        reprocess: bool = False,
    ) -> None:
        self.db = db
        self.folder = folder
        self.window = window
        self.reprocess = reprocess
        self.report = IngestReport()
        self.offer_store = OfferStore(
            db.collection(EMAIL_PLACEMENT_OFFERS),
            db.collection(EMAIL_OFFER_EVENTS),
            db.collection(EMAIL_OFFER_REVISIONS),
        )

    def process_batch(self, batch: Iterable[tuple[str, bytes]]) -> list[str]:
        """Store the results of one fetched batch; returns the UIDs that may now be flagged \\Seen."""
        decoded: list[tuple[str, DecodedEmail | EmailDecodeError]] = []
        for uid, raw in batch:
            try:
                decoded.append((uid, decode_email(raw)))
            except EmailDecodeError as error:
                decoded.append((uid, error))
        keys = [item.message_key for _, item in decoded]
        ledger = self.db.collection(PROCESSED_EMAILS)
        settled = {
            doc["_id"]: doc for doc in ledger.find({"_id": {"$in": keys}}, {"outcome": 1, "attempts": 1})
        }
        results = BatchResults()
        for uid, item in decoded:
            self.decide(uid, item, settled.get(item.message_key), results)
        self.store(results)
        return results.to_flag

    def decide(
        self,
        uid: str,
        item: DecodedEmail | EmailDecodeError,
        previous: Document | None,
        results: BatchResults,
    ) -> None:
        """What to do with one message: nothing (settled), a ledger entry, and an offer or a notice."""
        key = item.message_key
        if key in results.entries:  # the same message delivered twice in one batch
            if results.entries[key].outcome != "failed":
                results.to_flag.append(uid)
            return
        if previous and previous.get("outcome") != "failed" and not self.reprocess:
            self.report.already_processed += 1
            results.to_flag.append(uid)
            return
        attempts = int((previous or {}).get("attempts") or 0) + 1
        if isinstance(item, EmailDecodeError):
            self.fail(results, LedgerEntry(key, "failed", item.reason, uid, "(undecodable)", attempts))
            return
        # The mail's own Date, not a forwarded original's: a backfill covers what arrived those days.
        if self.window is not None and not self.window.contains(item.header_date or item.sent_at):
            self.report.outside_window += 1
            return
        subject = clean_subject(item.subject)
        try:
            classified = classify_email(item)
        except Exception as error:  # a rule bug must not stop the batch; retried next run
            reason = f"extraction error: {type(error).__name__}"
            self.fail(results, LedgerEntry(key, "failed", reason, uid, subject, attempts, notes=item.notes))
            return
        offer, content = classified.offer, classified.notice
        company = offer.company if offer else None
        results.entries[key] = LedgerEntry(
            key, classified.outcome, classified.reason, uid, subject, company=company, notes=item.notes
        )
        if offer is not None:
            results.offers.append(OfferMail(offer, item.sender_name or None, item.sent_at))
        elif content is not None:
            results.notices.append(notice_document(content, item))
            self.report.notices[str(content.type)] += 1
        results.to_flag.append(uid)

    def fail(self, results: BatchResults, entry: LedgerEntry) -> None:
        results.entries[entry.message_key] = entry
        if entry.attempts >= MAX_ATTEMPTS:  # stop costing every run; a backfill retries it
            results.to_flag.append(entry.uid)

    def store(self, results: BatchResults) -> None:
        """Offers (with their events), then notices, then the ledger: the ledger entry comes last."""
        if results.offers:
            stored = self.offer_store.store(results.offers)
            self.report.offers_new += stored.new
            self.report.offers_updated += stored.updated
            self.report.companies |= stored.companies
        if results.notices:
            upsert_documents(
                self.db.collection(EMAIL_NOTICES), results.notices, ("notice_state", "first_seen_at")
            )
        if results.entries:
            now = datetime.now(UTC)
            upsert_documents(
                self.db.collection(PROCESSED_EMAILS),
                [entry.to_document(self.folder, now) for entry in results.entries.values()],
            )
        for entry in results.entries.values():
            self.report.record(entry)

    def run(self, settings: ImapSettings, log: logging.Logger | None = None) -> IngestReport:
        """Read the mailbox and store everything; flags each batch only after it is stored."""
        with open_session(settings) as session:
            state = self.db.collection(MAILBOX_STATE)
            mark = state.find_one({"_id": settings.describe()}) if self.window is None else None
            taken_over = state.find_one({"_id": TAKEN_OVER_MARK}) if self.window is None else None
            uids, validity = self.candidates(session, mark, taken_over)
            self.report.fetched = len(uids)
            for batch in session.fetch_batches(uids):
                flag = self.process_batch((message.uid, message.raw) for message in batch)
                session.mark_seen(flag)
                self.report.flagged += len(flag)
                if log is not None:
                    log.info("e-mail batch of %d stored; %d flagged as seen", len(batch), len(flag))
            self.offer_store.settle()
            if validity is not None and uids:
                self.remember(state, settings.describe(), validity, max(int(uid) for uid in uids), mark)
        return self.report

    def remember(self, state: Any, mailbox: str, validity: int, last_uid: int, mark: Document | None) -> None:
        """Store the highest UID read, never lowering it (an overlapping run may have gone further)."""
        update: Document = {"$set": {"uid_validity": validity, "updated_at": datetime.now(UTC)}}
        if mark is not None and mark.get("uid_validity") == validity:
            update["$max"] = {"last_uid": last_uid}
        else:  # new UIDVALIDITY: the old numbers mean nothing
            update["$set"]["last_uid"] = last_uid
        state.update_one({"_id": mailbox}, update, upsert=True)

    def candidates(
        self, session: MailboxSession, mark: Document | None, taken_over: Document | None = None
    ) -> tuple[list[str], int | None]:
        """The UIDs to read (in arrival order) and the folder's UIDVALIDITY (None for a backfill)."""
        if self.window is not None:
            return session.uids_between(self.window.first_day, self.window.last_day), None
        validity = session.uid_validity()
        found = set(session.unseen_uids())
        if mark is not None and mark.get("uid_validity") == validity:
            found.update(session.uids_after(int(mark.get("last_uid") or 0)))
        else:
            if taken_over is None:
                today = datetime.now(IST).date()
                found.update(session.uids_between(today - timedelta(days=CATCH_UP_DAYS), today))
            # After a take-over, read mail was handled (and announced) by the older system: the first
            # run takes unread mail only, and from then on everything above the UID it remembers.
        return sorted(found, key=int), validity


def ingest_mailbox(
    settings: ImapSettings,
    db: Database,
    window: Window | None = None,
    reprocess: bool = False,
    log: logging.Logger | None = None,
) -> IngestReport:
    """Read the mailbox (new mail, or a date range) and store offers, events, notices and the ledger."""
    return Ingestion(db, settings.folder, window, reprocess).run(settings, log)
