"""Group commit for the delivery ledger: the writes of every send in flight go out as one write.

Each fan-out worker hands its ledger operations (an intent before a send, an outcome after it) to
:meth:`LedgerWriter.submit` and waits on the returned future. One writer thread takes everything
queued at that moment and writes it with a single ``bulk_write`` (one database round trip), so the
intents of a whole window of concurrent sends cost one write, and their outcomes one more. On the
embedded FerretDB, whose SQLite backend serialises writers, this is the difference between threads
queueing on the database and the database keeping up with the network.

Fencing: before writing a batch that contains intents, the writer asks ``fence`` whether this run
still holds the delivery lease (which also renews the lease's heartbeat). When it does not, the
intents are refused with :class:`LeaseLost`, so no send starts after another run took over; the
outcomes in the batch are still written, because they record what really happened.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection

MAX_BATCH = 1000  # operations per write; far above any fan-out's concurrency


class LeaseLost(Exception):
    """Another delivery run holds the lease now: this run must not start another send."""


@dataclass
class _Request:
    operations: Sequence[UpdateOne]
    intent: bool
    future: Future[None] = field(default_factory=Future)


@dataclass
class WriterStats:
    writes: int = 0
    operations: int = 0


class LedgerWriter:
    """One background thread writing queued ledger operations in batches; see the module docstring."""

    def __init__(
        self, collection: Collection[dict[str, Any]], fence: Callable[[], bool] | None = None
    ) -> None:
        self.collection = collection
        self.fence = fence
        self.stats = WriterStats()
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self._thread.start()

    def submit(self, operations: Sequence[UpdateOne], *, intent: bool = False) -> Future[None]:
        """Queue ``operations``; the future completes once they are durable (or raises)."""
        request = _Request(list(operations), intent)
        if not request.operations:
            request.future.set_result(None)
        else:
            self._queue.put(request)
        return request.future

    def write(self, operations: Sequence[UpdateOne], *, intent: bool = False) -> None:
        """:meth:`submit` and wait."""
        self.submit(operations, intent=intent).result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def __enter__(self) -> LedgerWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self) -> None:
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
        refused: list[_Request] = []
        try:
            if self.fence is not None and any(request.intent for request in batch) and not self.fence():
                refused = [request for request in batch if request.intent]
            accepted = [request for request in batch if not (refused and request.intent)]
            operations = [operation for request in accepted for operation in request.operations]
            if operations:
                self.collection.bulk_write(operations, ordered=True)
                self.stats.writes += 1
                self.stats.operations += len(operations)
        except Exception as error:  # the database failed: every waiting send learns it
            for request in batch:
                request.future.set_exception(error)
            return
        for request in refused:
            request.future.set_exception(LeaseLost("another delivery run took over the lease"))
        for request in accepted:
            request.future.set_result(None)
