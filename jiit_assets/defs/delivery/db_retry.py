"""Transient database errors during a delivery run: retried, so a locked database delays, never fails.

The embedded FerretDB keeps everything in one SQLite file, and SQLite lets one writer in at a
time; under load (another run's writes, a WAL checkpoint) a write can come back "database is
locked (SQLITE_BUSY)" even after SQLite's own busy timeout, and a MongoDB server can drop a
connection (``AutoReconnect``) during a failover. Failing the whole run for that would strand every
send in flight, so the ledger writer retries such writes with back-off (tenacity) and fails only
when the database stays unavailable for ``RETRY_FOR_SECONDS``.

A retried write must not apply twice. :class:`ResumableBulk` makes that so for the ledger's
ordered bulk writes: a ``BulkWriteError`` names the first operation that failed, and every earlier
one was applied (the write is ordered), so the retry starts there; after an error that leaves the
outcome unknown (a dropped connection), an insert that meets its own document already stored
(duplicate key) is counted as applied. The outcomes' updates ``$set`` whole states, so repeating
them is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect, BulkWriteError, DuplicateKeyError, OperationFailure
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from jiit_assets.lib.mongo_writes import DUPLICATE_KEY, UPDATE_BATCH_SIZE

BUSY_MARKERS = ("SQLITE_BUSY", "database is locked", "SQLITE_LOCKED")
RETRY_FOR_SECONDS = 120.0
WAIT_MIN_SECONDS = 0.05
WAIT_MAX_SECONDS = 5.0

T = TypeVar("T")
BulkOperation = InsertOne[dict[str, Any]] | UpdateOne | DeleteOne


def _busy(message: str) -> bool:
    return any(marker.lower() in message.lower() for marker in BUSY_MARKERS)


def is_transient(error: BaseException) -> bool:
    """A database error worth retrying: a dropped connection, or a locked SQLite file."""
    if isinstance(error, AutoReconnect):  # also NetworkTimeout
        return True
    if isinstance(error, BulkWriteError):
        write_errors = error.details.get("writeErrors") or []
        if write_errors:
            return _busy(str(write_errors[0].get("errmsg") or ""))
        return _busy(str(error.details))
    if isinstance(error, OperationFailure):
        return _busy(str(error)) or error.has_error_label("RetryableWriteError")
    return False


def retrying(
    action: Callable[[], T],
    *,
    retry_for: float = RETRY_FOR_SECONDS,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    """``action()``, again with exponential back-off while it fails transiently (at most ``retry_for`` s)."""

    def before_sleep(state: Any) -> None:
        if on_retry is not None and state.outcome is not None:
            error = state.outcome.exception()
            if error is not None:
                on_retry(error)

    retryer = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_delay(retry_for),
        wait=wait_exponential(multiplier=WAIT_MIN_SECONDS, max=WAIT_MAX_SECONDS),
        before_sleep=before_sleep,
        reraise=True,
    )
    return retryer(action)


class ResumableBulk:
    """An ordered ``bulk_write`` that a retry resumes where the failed attempt stopped."""

    def __init__(self, collection: Collection[dict[str, Any]], operations: Sequence[BulkOperation]) -> None:
        self.collection = collection
        self.remaining = list(operations)
        self.attempts = 0

    def __call__(self) -> None:
        while self.remaining:
            retried = self.attempts > 0
            self.attempts += 1
            # In chunks: FerretDB v1 stops answering a write command of 100 or more statements.
            chunk = self.remaining[:UPDATE_BATCH_SIZE]
            try:
                self.collection.bulk_write(chunk, ordered=True)
            except BulkWriteError as error:
                first = (error.details.get("writeErrors") or [{}])[0]
                index = first.get("index")
                if not isinstance(index, int):
                    raise
                if retried and first.get("code") == DUPLICATE_KEY:
                    # The attempt before this one applied it and lost the answer.
                    self.remaining = self.remaining[index + 1 :]
                    continue
                self.remaining = self.remaining[index:]  # everything before it is applied
                raise
            self.remaining = self.remaining[len(chunk) :]


class ResumableInsert:
    """``insert_one`` that a retry after an unknown outcome does not turn into a duplicate-key failure."""

    def __init__(self, collection: Collection[dict[str, Any]], document: dict[str, Any]) -> None:
        self.collection = collection
        self.document = document
        self.attempts = 0

    def __call__(self) -> None:
        retried = self.attempts > 0
        self.attempts += 1
        try:
            self.collection.insert_one(self.document)
        except DuplicateKeyError:
            if not retried:
                raise
