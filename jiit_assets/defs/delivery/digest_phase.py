"""The digest phase of a delivery run: every due daily digest planned, sent and closed.

Runs inside the ``deliveries`` asset after the notices, under the same lease and through the same
ledger writer, so a digest is fenced and recorded exactly like a notice (see ``digest.py`` for
what a digest lists and how it is stored). Telegram subscribers get one message (split within
Telegram's limits), browser subscriptions one push listing the titles. A send that fails stays
open, the subscriber's ``digest_last`` says so, and the next run (the digest sensor requests one
every hour while anything is due) sends it; the ledger entry's ``_id`` makes a second copy
impossible.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from jiit_assets.defs.delivery.digest import (
    POINTER_FIELD,
    Digest,
    DigestRecipient,
    DueDigest,
    ListedNotice,
    as_digest_items,
    close_missing,
    digest_items,
    digest_recipient,
    load_listed,
    next_digest,
    open_digest,
    save_pointer,
)
from jiit_assets.defs.delivery.digest_modes import subscriber_key
from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState
from jiit_assets.defs.delivery.ledger_writer import LeaseLost, LedgerWriter
from jiit_assets.defs.delivery.outcome import TELEGRAM, WEB_PUSH, ChannelProblem
from jiit_assets.defs.delivery.telegram_fanout import TelegramFanout, TelegramNotice, TelegramRecipient
from jiit_assets.defs.delivery.telegram_resource import TelegramConfigError, TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import (
    PushFanout,
    PushNotice,
    PushSubscription,
    load_subscriptions,
)
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.subscribers.timing import MODES_FIELD, digest_messages
from jiit_assets.lib.schema import DELIVERIES, DIGEST_ITEMS, PUSH_SUBSCRIPTIONS, USERS
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import SourceError

Document = dict[str, Any]
Render = Callable[[str, date, list[ListedNotice]], Document]  # (digest notice id, IST day, items)
PUSH_BODY_TITLES = 12


@dataclass
class DigestReport:
    """What the digest phase did on one channel, for the run's metadata."""

    planned: int = 0  # digests planned this run (empty ones included)
    empty: int = 0
    sent: int = 0
    still_open: int = 0  # planned or retried, not sent yet: the next run tries again
    errors: list[str] = field(default_factory=list)


def load_digest_recipients(collection: Collection[Document], channel: str) -> list[DigestRecipient]:
    """The subscribers a digest concerns (one read of the small subscriber collection)."""
    projection = {"chat_id": 1, "user_id": 1, "profile": 1, POINTER_FIELD: 1, MODES_FIELD: 1}
    recipients = []
    for document in collection.find({"is_active": True} if channel == TELEGRAM else {}, projection):
        key = subscriber_key(document, channel)
        recipient = digest_recipient(document, key) if key is not None else None
        if recipient is not None:
            recipients.append(recipient)
    return recipients


def telegram_content(_notice_id: str, day: date, items: list[ListedNotice]) -> Document:
    return {"chunks": digest_messages(day, as_digest_items(items))}


def push_content(notice_id: str, day: date, items: list[ListedNotice]) -> Document:
    titles = [f"• {item.title}" for item in items[:PUSH_BODY_TITLES]]
    if len(items) > PUSH_BODY_TITLES:
        titles.append(f"… and {len(items) - PUSH_BODY_TITLES} more")
    first_url = next((item.url for item in items if item.url), None)
    return {
        "payload": {
            "title": f"📋 {len(items)} placement notice{'s' if len(items) != 1 else ''} — {day:%b} {day.day}",
            "body": "\n".join(titles),
            "url": first_url,
            "notice_id": notice_id,
            "type": "digest",
        }
    }


def _plan(
    recipient: DigestRecipient, due: DueDigest, listed: list[ListedNotice], render: Render, now: datetime
) -> tuple[datetime, list[ListedNotice], Document]:
    """(cutoff, items, content) of a new digest; a catch-up is headed with today's IST date."""
    items = digest_items(recipient, listed, now, catch_up=due.catch_up)
    day = now.astimezone(IST).date() if due.catch_up or due.day is None else due.day
    return now, items, render(due.notice_id, day, items) if items else {}


def prepare_digests(
    db: Database[Document], channel: str, recipients: list[DigestRecipient], render: Render, now: datetime
) -> tuple[list[Digest], DigestReport]:
    """The digests to send now: open ones retried, due ones planned and stored (see digest.py)."""
    report = DigestReport()
    owners = db[USERS if channel == TELEGRAM else PUSH_SUBSCRIPTIONS]
    listed: list[ListedNotice] | None = None
    digests = []
    for recipient in recipients:
        due = next_digest(recipient, now)
        if due is None:
            continue
        planned = None
        if not due.open:
            listed = load_listed(db[DIGEST_ITEMS], now) if listed is None else listed
            planned = _plan(recipient, due, listed, render, now)
        digest = open_digest(db[DELIVERIES], recipient, channel, due, planned)
        if digest is None:
            close_missing(owners, recipient)
            continue
        save_pointer(owners, digest)
        report.planned += int(not due.open)
        report.empty += int(digest.entry.state == LedgerState.EMPTY and not due.open)
        if not digest.entry.done:
            digests.append(digest)
    return digests, report


