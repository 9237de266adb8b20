"""The delivery ledger: one ``deliveries`` document per (notice revision, channel, recipient).

The ``_id`` is ``f"{notice_id}:r{revision}:{channel}:{recipient}"``, so the unique key exists by
construction and two runs can never create two entries for the same send. Every send follows the
same protocol, written by the group-commit writer (``ledger_writer.py``), which puts the records
of every send in flight into one database write:

1. the INTENT: before a request leaves the process, the send is listed in a ``delivery_intents``
   document (one document per write, naming every send that write starts); the send waits until
   that document is durable;
2. the OUTCOME: once the service answered, the entry is inserted (first outcome of a recipient) or
   updated: ``sent`` (the last chunk; earlier chunks advance ``chunks_done``), ``failed`` with a
   reason, ``gone`` (blocked bot / expired subscription), or ``retry`` for a later run; the intent
   is then resolved, and an intents document whose sends are all resolved is deleted.

Both steps are inserts in the common case: on the embedded FerretDB (SQLite) an insert costs a
fraction of a millisecond while an update costs tens, so a push costs a fraction of a round trip.

Crash policy: AT-LEAST-ONCE for the sends in flight. An intent still listed when a run starts
(:func:`recover_intents`) whose entry has no outcome for it was left by a run that died between
sending and recording the answer. The service may have accepted that message, and a placement
alert that silently never arrives costs a student more than a repeated one, so it is sent again and
counted in ``unconfirmed`` (the run's ``possible_duplicates``). Each fan-out worker has at most one
send in flight and records its outcome before it begins the next, so a crash repeats at most
``concurrency`` messages per channel (the in-flight window), never skips one. Web Push sends carry
a ``Topic`` header, so a repeated push replaces the first one on the push service.

Give-up policy: a recipient whose sends fail transiently stays ``retry`` for later runs until the
notice is older than the channel's give-up window (default 24 hours); only then is it ``failed``.
An outage therefore delays delivery, and only an outage longer than the window cancels it. A
permanent error (bad request, malformed subscription) fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.collection import Collection

Document = dict[str, Any]


class LedgerState(StrEnum):
    SENDING = "sending"  # written before a send; left behind only by a crash
    RETRY = "retry"  # a run gave up on it for now; a later run tries again
    SENT = "sent"
    FAILED = "failed"  # permanent failure, or still failing after the give-up window
    GONE = "gone"  # the recipient no longer exists (bot blocked, subscription expired)
    # The recipient's profile does not want the notice (subscribers/targeting.py); in memory only.
    NOT_WANTED = "not_wanted"
    # A daily-digest-only subscriber's instant entry: the notice goes out in their next digest
    # instead (digest.py), so the notice settles without an instant send to them.
    DIGESTED = "digested"
    # A subscriber's daily digest with nothing to list: recorded (its cutoff starts the next
    # digest), nothing sent.
    EMPTY = "empty"


TERMINAL_STATES = frozenset(
    {
        LedgerState.SENT,
        LedgerState.FAILED,
        LedgerState.GONE,
        LedgerState.NOT_WANTED,
        LedgerState.DIGESTED,
        LedgerState.EMPTY,
    }
)


def delivery_id(notice_id: str, revision: int, channel: str, recipient: str) -> str:
    return f"{notice_id}:r{revision}:{channel}:{recipient}"


def now_utc() -> datetime:
    return datetime.now(UTC)


def give_up_reason(reason: str, queued_at: datetime, window: timedelta, now: datetime) -> str | None:
    """The failure reason once a notice queued at ``queued_at`` is past its give-up window, else None."""
    age = now - queued_at
    if age <= window:
        return None
    return f"{reason}; gave up {age.total_seconds() / 3600:.1f} h after the notice was queued"


@dataclass
class LedgerEntry:
    """One (notice revision, channel, recipient) as stored in ``deliveries``."""

    notice_id: str
    revision: int
    channel: str
    recipient: str
    state: LedgerState = LedgerState.SENDING
    chunks_done: int = 0
    inflight: int | None = None
    attempts: int = 0  # requests started, retries included
    unconfirmed: int = 0  # messages re-sent after a crash or read timeout (possible duplicates)
    message_ids: list[int | str] = field(default_factory=list)
    reason: str | None = None
    plain_text_fallbacks: int = 0
    stored: bool = False  # a document exists: outcomes update it instead of inserting it

    @property
    def id(self) -> str:
        return delivery_id(self.notice_id, self.revision, self.channel, self.recipient)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES

    @classmethod
    def from_document(cls, document: Document) -> LedgerEntry:
        return cls(
            notice_id=str(document["notice_id"]),
            revision=int(document["revision"]),
            channel=str(document["channel"]),
            recipient=str(document["recipient"]),
            state=LedgerState(document.get("state", LedgerState.SENDING)),
            chunks_done=int(document.get("chunks_done") or 0),
            inflight=document.get("inflight"),
            attempts=int(document.get("attempts") or 0),
            unconfirmed=int(document.get("unconfirmed") or 0),
            message_ids=list(document.get("message_ids") or []),
            reason=document.get("reason"),
            plain_text_fallbacks=int(document.get("plain_text_fallbacks") or 0),
            stored=True,
        )


def load_entries(
    collection: Collection[Document], notice_id: str, revision: int, channel: str
) -> dict[str, LedgerEntry]:
    """Every entry of one notice revision on one channel, keyed by recipient (one query)."""
    cursor = collection.find({"notice_id": notice_id, "revision": revision, "channel": channel})
    entries = {}
    for document in cursor:
        entry = LedgerEntry.from_document(document)
        entries[entry.recipient] = entry
    return entries


def _document(entry: LedgerEntry, now: datetime) -> Document:
    """The whole entry, for its first write (an insert)."""
    return {
        "_id": entry.id,
        "notice_id": entry.notice_id,
        "revision": entry.revision,
        "channel": entry.channel,
        "recipient": entry.recipient,
        "created_at": now,
        **_fields(entry, now),
    }


def _fields(entry: LedgerEntry, now: datetime) -> Document:
    """What an outcome changes; every field is rewritten, so one ``$set`` is always enough."""
    fields: Document = {
        "state": str(entry.state),
        "reason": entry.reason,
        "chunks_done": entry.chunks_done,
        "inflight": None,
        "attempts": entry.attempts,
        "unconfirmed": entry.unconfirmed,
        "message_ids": list(entry.message_ids),
        "plain_text_fallbacks": entry.plain_text_fallbacks,
        "updated_at": now,
    }
    if entry.done:
        fields["completed_at"] = now
    return fields


def first_document(entry: LedgerEntry, extra: Document) -> Document:
    """The entry's first write with ``extra`` fields; later outcomes ``$set`` only theirs, keeping them."""
    entry.stored = True
    return {**extra, **_document(entry, now_utc())}


