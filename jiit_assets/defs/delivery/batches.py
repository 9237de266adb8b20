"""What one delivery run hands each fan-out: the batch of items, their stored entries, and the
entries closed before any send (daily-digest subscribers' notices, recorded as ``digested``).

Plain module (no dagster): the ``deliveries`` asset composes these per channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.delivery.digest import cover_by_digest
from jiit_assets.defs.delivery.digest_modes import load_timeline
from jiit_assets.defs.delivery.ledger import LedgerEntry, finish, load_entries
from jiit_assets.defs.delivery.ledger_writer import LedgerWriter
from jiit_assets.defs.delivery.outcome import queued_at
from jiit_assets.defs.delivery.telegram_fanout import TelegramNotice
from jiit_assets.defs.delivery.webpush_fanout import PushNotice
from jiit_assets.defs.reminders.feeds import with_calendar_link
from jiit_assets.defs.subscribers.mentions import base_notice_id
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.targeting import NoticeTargeting

Document = dict[str, Any]


def channel_entries(
    deliveries: Collection[Document], batch: Sequence[TelegramNotice | PushNotice], channel: str
) -> dict[str, dict[str, LedgerEntry]]:
    """The stored entries of every item of the batch (notices and personal mentions), per recipient."""
    return {
        item.notice_id: load_entries(deliveries, item.notice_id, item.revision, channel) for item in batch
    }


def telegram_batch(todo: list[Document], targeting: NoticeTargeting, base_url: str) -> list[TelegramNotice]:
    """The notices, then their personal mentions as items of their own (subscribers/mentions.py).

    A mention's give-up window counts from its notice's queueing.
    """
    batch = [
        TelegramNotice(
            str(n["_id"]),
            int(n.get("revision") or 1),
            with_calendar_link(tuple(n.get("telegram_html") or ()), str(n.get("type") or ""), base_url),
            queued_at(n),
        )
        for n in todo
    ]
    queued = {item.notice_id: item.queued_at for item in batch}
    return batch + [
        TelegramNotice(m.notice_id, m.revision, (m.telegram_html,), queued[base_notice_id(m.notice_id)])
        for m in targeting.mentions_for(queued)
    ]


def push_batch(todo: list[Document], targeting: NoticeTargeting) -> list[PushNotice]:
    """As :func:`telegram_batch`, for Web Push."""
    batch = [
        PushNotice(str(n["_id"]), int(n.get("revision") or 1), dict(n.get("push") or {}), queued_at(n))
        for n in todo
    ]
    queued = {item.notice_id: item.queued_at for item in batch}
    return batch + [
        PushNotice(m.notice_id, m.revision, m.push_payload(), queued[base_notice_id(m.notice_id)])
        for m in targeting.mentions_for(queued)
    ]


def record_digested(
    writer: LedgerWriter,
    entries: dict[str, dict[str, LedgerEntry]],
    profiles: dict[str, Profile | None],
    targeting: NoticeTargeting,
    channel: str,
    configured: list[str],
    collections: tuple[Collection[Document], Collection[Document]],
) -> None:
    """Entries of notices listed while their subscriber was daily-only, closed and recorded as `digested`.

    ``collections`` = (``digest_items``, the channel's subscribers): when each notice was listed
    and each subscriber's digest mode changes (delivery/digest_modes.py).
    """
    timeline = load_timeline(*collections, channel, entries)
    covered = cover_by_digest(entries, profiles, targeting, channel, configured, timeline)
    if covered:
        writer.record([finish(entry, entry.state, entry.reason) for entry in covered]).result()
