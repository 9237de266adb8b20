"""The ``deliveries`` asset: every pending notice delivered on every configured channel.

Reads the notices with ``pending: true`` through the ``(pending, created_at)`` index, oldest first,
and fans each out per channel — Telegram to the ``TELEGRAM_CHAT_ID`` chats plus every active
subscriber in ``users``, Web Push to every subscription in ``push_subscriptions`` — through the
``deliveries`` ledger (see ``jiit_assets.defs.delivery.ledger`` for the exactly-once protocol and the crash
and failure policies). Afterwards each notice's channel state is settled:

* ``sent``    every recipient is done (sent, or gone: blocked bot / expired subscription);
* ``failed``  every recipient is done but some failed for good (permanent error, or transient
              errors in ``MAX_RUNS_PER_RECIPIENT`` runs); the reasons stay in ``deliveries``;
* ``skipped`` the channel is not configured, or it has no recipients at all (reason in
              ``delivery_reasons.<channel>``) — so an unconfigured channel never loops;
* ``pending`` some recipients are parked for a later run (the sensor requests another run).

Only one delivery run works at a time, whether the sensor, a schedule or a hand-launched
"Materialize all" started it: the run takes a lease first (``jiit_assets.defs.delivery.lease``) and a run
that finds another one delivering sends nothing.

``pending`` turns false once no channel is pending. The settle step only writes if the notice's
``revision`` is still the one delivered: an edit during the run re-queues the new revision intact.
"""

# No `from __future__ import annotations`: Dagster checks the `context` annotation at runtime.
import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.lease import DeliveryLease
from jiit_assets.defs.delivery.ledger import DeliveryLedger, LedgerEntry, LedgerState
from jiit_assets.defs.delivery.telegram_fanout import (
    TelegramFanout,
    TelegramNotice,
    TelegramRecipient,
    TelegramReport,
    load_recipients,
)
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import PushFanout, PushNotice, PushReport, load_subscriptions
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.models import CHANNELS, DeliveryState
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.runs import IN_PROGRESS_RUN_STATUSES
from jiit_assets.lib.schema import DELIVERIES, LOCKS, NOTICES, PUSH_SUBSCRIPTIONS, USERS
from jiit_assets.lib.vocabulary import OWNERS

Document = dict[str, Any]
TELEGRAM, WEB_PUSH = CHANNELS
PREVIEW_ROWS = 25
_NOTICE_FIELDS = {"revision": 1, "telegram_html": 1, "push": 1, "delivery": 1, "title": 1, "created_at": 1}


@dataclass
class NoticeResult:
    notice_id: str
    revision: int
    title: str
    states: dict[str, str] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=dict)


def settle_channel(entries: list[LedgerEntry]) -> DeliveryState:
    """A notice's state on one channel from its recipients' ledger entries."""
    if any(not entry.done for entry in entries):
        return DeliveryState.PENDING
    if any(entry.state == LedgerState.FAILED for entry in entries):
        return DeliveryState.FAILED
    return DeliveryState.SENT


@dg.asset(
    group_name="delivery",
    kinds={"telegram", "webpush", "mongodb"},
    owners=OWNERS,
    deps=[dg.AssetKey("notices")],
    # A backstop to the delivery job's run tag: two steps sending the same notices never overlap.
    pool="delivery",
    description=(
        "Sends every pending notice on Telegram and Web Push, exactly once per recipient, recording "
        "each send in the `deliveries` ledger before and after it. Re-runs and crashes resume where "
        "they stopped."
    ),
)
def deliveries(
    context: dg.AssetExecutionContext,
    mongo: MongoResource,
    telegram: TelegramResource,
    web_push: WebPushResource,
) -> dg.MaterializeResult:
    # A misconfigured Web Push (bad key, placeholder subject) fails the run before anything is sent.
    vapid = web_push.vapid() if web_push.is_configured else None
    lease = DeliveryLease(mongo.collection(LOCKS), owner=context.run.run_id)
    holder = lease.acquire(lambda run_id: _run_in_progress(context.instance, run_id))
    if holder is not None:
        context.log.warning(
            f"Delivery run {holder.owner} is still in progress; this run sends nothing and leaves "
            "the pending notices to it (the sensor requests another run for anything left over)."
        )
        return dg.MaterializeResult(
            metadata={"notices": 0, "skipped_because": f"delivery run {holder.owner} in progress"}
        )
    try:
        return _deliver(context, mongo, telegram, web_push, vapid, lease)
    finally:
        lease.release()


