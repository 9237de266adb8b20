"""The delivery ledger: one ``deliveries`` document per (notice revision, channel, recipient).

The ``_id`` is ``f"{notice_id}:r{revision}:{channel}:{recipient}"``, so the unique key exists by
construction and two runs can never create two entries for the same send. Every send follows the
same protocol:

1. ``begin()`` writes (or re-opens) the entry as ``sending`` with ``inflight`` = the index of the
   message about to go out and ``attempts`` incremented — BEFORE the request leaves the process;
2. ``message_sent()`` advances ``chunks_done`` and clears ``inflight`` right after the service
   confirmed that message (multi-chunk Telegram texts record every chunk, so a retry resumes at the
   first unsent one);
3. ``finish()`` sets the terminal state: ``sent``, ``failed`` (with ``reason``), ``gone`` (blocked
   bot / expired subscription) — or leaves it ``retry`` for a later run. When the confirmed message
   is the recipient's last (or only) one, steps 2 and 3 are one write (``message_sent(last=True)``):
   two writes per single-message send, each by ``_id``.

The ledger is synchronous (pymongo); the asyncio Telegram fan-out calls it through
``asyncio.to_thread`` so a write waits for the database without stalling the other sends.

Crash policy — AT-LEAST-ONCE for the one in-flight message. An entry found in ``sending`` with
``inflight`` set when a run starts was left by a run that died between sending a message and
recording the answer (notification runs never overlap: the job's concurrency tag allows one at a
time). We cannot know whether the service accepted it, and a placement alert that silently never
arrives costs a student more than a repeated one, so that message is sent again and the entry
counts it in ``unconfirmed`` (shown as "possible duplicates" in the run's metadata). Everything the
ledger confirmed is never sent again, so a crash repeats at most one message per recipient that was
in flight, and never skips one. Web Push sends carry a ``Topic`` header, so a repeated push replaces
the first one on the push service instead of showing twice. Read timeouts (the request may or may
not have been processed) follow the same at-least-once rule.

Failure policy: a recipient whose send fails transiently (5xx, timeouts, 429 beyond the run's
patience) stays ``retry`` and is tried again by the next runs; after ``MAX_RUNS_PER_RECIPIENT`` runs
that each ended in failure, or at once for a permanent error (400 other than entity parsing, 401,
413), it is ``failed`` with the reason kept here and is not retried again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pymongo.collection import Collection

Document = dict[str, Any]

# Runs that may each fail transiently for one recipient before it is marked failed for good.
MAX_RUNS_PER_RECIPIENT = 3


class LedgerState(StrEnum):
    SENDING = "sending"  # written before a send; left behind only by a crash
    RETRY = "retry"  # a run gave up on it for now; a later run tries again
    SENT = "sent"
    FAILED = "failed"  # permanent failure or out of run attempts; `reason` says why
    GONE = "gone"  # the recipient no longer exists (bot blocked, subscription expired)


TERMINAL_STATES = frozenset({LedgerState.SENT, LedgerState.FAILED, LedgerState.GONE})


def delivery_id(notice_id: str, revision: int, channel: str, recipient: str) -> str:
    return f"{notice_id}:r{revision}:{channel}:{recipient}"


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
    failed_runs: int = 0
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
            failed_runs=int(document.get("failed_runs") or 0),
            unconfirmed=int(document.get("unconfirmed") or 0),
            message_ids=list(document.get("message_ids") or []),
            reason=document.get("reason"),
        )


class DeliveryLedger:
    """Reads and writes ``deliveries`` entries; every write is one indexed update by ``_id``."""

    def __init__(self, collection: Collection[Document]) -> None:
        self.collection = collection

    def load(self, notice_id: str, revision: int, channel: str) -> dict[str, LedgerEntry]:
        """Every entry of one notice revision on one channel, keyed by recipient (one query)."""
        cursor = self.collection.find({"notice_id": notice_id, "revision": revision, "channel": channel})
        entries = {}
        for document in cursor:
            entry = LedgerEntry.from_document(document)
            entries[entry.recipient] = entry
        return entries

    def recover_crashed(self, entries: Iterable[LedgerEntry]) -> int:
        """Entries a dead run left mid-send: the in-flight message will be sent again (at-least-once)."""
        recovered = 0
        for entry in entries:
            if entry.state == LedgerState.SENDING and entry.inflight is not None:
                entry.unconfirmed += 1
                entry.inflight = None
                entry.state = LedgerState.RETRY
                recovered += 1
                self.collection.update_one(
                    {"_id": entry.id},
                    {
                        "$set": {"state": str(entry.state), "inflight": None, "updated_at": _now()},
                        "$inc": {"unconfirmed": 1},
                    },
                )
        return recovered

    def begin(self, entry: LedgerEntry, message_index: int) -> None:
        """Record that message ``message_index`` of this recipient is about to be sent."""
        entry.state = LedgerState.SENDING
        entry.inflight = message_index
        entry.attempts += 1
        now = _now()
        self.collection.update_one(
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

    def message_sent(
        self, entry: LedgerEntry, message_id: int | str | None, *, plain_text: bool, last: bool = False
    ) -> None:
        """The service confirmed the in-flight message; the next one starts at ``chunks_done``.

        ``last=True`` (the recipient's last or only message) also closes the entry as ``sent`` in the
        same write: steps 2 and 3 of the protocol as one update, still after the confirmation.
        """
        entry.chunks_done += 1
        entry.inflight = None
        now = _now()
        fields: Document = {"chunks_done": entry.chunks_done, "inflight": None, "updated_at": now}
        if last:
            entry.state = LedgerState.SENT
            entry.reason = None
            fields.update(
                {
                    "state": str(entry.state),
                    "reason": None,
                    "failed_runs": entry.failed_runs,
                    "completed_at": now,
                }
            )
        update: Document = {"$set": fields}
        if message_id is not None:
            entry.message_ids.append(message_id)
            update["$push"] = {"message_ids": message_id}
        if plain_text:
            update["$inc"] = {"plain_text_fallbacks": 1}
        self.collection.update_one({"_id": entry.id}, update)

    def count_unconfirmed(self, entry: LedgerEntry) -> None:
        """A read timeout left the in-flight message unconfirmed; it is about to be sent again."""
        entry.unconfirmed += 1
        self.collection.update_one({"_id": entry.id}, {"$inc": {"unconfirmed": 1}})

    def finish(self, entry: LedgerEntry, state: LedgerState, reason: str | None = None) -> None:
        """Close the entry (sent / failed / gone), or park it as ``retry`` for the next run."""
        if state == LedgerState.RETRY:
            entry.failed_runs += 1
            if entry.failed_runs >= MAX_RUNS_PER_RECIPIENT:
                state = LedgerState.FAILED
                reason = f"{reason} (gave up after {entry.failed_runs} runs)"
        entry.state = state
        entry.reason = reason
        entry.inflight = None
        self.collection.update_one(
            {"_id": entry.id},
            {
                "$set": {
                    "state": str(state),
                    "reason": reason,
                    "inflight": None,
                    "failed_runs": entry.failed_runs,
                    "updated_at": _now(),
                    **({"completed_at": _now()} if state in TERMINAL_STATES else {}),
                }
            },
            upsert=False,
        )

    def mark_done_without_send(self, entry: LedgerEntry, state: LedgerState, reason: str) -> None:
        """Close an entry that needs no request (e.g. the subscriber was deactivated meanwhile)."""
        entry.state = state
        entry.reason = reason
        now = _now()
        self.collection.update_one(
            {"_id": entry.id},
            {
                "$set": {"state": str(state), "reason": reason, "updated_at": now, "completed_at": now},
                "$setOnInsert": {**_identity(entry, now), "attempts": 0},
            },
            upsert=True,
        )


def _identity(entry: LedgerEntry, created_at: datetime) -> Document:
    """The fields a ledger entry is created with and never changes (``$setOnInsert``)."""
    return {
        "notice_id": entry.notice_id,
        "revision": entry.revision,
        "channel": entry.channel,
        "recipient": entry.recipient,
        "created_at": created_at,
    }


def _now() -> datetime:
    return datetime.now(UTC)
