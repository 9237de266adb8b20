"""One delivery run at a time, whatever started it, and no send after the lease is lost.

The run queue's tag limit keeps two ``delivery_job`` runs apart, but a hand-launched
"Materialize all" also includes ``deliveries`` and carries no such tag, and a run of another
Dagster instance (another ``DAGSTER_HOME``, a one-off ``dagster asset materialize``) is invisible to
this one. Two runs fanning out the same pending notices would both find the same ledger entries
unfinished and both send, so the asset first takes this lease: a single document in ``locks``
owned by one Dagster run id.

The owner renews ``heartbeat_at`` every ``HEARTBEAT_EVERY`` from a background thread, and the ledger
writer re-confirms the lease before every batch of send intents (:meth:`DeliveryLease.fence`), so a
run that lost its lease stops before its next send. Another run takes the lease over only when the
heartbeat is older than ``STALE_AFTER`` (the owner died or hung), or when this Dagster instance
knows the owner's run has ended and its heartbeat stopped ``ENDED_RUN_GRACE`` ago. A run id this
instance does not know is not presumed dead: it may belong to another instance, so only the
heartbeat's age counts. Every step is one atomic write keyed by ``_id``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

from jiit_assets.defs.delivery.ledger import now_utc
from jiit_assets.lib.vocabulary import aware_utc

DELIVERY_LEASE_ID = "deliveries"
HEARTBEAT_EVERY = timedelta(seconds=10)
STALE_AFTER = timedelta(minutes=5)
ENDED_RUN_GRACE = timedelta(seconds=30)
# The fence trusts a confirmation this recent; far below any take-over threshold above.
FENCE_FRESH_FOR = timedelta(seconds=1)


class RunLiveness(StrEnum):
    RUNNING = "running"  # this instance says the run is queued or in progress
    ENDED = "ended"  # this instance says the run finished (success, failure, cancelled)
    UNKNOWN = "unknown"  # not a run of this instance: only the heartbeat tells


@dataclass(frozen=True)
class LeaseHolder:
    owner: str
    heartbeat_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.heartbeat_at


def may_take_over(holder: LeaseHolder, liveness: RunLiveness, now: datetime) -> bool:
    """Whether a lease held by ``holder`` may be taken from it (see the module docstring)."""
    age = holder.age(now)
    if age > STALE_AFTER:
        return True
    return liveness == RunLiveness.ENDED and age > ENDED_RUN_GRACE


def read_holder(collection: Collection[dict[str, Any]], name: str = DELIVERY_LEASE_ID) -> LeaseHolder | None:
    document = collection.find_one({"_id": name})
    if document is None:
        return None
    return LeaseHolder(str(document["owner"]), aware_utc(document["heartbeat_at"]))


class DeliveryLease:
    """A named lease in the ``locks`` collection, renewed while held."""

    def __init__(
        self,
        collection: Collection[dict[str, Any]],
        owner: str,
        name: str = DELIVERY_LEASE_ID,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.collection = collection
        self.owner = owner
        self.name = name
        self.clock = clock
        self.lost = False
        self._confirmed_at: datetime | None = None
        self._lock = threading.Lock()

    def acquire(self, liveness_of: Callable[[str], RunLiveness]) -> LeaseHolder | None:
        """Take the lease; returns None when taken, else who holds it."""
        now = self.clock()
        try:
            self.collection.insert_one(
                {"_id": self.name, "owner": self.owner, "acquired_at": now, "heartbeat_at": now}
            )
            self._confirmed_at = now
            return None
        except DuplicateKeyError:
            pass
        current = self.collection.find_one({"_id": self.name})
        if current is None:  # released between our insert and our read
            return self.acquire(liveness_of)
        holder = LeaseHolder(str(current["owner"]), aware_utc(current["heartbeat_at"]))
        if holder.owner == self.owner:
            self._confirmed_at = now
            return None
        if not may_take_over(holder, liveness_of(holder.owner), now):
            return holder
        taken = self.collection.find_one_and_update(
            {"_id": self.name, "owner": holder.owner, "heartbeat_at": current["heartbeat_at"]},
            {
                "$set": {
                    "owner": self.owner,
                    "acquired_at": now,
                    "heartbeat_at": now,
                    "took_over": holder.owner,
                }
            },
        )
        if taken is None:  # someone else moved first: look again
            return self.acquire(liveness_of)
        self._confirmed_at = now
        return None

    def heartbeat(self) -> bool:
        """Renew the lease; False (and ``lost``) when another run owns it now."""
        now = self.clock()
        result = self.collection.update_one(
            {"_id": self.name, "owner": self.owner}, {"$set": {"heartbeat_at": now}}
        )
        with self._lock:
            if result.matched_count == 1 and not self.lost:
                self._confirmed_at = now
            else:
                self.lost = True
            return not self.lost

    def fence(self) -> bool:
        """Whether this run still holds the lease, confirmed at most ``FENCE_FRESH_FOR`` ago."""
        with self._lock:
            if self.lost:
                return False
            confirmed = self._confirmed_at
        if confirmed is not None and self.clock() - confirmed <= FENCE_FRESH_FOR:
            return True
        return self.heartbeat()

    @contextmanager
    def kept_alive(self, every: timedelta = HEARTBEAT_EVERY) -> Iterator[DeliveryLease]:
        """Heartbeat from a background thread while the block runs; release the lease afterwards."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every.total_seconds()):
                try:
                    if not self.heartbeat():
                        return
                except PyMongoError:
                    continue  # the database is briefly away; the next beat tries again

        thread = threading.Thread(target=beat, name="delivery-lease-heartbeat", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
            self.release()

    def release(self) -> None:
        self.collection.delete_one({"_id": self.name, "owner": self.owner})


def stale_run_reason(
    run_id: str, started_at: datetime | None, holder: LeaseHolder | None, now: datetime
) -> str | None:
    """Why a delivery run that its instance still calls in progress is dead (killed, hung), else None.

    A run killed by the OOM killer or a restart stays STARTED forever under the default run
    launcher. While delivering it renews its lease every ``HEARTBEAT_EVERY``, so a heartbeat older
    than ``STALE_AFTER`` means it stopped; a run that holds no lease at all only lives that long
    when it died before taking the lease or after releasing it.
    """
    if holder is not None and holder.owner == run_id:
        if holder.age(now) > STALE_AFTER:
            return f"its delivery lease heartbeat stopped {holder.age(now).total_seconds() / 60:.0f} min ago"
        return None
    if started_at is not None and now - started_at > STALE_AFTER:
        return f"it has held no delivery lease for {(now - started_at).total_seconds() / 60:.0f} min since it started"
    return None