def _run_in_progress(instance: dg.DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is not None and run.status in IN_PROGRESS_RUN_STATUSES


def _deliver(
    context: dg.AssetExecutionContext,
    mongo: MongoResource,
    telegram: TelegramResource,
    web_push: WebPushResource,
    vapid: Any,
    lease: DeliveryLease,
) -> dg.MaterializeResult:
    notices = list(mongo.collection(NOTICES).find({"pending": True}, _NOTICE_FIELDS).sort("created_at", 1))
    ledger = DeliveryLedger(mongo.collection(DELIVERIES))
    results = {
        str(n["_id"]): NoticeResult(str(n["_id"]), int(n.get("revision") or 1), str(n.get("title") or ""))
        for n in notices
    }
    if not notices:
        context.log.info("No notices pending delivery.")
    reasons: dict[str, str] = {}
    telegram_report = TelegramReport()
    push_report = PushReport()

    todo = [n for n in notices if (n.get("delivery") or {}).get(TELEGRAM) == DeliveryState.PENDING]
    if todo and not telegram.is_configured:
        context.log.info(
            f"Telegram is not configured (TELEGRAM_BOT_TOKEN unset): {len(todo)} notices skipped."
        )
        reasons[TELEGRAM] = "not configured"
    elif todo:
        recipients = load_recipients(telegram, mongo.collection(USERS))
        if not recipients:
            context.log.info("Telegram has no recipients (TELEGRAM_CHAT_ID empty, no active users): skipped.")
            reasons[TELEGRAM] = "no recipients"
        else:
            batch = [
                TelegramNotice(
                    str(n["_id"]), int(n.get("revision") or 1), tuple(n.get("telegram_html") or ())
                )
                for n in todo
            ]
            entries = {n.notice_id: ledger.load(n.notice_id, n.revision, TELEGRAM) for n in batch}
            telegram_report = asyncio.run(
                _telegram(telegram, ledger, mongo, context, batch, recipients, entries)
            )
            _tally(results, TELEGRAM, entries, {r.chat_id for r in recipients})

    lease.heartbeat()
    todo = [n for n in notices if (n.get("delivery") or {}).get(WEB_PUSH) == DeliveryState.PENDING]
    if todo and not web_push.is_configured:
        context.log.info(
            f"Web Push is not configured (VAPID_PRIVATE_KEY unset): {len(todo)} notices skipped."
        )
        reasons[WEB_PUSH] = "not configured"
    elif todo and vapid is not None:
        subscriptions = load_subscriptions(mongo.collection(PUSH_SUBSCRIPTIONS))
        if not subscriptions:
            context.log.info("Web Push has no subscriptions: skipped.")
            reasons[WEB_PUSH] = "no recipients"
        else:
            push_batch = [
                PushNotice(str(n["_id"]), int(n.get("revision") or 1), dict(n.get("push") or {}))
                for n in todo
            ]
            entries = {n.notice_id: ledger.load(n.notice_id, n.revision, WEB_PUSH) for n in push_batch}
            fanout = PushFanout(web_push, vapid, ledger, mongo.collection(PUSH_SUBSCRIPTIONS))
            push_report = fanout.deliver(push_batch, subscriptions, entries)
            _tally(results, WEB_PUSH, entries, {s.id for s in subscriptions})

    _settle(mongo, notices, results, reasons)
    return dg.MaterializeResult(metadata=_metadata(results, telegram_report, push_report, reasons))


async def _telegram(
    resource: TelegramResource,
    ledger: DeliveryLedger,
    mongo: MongoResource,
    context: dg.AssetExecutionContext,
    batch: list[TelegramNotice],
    recipients: list[TelegramRecipient],
    entries: dict[str, dict[str, LedgerEntry]],
) -> TelegramReport:
    async with resource.open_bot() as bot:
        fanout = TelegramFanout(bot, resource, ledger, mongo.collection(USERS), context.log)
        return await fanout.deliver(batch, recipients, entries)


def _tally(
    results: dict[str, NoticeResult],
    channel: str,
    entries: dict[str, dict[str, LedgerEntry]],
    recipients: set[str],
) -> None:
    """Settle each notice on ``channel`` from the entries of this run's recipients."""
    for notice_id, by_recipient in entries.items():
        current = [entry for recipient, entry in by_recipient.items() if recipient in recipients]
        result = results[notice_id]
        result.states[channel] = str(settle_channel(current))
        result.counts[channel] = Counter(str(entry.state) for entry in current)


def _settle(
    mongo: MongoResource,
    notices: list[Document],
    results: dict[str, NoticeResult],
    reasons: dict[str, str],
) -> None:
    collection = mongo.collection(NOTICES)
    for notice in notices:
        result = results[str(notice["_id"])]
        delivery = dict(notice.get("delivery") or {})
        update: Document = {}
        for channel in CHANNELS:
            if delivery.get(channel) != DeliveryState.PENDING:
                result.states.setdefault(channel, str(delivery.get(channel) or "—"))
                continue
            if channel in reasons:
                result.states[channel] = str(DeliveryState.SKIPPED)
                update[f"delivery_reasons.{channel}"] = reasons[channel]
            state = result.states.get(channel, str(DeliveryState.PENDING))
            delivery[channel] = state
            update[f"delivery.{channel}"] = state
        if not update:
            continue
        pending = any(state == DeliveryState.PENDING for state in delivery.values())
        update["pending"] = pending
        update["sent_to_telegram"] = delivery.get(TELEGRAM) == DeliveryState.SENT
        if not pending:
            update["delivered_at"] = datetime.now(UTC)
        collection.update_one({"_id": notice["_id"], "revision": notice.get("revision")}, {"$set": update})


def _metadata(
    results: dict[str, NoticeResult],
    telegram: TelegramReport,
    push: PushReport,
    reasons: dict[str, str],
) -> dict[str, Any]:
    states: Counter[str] = Counter()
    for result in results.values():
        for channel in CHANNELS:
            states[f"{channel}_{result.states.get(channel, '—')}"] += 1
    lines = [
        "| notice | rev | telegram | web push |",
        "|---|---|---|---|",
    ]
    for result in list(results.values())[:PREVIEW_ROWS]:
        cells = []
        for channel in CHANNELS:
            counts = result.counts.get(channel)
            detail = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) if counts else ""
            cells.append(f"{result.states.get(channel, '—')}" + (f" ({detail})" if detail else ""))
        title = result.title.replace("|", "/")[:60]
        lines.append(f"| `{result.notice_id}` {title} | {result.revision} | {cells[0]} | {cells[1]} |")
    if len(results) > PREVIEW_ROWS:
        lines.append(f"| … {len(results) - PREVIEW_ROWS} more | | | |")
    errors = [*telegram.errors, *push.errors]
    return {
        "notices": len(results),
        "sent": sum(n for key, n in states.items() if key.endswith("_sent")),
        "failed": sum(n for key, n in states.items() if key.endswith("_failed")),
        "skipped": sum(n for key, n in states.items() if key.endswith("_skipped")),
        "still_pending": sum(n for key, n in states.items() if key.endswith("_pending")),
        "telegram_messages_sent": telegram.messages_sent,
        "web_pushes_sent": push.pushes_sent,
        "rate_limited_429s_absorbed": telegram.rate_limited + push.rate_limited,
        "plain_text_fallbacks": telegram.plain_text_fallbacks,
        "possible_duplicates": telegram.unconfirmed_resent + push.unconfirmed_resent,
        "deactivated_chats": len(telegram.deactivated_chats),
        "deleted_subscriptions": len(push.deleted_subscriptions),
        "skipped_channels": dg.MetadataValue.json(reasons),
        "results": dg.MetadataValue.md("\n".join(lines)),
        "errors": dg.MetadataValue.md("\n".join(f"- {error}" for error in errors[:20]) or "none"),
    }
