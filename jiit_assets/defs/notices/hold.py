"""Held notices: queued, but not sent until an operator releases them.

Two things hold a notice: the flood guard (one run would make more than ``NOTICES_FLOOD_LIMIT``
notices pending at once: a portal that changed a field type could otherwise re-send every notice
to every student) and a missing publish and edit date (the backlog rule cannot tell whether it is
history). A held notice is stored with delivery state ``held`` and no outbox entry, and listed in
``held_notices``; the ``no_notices_held`` check fails while the list is not empty.

The operator releases them (delivery pending, outbox entries written first) or discards them
(delivery skipped) by materializing ``notices`` with ``release_held`` or ``discard_held``, e.g.
through the ``release_held_notices_job``. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from jiit_assets.lib.models import CHANNELS, DeliveryState
from jiit_assets.lib.mongo_writes import Document, bulk_write_chunked
from jiit_assets.lib.outbox import OutboxEntry, enqueue
from jiit_assets.lib.schema import HELD_NOTICES, NOTICES

DEFAULT_FLOOD_LIMIT = 50


@dataclass(frozen=True)
class HeldNotice:
    notice_id: str
    revision: int
    reason: str
    held_at: datetime

    def to_document(self) -> Document:
        return {
            "_id": self.notice_id,
            "revision": self.revision,
            "reason": self.reason,
            "held_at": self.held_at,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> HeldNotice:
        held_at = document.get("held_at")
        return cls(
            str(document["_id"]),
            int(document.get("revision") or 1),
            str(document.get("reason") or ""),
            held_at if isinstance(held_at, datetime) else datetime.fromtimestamp(0, tz=UTC),
        )


def parse_flood_limit(text: str) -> int | None:
    """``NOTICES_FLOOD_LIMIT``: a count (default 50); ``off`` or ``0`` turns the guard off."""
    value = text.strip().lower()
    if not value:
        return DEFAULT_FLOOD_LIMIT
    if value in ("off", "none", "0"):
        return None
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"NOTICES_FLOOD_LIMIT must be a whole number or 'off', got {text[:20]!r}") from None
    if limit < 0:
        raise ValueError("NOTICES_FLOOD_LIMIT must not be negative")
    return limit


def hold(db: Database[Document], held: Iterable[HeldNotice]) -> None:
    """List held notices (upserts by ``_id``; a newer revision replaces an older hold)."""
    operations = [
        UpdateOne({"_id": notice.notice_id}, {"$set": notice.to_document()}, upsert=True) for notice in held
    ]
    if operations:
        bulk_write_chunked(db[HELD_NOTICES], operations)


def read_held(db: Database[Document]) -> list[HeldNotice]:
    """Every held notice (the collection holds only those), oldest first."""
    held = [HeldNotice.from_document(document) for document in db[HELD_NOTICES].find({})]
    return sorted(held, key=lambda notice: (notice.held_at, notice.notice_id))


def release(db: Database[Document], now: datetime) -> list[str]:
    """Send every held notice: outbox entry first, then delivery pending, then drop the hold."""
    held = _current_holds(db)
    enqueue(db, (OutboxEntry(notice.notice_id, notice.revision, now) for notice in held))
    return _settle(db, held, DeliveryState.PENDING, f"released by an operator at {now:%Y-%m-%d %H:%M} UTC")


def discard(db: Database[Document], now: datetime) -> list[str]:
    """Never send the held notices: delivery skipped, with the operator's decision as the note."""
    held = _current_holds(db)
    return _settle(db, held, DeliveryState.SKIPPED, f"discarded by an operator at {now:%Y-%m-%d %H:%M} UTC")


def _settle(db: Database[Document], held: list[HeldNotice], state: DeliveryState, note: str) -> list[str]:
    """Set every channel of the held notices to ``state`` with the operator's note, then drop the holds."""
    update = {f"delivery.{channel}": str(state) for channel in CHANNELS}
    for notice in held:
        db[NOTICES].update_one(
            {"_id": notice.notice_id},
            {"$set": {**update, "pending": state == DeliveryState.PENDING, "delivery_note": note}},
        )
        db[HELD_NOTICES].delete_one({"_id": notice.notice_id})
    return [notice.notice_id for notice in held]


def _current_holds(db: Database[Document]) -> list[HeldNotice]:
    """Holds whose notice still has the held revision; holds overtaken by an edit are dropped."""
    current: list[HeldNotice] = []
    for notice in read_held(db):
        stored = db[NOTICES].find_one({"_id": notice.notice_id}, {"revision": 1, "delivery": 1})
        still_held = (
            stored is not None
            and int(stored.get("revision") or 1) == notice.revision
            and DeliveryState.HELD in (stored.get("delivery") or {}).values()
        )
        if still_held:
            current.append(notice)
        else:
            db[HELD_NOTICES].delete_one({"_id": notice.notice_id})
    return current