def finish_digests(owners: Collection[Document], digests: list[Digest], report: DigestReport) -> None:
    for digest in digests:
        save_pointer(owners, digest)
        if digest.entry.state == LedgerState.SENT:
            report.sent += 1
        elif not digest.entry.done:
            report.still_open += 1
        elif digest.entry.reason:
            report.errors.append(f"{digest.entry.id}: {digest.entry.reason}")


async def _send_telegram(
    telegram: TelegramResource,
    writer: LedgerWriter,
    users: Collection[Document],
    log: Any,
    digests: list[Digest],
) -> None:
    async with telegram.open_bot() as bot:
        fanout = TelegramFanout(bot, telegram, writer, users, log)
        entries: dict[str, dict[str, LedgerEntry]] = {}
        for digest in digests:
            entries.setdefault(digest.entry.notice_id, {})[digest.recipient.id] = digest.entry
        sends = [
            fanout.deliver(
                [TelegramNotice(d.entry.notice_id, 1, tuple(d.content.get("chunks") or ()), d.cutoff)],
                [TelegramRecipient(d.recipient.id, subscriber=True, profile=d.recipient.profile)],
                entries,
            )
            for d in digests
        ]
        results = await asyncio.gather(*sends, return_exceptions=True)
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise next((e for e in errors if isinstance(e, LeaseLost | TelegramConfigError)), errors[0])


def telegram_digests(
    db: Database[Document],
    telegram: TelegramResource,
    writer: LedgerWriter,
    problem: ChannelProblem,
    log: logging.Logger | Any,
    now: datetime,
) -> DigestReport:
    """Plan and send the due Telegram digests; an outage leaves them open for the next run."""
    if not telegram.is_configured:
        return DigestReport()
    # TELEGRAM_CHAT_ID chats get every notice at once and no digest, whatever a profile says.
    configured = set(telegram.target_chats())
    recipients = [r for r in load_digest_recipients(db[USERS], TELEGRAM) if r.id not in configured]
    digests, report = prepare_digests(db, TELEGRAM, recipients, telegram_content, now)
    if digests:
        try:
            asyncio.run(_send_telegram(telegram, writer, db[USERS], log, digests))
        except SourceError as error:
            log.error(f"Telegram digests failed; they stay open for the next run: {error}")
            problem.fail(TELEGRAM, str(error), retryable=error.retryable)
            report.errors.append(str(error))
        finish_digests(db[USERS], digests, report)
    return report


def push_digests(
    db: Database[Document],
    web_push: WebPushResource,
    writer: LedgerWriter,
    problem: ChannelProblem,
    log: logging.Logger | Any,
    now: datetime,
) -> DigestReport:
    """Plan and send the due Web Push digests (one push per subscription and IST day)."""
    if not web_push.is_configured:
        return DigestReport()
    recipients = load_digest_recipients(db[PUSH_SUBSCRIPTIONS], WEB_PUSH)
    digests, report = prepare_digests(db, WEB_PUSH, recipients, push_content, now)
    if not digests:
        return report
    try:
        vapid = web_push.vapid()
    except SourceError as error:
        log.error(f"Web Push is misconfigured; digests stay open: {error}")
        problem.fail(WEB_PUSH, str(error), retryable=error.retryable)
        report.errors.append(str(error))
        return report
    owed = [d.recipient.id for d in digests]
    subscriptions = {s.id: s for s in load_subscriptions(db[PUSH_SUBSCRIPTIONS], owed)}
    pairs: list[tuple[PushNotice, PushSubscription]] = []
    entries: dict[str, dict[str, LedgerEntry]] = {}
    for d in digests:
        if d.recipient.id in subscriptions:
            pairs.append(
                (
                    PushNotice(d.entry.notice_id, 1, dict(d.content.get("payload") or {}), d.cutoff),
                    subscriptions[d.recipient.id],
                )
            )
            entries.setdefault(d.entry.notice_id, {})[d.recipient.id] = d.entry
    PushFanout(web_push, vapid, writer, db[PUSH_SUBSCRIPTIONS]).deliver_pairs(pairs, entries)
    finish_digests(db[PUSH_SUBSCRIPTIONS], digests, report)
    return report


def digests_due(db: Database[Document], now: datetime, *, telegram: bool, web_push: bool) -> int:
    """How many subscribers have a digest due and not yet sent (or still open) at ``now``.

    Reads only the subscriber collections (small: one document per subscriber), never the ledger.
    """
    channels = [(USERS, TELEGRAM)] * telegram + [(PUSH_SUBSCRIPTIONS, WEB_PUSH)] * web_push
    return sum(
        1
        for name, channel in channels
        for recipient in load_digest_recipients(db[name], channel)
        if next_digest(recipient, now) is not None
    )
