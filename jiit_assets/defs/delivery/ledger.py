"""The delivery ledger: one ``deliveries`` document per (notice revision, channel, recipient).

The ``_id`` is ``f"{notice_id}:r{revision}:{channel}:{recipient}"``, so the unique key exists by
construction and two runs can never create two entries for the same send. Every send follows the
same protocol, each step a ledger operation built here and written by the group-commit writer
(``ledger_writer.py``), which puts the operations of every send in flight into one database write:

1. ``begin`` marks the entry ``sending`` with ``inflight`` = the index of the message about to go
   out, BEFORE the request leaves the process (the send waits until that write is durable);
2. ``sent`` advances ``chunks_done`` and clears ``inflight`` once the service confirmed that message
   (the last message also closes the entry as ``sent``); ``attempt_failed`` clears ``inflight`` when
   the request certainly did not deliver (429, refused connection) so a retry starts clean;
3. ``finish`` sets the terminal state: ``sent``, ``failed`` (with ``reason``), ``gone`` (blocked
   bot / expired subscription), or parks the entry as ``retry`` for a later run.

Crash policy: AT-LEAST-ONCE for the sends in flight. An entry found ``sending`` with ``inflight``
set when a run starts was left by a run that died between sending and recording the answer. The
service may have accepted that message, and a placement alert that silently never arrives costs a
student more than a repeated one, so it is sent again and counted in ``unconfirmed`` (the run's
``possible_duplicates``). Each fan-out worker has at most one send in flight and records its
outcome before it begins the next, so a crash repeats at most ``concurrency`` messages per channel
(the in-flight window), never skips one. Web Push sends carry a ``Topic`` header, so a repeated
push replaces the first one on the push service instead of showing twice.

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

from pymongo import UpdateOne
from pymongo.collection import Collection

Document = dict[str, Any]


class LedgerState(StrEnum):
    SENDING = "sending"  # written before a send; left behind only by a crash
    RETRY = "retry"  # a run gave up on it for now; a later run tries again
    SENT = "sent"
    FAILED = "failed"  # permanent failure, or still failing after the give-up window
    GONE = "gone"  # the recipient no longer exists (bot blocked, subscription expired)


TERMINAL_STATES = frozenset({LedgerState.SENT, LedgerState.FAILED, LedgerState.GONE})


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


def _identity(entry: LedgerEntry, created_at: datetime) -> Document:
    """The fields a ledger entry is created with and never changes (``$setOnInsert``)."""
    return {
        "notice_id": entry.notice_id,
        "revision": entry.revision,
        "channel": entry.channel,
        "recipient": entry.recipient,
        "created_at": created_at,
    }


def recover_op(entry: LedgerEntry) -> UpdateOne | None:
    """A dead run left this entry mid-send: its in-flight message will be sent again (counted)."""
    if entry.state != LedgerState.SENDING or entry.inflight is None:
        return None
    entry.unconfirmed += 1
    entry.inflight = None
    entry.state = LedgerState.RETRY
    return UpdateOne(
        {"_id": entry.id},
        {
            "$set": {"state": str(entry.state), "inflight": None, "updated_at": now_utc()},
            "$inc": {"unconfirmed": 1},
        },
    )


def begin_op(entry: LedgerEntry, message_index: int) -> UpdateOne:
    """Message ``message_index`` of this recipient is about to be sent (the intent)."""
    entry.state = LedgerState.SENDING
    entry.inflight = message_index
    entry.attempts += 1
    now = now_utc()
    return UpdateOne(
        {"_id": entry.id},
        {
            "$set": {
                "state": str(entry.state),
                "inflight": message_index,
                "chunks_done": entry.chunks_done,
                "updated_at": now,
            },
            "$inc": {"attempts": 1},
            "$setOnInsert": _identity(entry, now),
        },
        upsert=True,
    )


def sent_op(entry: LedgerEntry, message_id: int | str | None, *, plain_text: bool, last: bool) -> UpdateOne:
    """The service confirmed the in-flight message; ``last`` also closes the entry as ``sent``."""
    entry.chunks_done += 1
    entry.inflight = None
    now = now_utc()
    fields: Document = {"chunks_done": entry.chunks_done, "inflight": None, "updated_at": now}
    if last:
        entry.state, entry.reason = LedgerState.SENT, None
        fields.update({"state": str(entry.state), "reason": None, "completed_at": now})
    update: Document = {"$set": fields}
    if message_id is not None:
        entry.message_ids.append(message_id)
        update["$push"] = {"message_ids": message_id}
    if plain_text:
        update["$inc"] = {"plain_text_fallbacks": 1}
    return UpdateOne({"_id": entry.id}, update)


def attempt_failed_op(entry: LedgerEntry, *, unconfirmed: bool) -> UpdateOne:
    """One attempt ended without a confirmation; ``unconfirmed`` if it may still have been delivered."""
    entry.inflight = None
    update: Document = {"$set": {"inflight": None, "updated_at": now_utc()}}
    if unconfirmed:
        entry.unconfirmed += 1
        update["$inc"] = {"unconfirmed": 1}
    return UpdateOne({"_id": entry.id}, update)


def finish_op(entry: LedgerEntry, state: LedgerState, reason: str | None) -> UpdateOne:
    """Close the entry (sent / failed / gone) or park it as ``retry``; creates it when missing."""
    entry.state = state
    entry.reason = reason
    entry.inflight = None
    now = now_utc()
    fields: Document = {"state": str(state), "reason": reason, "inflight": None, "updated_at": now}
    if state in TERMINAL_STATES:
        fields["completed_at"] = now
    return UpdateOne(
        {"_id": entry.id},
        {"$set": fields, "$setOnInsert": {**_identity(entry, now), "attempts": 0, "chunks_done": 0}},
        upsert=True,
    )
