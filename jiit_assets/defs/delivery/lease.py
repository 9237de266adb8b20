"""One delivery run at a time, whatever started it.

The run queue's tag limit keeps two ``delivery_job`` runs apart, but a hand-launched
"Materialize all" also includes ``deliveries`` and carries no such tag. Two runs fanning out
the same pending notices would both find the same ledger entries unfinished and both send, so the
asset first takes this lease: a single document in ``locks`` owned by one Dagster run id.

A lease whose owner is no longer running (the instance says the run ended, or does not know it)
or whose heartbeat is older than ``STALE_AFTER`` is taken over, so a crashed run never blocks
delivery for long. Every step is one atomic write keyed by ``_id``, which MongoDB and FerretDB
both serialise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

DELIVERY_LEASE_ID = "deliveries"
STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class LeaseHolder:
    owner: str
    heartbeat_at: datetime


class DeliveryLease:
    """A named lease in the ``locks`` collection."""

    def __init__(self, collection: Collection[dict[str, Any]], owner: str, name: str = DELIVERY_LEASE_ID):
        self.collection = collection
        self.owner = owner
        self.name = name

    def acquire(self, owner_is_running: Callable[[str], bool]) -> LeaseHolder | None:
        """Take the lease; returns None when taken, else who holds it."""
        now = datetime.now(UTC)
        try:
            self.collection.insert_one(
                {"_id": self.name, "owner": self.owner, "acquired_at": now, "heartbeat_at": now}
            )
            return None
        except DuplicateKeyError:
            pass
        current = self.collection.find_one({"_id": self.name})
        if current is None:  # released between our insert and our read
            return self.acquire(owner_is_running)
        holder = LeaseHolder(str(current["owner"]), _aware(current["heartbeat_at"]))
        if holder.owner == self.owner:
            return None
        stale = now - holder.heartbeat_at > STALE_AFTER
        if not stale and owner_is_running(holder.owner):
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
        return None if taken is not None else self.acquire(owner_is_running)

    def heartbeat(self) -> None:
        self.collection.update_one(
            {"_id": self.name, "owner": self.owner}, {"$set": {"heartbeat_at": datetime.now(UTC)}}
        )

    def release(self) -> None:
        self.collection.delete_one({"_id": self.name, "owner": self.owner})


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