def outcome_op(entry: LedgerEntry) -> InsertOne[Document] | UpdateOne:
    """The write recording ``entry`` as it is now: an insert the first time, else an update by ``_id``."""
    now = now_utc()
    if entry.stored:
        return UpdateOne({"_id": entry.id}, {"$set": _fields(entry, now)})
    entry.stored = True
    return InsertOne(_document(entry, now))


@dataclass(frozen=True)
class Intent:
    """One send about to start: the entry and the index of its message."""

    entry_id: str
    notice_id: str
    revision: int
    channel: str
    recipient: str
    index: int

    def as_document(self) -> Document:
        return {
            "id": self.entry_id,
            "notice_id": self.notice_id,
            "revision": self.revision,
            "channel": self.channel,
            "recipient": self.recipient,
            "index": self.index,
        }


def begin(entry: LedgerEntry, message_index: int) -> Intent:
    """Message ``message_index`` of this recipient is about to be sent."""
    entry.state = LedgerState.SENDING
    entry.inflight = message_index
    entry.attempts += 1
    return Intent(entry.id, entry.notice_id, entry.revision, entry.channel, entry.recipient, message_index)


def sent(
    entry: LedgerEntry, message_id: int | str | None, *, plain_text: bool, last: bool
) -> InsertOne[Document] | UpdateOne:
    """The service confirmed the in-flight message; ``last`` also closes the entry as ``sent``."""
    entry.chunks_done += 1
    entry.inflight = None
    if message_id is not None:
        entry.message_ids.append(message_id)
    entry.plain_text_fallbacks += int(plain_text)
    entry.state = LedgerState.SENT if last else LedgerState.RETRY
    entry.reason = None if last else entry.reason
    return outcome_op(entry)


def attempt_failed(entry: LedgerEntry, *, unconfirmed: bool) -> list[InsertOne[Document] | UpdateOne]:
    """One attempt ended without a confirmation; ``unconfirmed`` if it may still have been delivered.

    A certain failure needs no write (nothing changed that a crash could lose); a possible delivery
    is recorded at once, so the count of possible duplicates survives a crash.
    """
    entry.inflight = None
    entry.state = LedgerState.RETRY
    if not unconfirmed:
        return []
    entry.unconfirmed += 1
    return [outcome_op(entry)]


def finish(entry: LedgerEntry, state: LedgerState, reason: str | None) -> InsertOne[Document] | UpdateOne:
    """Close the entry (sent / failed / gone) or park it as ``retry`` for the next run."""
    entry.state = state
    entry.reason = reason
    entry.inflight = None
    return outcome_op(entry)


def recover_legacy(entry: LedgerEntry) -> UpdateOne | None:
    """An entry written ``sending`` by an older version that died mid-send: counted, sent again."""
    if entry.state != LedgerState.SENDING or entry.inflight is None:
        return None
    entry.unconfirmed += 1
    entry.inflight = None
    entry.state = LedgerState.RETRY
    return UpdateOne(
        {"_id": entry.id}, {"$set": {"state": str(entry.state), "inflight": None}, "$inc": {"unconfirmed": 1}}
    )


def recover_intents(intents: Collection[Document], deliveries: Collection[Document]) -> int:
    """Sends a dead run left in flight: each entry is marked as possibly delivered; how many there were.

    Runs before a fan-out, under the delivery lease. An intent whose entry already records its
    outcome (the run died after the outcome, before deleting the intent) is no duplicate.
    """
    recovered = 0
    for document in list(intents.find({})):
        for item in document.get("entries") or []:
            stored = deliveries.find_one({"_id": item["id"]})
            entry = (
                LedgerEntry.from_document(stored)
                if stored
                else LedgerEntry(
                    str(item["notice_id"]),
                    int(item["revision"]),
                    str(item["channel"]),
                    str(item["recipient"]),
                    attempts=1,
                )
            )
            if entry.done or entry.chunks_done > int(item["index"]):
                continue
            entry.state, entry.unconfirmed = LedgerState.RETRY, entry.unconfirmed + 1
            deliveries.bulk_write([outcome_op(entry)])
            recovered += 1
        intents.delete_one({"_id": document["_id"]})
    return recovered
