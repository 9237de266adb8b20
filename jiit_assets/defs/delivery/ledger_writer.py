"""Group commit for the delivery ledger: the records of every send in flight go out together.

Each fan-out worker hands its intent (before a send) and its outcome (after it) to the writer and
waits on the returned future. One writer thread takes everything queued at that moment and writes
it at once: the outcomes with one ``bulk_write`` on ``deliveries``, the intents as ONE document in
``delivery_intents`` listing every send that starts, and a delete of the intents documents whose
sends are all resolved. So the intents of a whole window of concurrent sends cost one insert, and
their outcomes one more write, which on the embedded FerretDB (SQLite serialises writers, and an
update costs tens of milliseconds) is the difference between threads queueing on the database and
the database keeping up with the network. Outcomes are written before the intents they resolve are
deleted, so a crash between the two only leaves an intent that recovery finds already resolved.

Fencing: before writing intents, the writer asks ``fence`` whether this run still holds the
delivery lease (which also renews the lease's heartbeat). When it does not, the intents are
refused with :class:`LeaseLost`, so no send starts after another run took over; the outcomes are
still written, because they record what really happened.

Transient database errors (a locked SQLite file, a dropped connection) are retried with back-off
for up to ``RETRY_FOR_SECONDS`` (``db_retry.py``), without applying any write twice; the sends
waiting on them just wait. Only a database that stays unavailable fails the run.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from jiit_assets.defs.delivery.db_retry import RETRY_FOR_SECONDS, ResumableBulk, ResumableInsert, retrying
from jiit_assets.defs.delivery.ledger import Intent, now_utc

MAX_BATCH = 1000  # operations per write; far above any fan-out's concurrency
DELETE_BATCH = 64  # resolved intents documents deleted per write


T = TypeVar("T")


class LeaseLost(Exception):
    """Another delivery run holds the lease now: this run must not start another send."""


Operation = InsertOne[dict[str, Any]] | UpdateOne


@dataclass
class _Request:
    operations: Sequence[Operation] = ()
    intent: Intent | None = None
    resolves: str | None = None  # the entry whose intent this outcome resolves
    future: Future[None] = field(default_factory=Future)


@dataclass
class WriterStats:
    writes: int = 0  # database commands
    operations: int = 0  # intents and outcomes recorded
    retries: int = 0  # writes repeated after a transient database error


class LedgerWriter:
    """One background thread writing queued ledger records in batches; see the module docstring."""

    def __init__(
        self,
        deliveries: Collection[dict[str, Any]],
        intents: Collection[dict[str, Any]],
        owner: str,
        fence: Callable[[], bool] | None = None,
        retry_for: float = RETRY_FOR_SECONDS,
    ) -> None:
        self.deliveries = deliveries
        self.intents = intents
        self.owner = owner
        self.fence = fence
        self.stats = WriterStats()
        self.retry_for = retry_for
        self._open: dict[str, set[str]] = {}  # intents document id -> entries not yet resolved
        self._document_of: dict[str, str] = {}  # entry id -> its intents document
        self._finished: list[str] = []  # intents documents whose sends are all resolved
        self._sequence = 0
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self._thread.start()

    def intend(self, intent: Intent) -> Future[None]:
        """Record a send about to start; the future completes once that is durable (or raises)."""
        return self._put(_Request(intent=intent))

    def record(self, operations: Sequence[Operation], resolves: str | None = None) -> Future[None]:
        """Write outcome ``operations``; ``resolves`` names the entry whose send they conclude."""
        if not operations and resolves is None:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        return self._put(_Request(operations=list(operations), resolves=resolves))

    def _put(self, request: _Request) -> Future[None]:
        self._queue.put(request)
        return request.future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def __enter__(self) -> LedgerWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            # Leftovers are resolved intents only: the next run's recovery removes them.
            with contextlib.suppress(PyMongoError):
                self._delete_finished()

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._flush(batch)
            if stop:
                return

    def _flush(self, batch: list[_Request]) -> None:
        intents = [request for request in batch if request.intent is not None]
        outcomes = [request for request in batch if request.intent is None]
        try:
            refused = bool(intents) and self.fence is not None and not self._retrying(self.fence)
            self._write_outcomes(outcomes)
            if intents and not refused:
                self._write_intents(intents)
        except Exception as error:  # the database failed: every waiting send learns it
            for request in batch:
                request.future.set_exception(error)
            return
        for request in outcomes:
            request.future.set_result(None)
        for request in intents:
            if refused:
                request.future.set_exception(LeaseLost("another delivery run took over the lease"))
            else:
                request.future.set_result(None)

    def _write_outcomes(self, outcomes: list[_Request]) -> None:
        operations = [operation for request in outcomes for operation in request.operations]
        if operations:
            self._retrying(ResumableBulk(self.deliveries, operations))
            self.stats.writes += 1
            self.stats.operations += len(operations)
        for request in outcomes:
            document = self._document_of.pop(request.resolves, None) if request.resolves else None
            if document is not None:
                self._open[document].discard(request.resolves or "")
                if not self._open[document]:
                    self._finished.append(document)
                    del self._open[document]
        # Only after the outcomes: an intent is never forgotten before its outcome is durable. The
        # deletes are batched too: a resolved intent left behind by a crash is harmless (recovery
        # finds its outcome recorded).
        if len(self._finished) >= DELETE_BATCH:
            self._delete_finished()

    def _delete_finished(self) -> None:
        if self._finished:
            # One delete statement per document: FerretDB pushes down `_id` equality, not `$in`.
            deletes = [DeleteOne({"_id": document}) for document in self._finished]
            self._retrying(lambda: self.intents.bulk_write(deletes, ordered=False))
            self.stats.writes += 1
            self._finished = []

    def _retrying(self, action: Callable[[], T]) -> T:
        return retrying(action, retry_for=self.retry_for, on_retry=self._count_retry)

    def _count_retry(self, error: BaseException) -> None:
        self.stats.retries += 1

    def _write_intents(self, intents: list[_Request]) -> None:
        self._sequence += 1
        document_id = f"{self.owner}:{self._sequence}"
        items = [request.intent for request in intents if request.intent is not None]
        document = {"_id": document_id, "at": now_utc(), "entries": [item.as_document() for item in items]}
        self._retrying(ResumableInsert(self.intents, document))
        self.stats.writes += 1
        self.stats.operations += len(items)
        self._open[document_id] = {item.entry_id for item in items}
        for item in items:
            self._document_of[item.entry_id] = document_id
