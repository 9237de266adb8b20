"""The ``deliveries`` asset: every pending notice delivered on every configured channel.

Reads the notices awaiting delivery through the ``outbox`` (``lib/outbox.py``), oldest first, and
fans each out per channel (Telegram to the ``TELEGRAM_CHAT_ID`` chats plus every active subscriber
in ``users``, Web Push to every subscription in ``push_subscriptions``) through the ``deliveries``
ledger (``ledger.py``: the exactly-once protocol, the crash and give-up policies). Subscribers'
profiles decide who wants each notice, and listed students get a personal mention as an item of
its own (``subscribers/targeting.py``, ``subscribers/mentions.py``). Afterwards each notice's
channel state is settled (``outcome.py``), its mentions counting towards it.

The channels are independent: an outage or a configuration mistake of one (Telegram's getMe
timing out, a wrong VAPID key) is recorded for that channel, whose notices stay pending, while the
other channel delivers; the run then fails, naming the failing channel, so the operator sees it and
the sensor retries it later.

Only one delivery run works at a time, whether the sensor, a schedule or a hand-launched
"Materialize all" started it: the run takes a lease first (``lease.py``), renews it while it runs,
and every batch of sends is fenced on still holding it; a run that loses it stops before its next
send, and a run that finds another one delivering sends nothing.

Persistence: the ledger and the notices' states are written directly, not returned to the IO
manager, because exactly-once depends on the order of those writes (intent before each send,
outcome after it, notice state last).
"""

# No `from __future__ import annotations`: Dagster checks the `context` annotation at runtime.
import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.batches import channel_entries, push_batch, record_digested, telegram_batch
from jiit_assets.defs.delivery.digest import list_notices
from jiit_assets.defs.delivery.digest_phase import DigestReport, push_digests, telegram_digests
from jiit_assets.defs.delivery.lease import DeliveryLease, RunLiveness
from jiit_assets.defs.delivery.ledger import LedgerEntry, recover_intents
from jiit_assets.defs.delivery.ledger_writer import LeaseLost, LedgerWriter
from jiit_assets.defs.delivery.legacy_subscribers import with_legacy_subscribers
from jiit_assets.defs.delivery.outcome import (
    TELEGRAM,
    WEB_PUSH,
    ChannelProblem,
    NoticeResult,
    results_table,
    settle_update,
    state_counts,
    tally,
)
from jiit_assets.defs.delivery.telegram_fanout import (
    TelegramFanout,
    TelegramNotice,
    TelegramRecipient,
    TelegramReport,
    load_recipients,
)
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import PushFanout, PushReport, load_subscriptions
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.subscribers.targeting import NoticeTargeting, hold_quiet
from jiit_assets.lib.metadata import md_inline
from jiit_assets.lib.models import DeliveryState
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import pending_notices, read_pending, settle
from jiit_assets.lib.runs import IN_PROGRESS_RUN_STATUSES
from jiit_assets.lib.schema import (
    DELIVERIES,
    DELIVERY_INTENTS,
    DIGEST_ITEMS,
    ENRICHED_JOBS,
    LOCKS,
    NOTICES,
    PUSH_SUBSCRIPTIONS,
    USERS,
)
from jiit_assets.lib.vocabulary import OWNERS, SourceError

Document = dict[str, Any]
_NOTICE_FIELDS = dict.fromkeys(
    (
        *("revision", "telegram_html", "push", "delivery", "title", "created_at", "updated_at"),
        # What subscribers' profiles are matched against (subscribers/targeting.py).
        *("type", "company", "package_lpa", "job_id", "text", "role", "url", "students"),
    ),
    1,
)


def run_clock() -> datetime:
    """The time the run's time-of-day rules (quiet hours, daily digests) go by; tests freeze it."""
    return datetime.now(UTC)


def run_liveness(instance: dg.DagsterInstance, run_id: str) -> RunLiveness:
    """What this Dagster instance knows about a lease owner's run."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        return RunLiveness.UNKNOWN
    return RunLiveness.RUNNING if run.status in IN_PROGRESS_RUN_STATUSES else RunLiveness.ENDED


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
    lease = DeliveryLease(mongo.collection(LOCKS), owner=context.run.run_id)
    holder = lease.acquire(lambda run_id: run_liveness(context.instance, run_id))
    if holder is not None:
        context.log.warning(
            f"Delivery run {holder.owner} is still in progress; this run sends nothing and leaves "
            "the pending notices to it (the sensor requests another run for anything left over)."
        )
        return dg.MaterializeResult(
            metadata={"notices": 0, "skipped_because": f"delivery run {holder.owner} in progress"}
        )
    intents = mongo.collection(DELIVERY_INTENTS)
    writer = LedgerWriter(mongo.collection(DELIVERIES), intents, owner=context.run.run_id, fence=lease.fence)
    with lease.kept_alive(), writer:
        try:
            # Sends a dead run left in flight are marked possibly delivered before anything is sent.
            recovered = recover_intents(intents, mongo.collection(DELIVERIES))
            problem, metadata = _deliver(context, mongo, telegram, web_push, writer)
            metadata["possible_duplicates"] += recovered
        except LeaseLost:
            raise dg.Failure(
                description=(
                    "This delivery run lost its lease to another delivery run (its heartbeat was late); "
                    "it stopped before its next send and leaves the pending notices to that run."
                ),
                allow_retries=False,
            ) from None
    if problem.errors:
        failing = "; ".join(f"{channel}: {message}" for channel, message in sorted(problem.errors.items()))
        error = SourceError(f"delivery channel failing — {failing}", retryable=not problem.permanent)
        failure = error.as_failure()
        raise dg.Failure(
            description=failure.description, metadata=metadata, allow_retries=failure.allow_retries
        )
    return dg.MaterializeResult(metadata=metadata)


def _deliver(
    context: dg.AssetExecutionContext,
    mongo: MongoResource,
    telegram: TelegramResource,
    web_push: WebPushResource,
    writer: LedgerWriter,
) -> tuple[ChannelProblem, dict[str, Any]]:
    db = mongo.db()
    notices = pending_notices(db, read_pending(db), _NOTICE_FIELDS)
    results = {
        str(n["_id"]): NoticeResult(str(n["_id"]), int(n.get("revision") or 1), str(n.get("title") or ""))
        for n in notices
    }
    if not notices:
        context.log.info("No notices pending delivery.")
    problem = ChannelProblem()
    targeting = NoticeTargeting.load(notices, mongo.collection(ENRICHED_JOBS))
    # Listed before any send, so a daily subscriber's notice closed as `digested` below is in
    # their next digest.
    list_notices(mongo.collection(DIGEST_ITEMS), notices, targeting, run_clock())
    telegram_report = _telegram_phase(context, mongo, telegram, writer, notices, results, problem, targeting)
    push_report = _push_phase(context, mongo, web_push, writer, notices, results, problem, targeting)
    give_up = {
        TELEGRAM: timedelta(seconds=telegram.give_up_after_seconds),
        WEB_PUSH: timedelta(seconds=web_push.give_up_after_seconds),
    }
    now = datetime.now(UTC)
    collection = mongo.collection(NOTICES)
    for notice in notices:
        update = settle_update(notice, results[str(notice["_id"])], problem, give_up, now)
        if update:
            collection.update_one(
                {"_id": notice["_id"], "revision": notice.get("revision")}, {"$set": update}
            )
            if update.get("pending") is False:
                # After the notice is marked: a crash in between leaves a stale entry the next read removes.
                settle(db, str(notice["_id"]), int(notice.get("revision") or 1))
    now = run_clock()
    # A channel that just failed on the notices is not tried again for digests in this run.
    digests = {
        TELEGRAM: DigestReport()
        if TELEGRAM in problem.errors
        else telegram_digests(db, telegram, writer, problem, context.log, now),
        WEB_PUSH: DigestReport()
        if WEB_PUSH in problem.errors
        else push_digests(db, web_push, writer, problem, context.log, now),
    }
    return problem, _metadata(results, telegram_report, push_report, problem, writer) | _digest_metadata(
        digests
    )


def _channel_todo(
    context: dg.AssetExecutionContext,
    notices: list[Document],
    channel: str,
    configured: bool,
    problem: ChannelProblem,
    variable: str,
) -> list[Document]:
    """The notices pending on ``channel``; none (recorded as skipped) when it is not configured."""
    todo = [n for n in notices if (n.get("delivery") or {}).get(channel) == DeliveryState.PENDING]
    if todo and not configured:
        context.log.info(f"{channel} is not configured ({variable} unset): {len(todo)} notices skipped.")
        problem.skipped[channel] = "not configured"
        return []
    return todo


def _telegram_phase(
    context: dg.AssetExecutionContext,
    mongo: MongoResource,
    telegram: TelegramResource,
    writer: LedgerWriter,
    notices: list[Document],
    results: dict[str, NoticeResult],
    problem: ChannelProblem,
    targeting: NoticeTargeting,
) -> TelegramReport:
    todo = _channel_todo(context, notices, TELEGRAM, telegram.is_configured, problem, "TELEGRAM_BOT_TOKEN")
    if not todo:
        return TelegramReport()
    recipients = load_recipients(telegram, mongo.collection(USERS))
    recipients = with_legacy_subscribers(recipients, mongo.db(), telegram.legacy_users_collection)
    if not recipients:
        context.log.info("Telegram has no recipients (TELEGRAM_CHAT_ID empty, no active users): skipped.")
        problem.skipped[TELEGRAM] = "no recipients"
        return TelegramReport()
    batch = telegram_batch(todo, targeting, telegram.public_url)
    entries = channel_entries(mongo.collection(DELIVERIES), batch, TELEGRAM)
    # Recipients whose profile does not want an item are closed in memory, never sent to; the
    # TELEGRAM_CHAT_ID chats get every notice and no personal mention.
    configured = [r.chat_id for r in recipients if not r.subscriber]
    profiles = {r.chat_id: r.profile for r in recipients}
    targeting.close_unwanted(entries, profiles, TELEGRAM, configured)
    listed = mongo.collection(DIGEST_ITEMS)
    record_digested(
        writer, entries, profiles, targeting, TELEGRAM, configured, (listed, mongo.collection(USERS))
    )
    # Subscribers inside their quiet hours are left out of this run; their entries stay open.
    revisions = {item.notice_id: item.revision for item in batch}
    held = hold_quiet(entries, revisions, profiles, TELEGRAM, run_clock(), configured)
    awake = [r for r in recipients if r.chat_id not in held]
    try:
        report = asyncio.run(_telegram(telegram, writer, mongo, context, batch, awake, entries))
    except SourceError as error:
        context.log.error(f"Telegram channel failed; its notices stay pending: {error}")
        problem.fail(TELEGRAM, str(error), retryable=error.retryable)
        return TelegramReport(errors=[str(error)])
    tally(results, TELEGRAM, entries, {r.chat_id for r in recipients})
    if report.configured_chat_errors:
        problem.fail(TELEGRAM, report.configured_chat_errors[0], retryable=True)
    return report


async def _telegram(
    resource: TelegramResource,
    writer: LedgerWriter,
    mongo: MongoResource,
    context: dg.AssetExecutionContext,
    batch: list[TelegramNotice],
    recipients: list[TelegramRecipient],
    entries: dict[str, dict[str, LedgerEntry]],
) -> TelegramReport:
    async with resource.open_bot() as bot:
        fanout = TelegramFanout(bot, resource, writer, mongo.collection(USERS), context.log)
        return await fanout.deliver(batch, recipients, entries)


def _push_phase(
    context: dg.AssetExecutionContext,
    mongo: MongoResource,
    web_push: WebPushResource,
    writer: LedgerWriter,
    notices: list[Document],
    results: dict[str, NoticeResult],
    problem: ChannelProblem,
    targeting: NoticeTargeting,
) -> PushReport:
    todo = _channel_todo(context, notices, WEB_PUSH, web_push.is_configured, problem, "VAPID_PRIVATE_KEY")
    if not todo:
        return PushReport()
    try:
        vapid = web_push.vapid()
    except SourceError as error:
        context.log.error(f"Web Push is misconfigured; its notices stay pending: {error}")
        problem.fail(WEB_PUSH, str(error), retryable=error.retryable)
        return PushReport(errors=[str(error)])
    subscriptions = load_subscriptions(mongo.collection(PUSH_SUBSCRIPTIONS))
    if not subscriptions:
        context.log.info("Web Push has no subscriptions: skipped.")
        problem.skipped[WEB_PUSH] = "no recipients"
        return PushReport()
    batch = push_batch(todo, targeting)
    entries = channel_entries(mongo.collection(DELIVERIES), batch, WEB_PUSH)
    profiles = {s.id: s.profile for s in subscriptions}
    targeting.close_unwanted(entries, profiles, WEB_PUSH)
    subscribers = (mongo.collection(DIGEST_ITEMS), mongo.collection(PUSH_SUBSCRIPTIONS))
    record_digested(writer, entries, profiles, targeting, WEB_PUSH, [], subscribers)
    # Browser subscriptions set quiet hours on the subscription page: held as on Telegram.
    revisions = {item.notice_id: item.revision for item in batch}
    held = hold_quiet(entries, revisions, profiles, WEB_PUSH, run_clock())
    awake = [s for s in subscriptions if s.id not in held]
    report = PushFanout(web_push, vapid, writer, mongo.collection(PUSH_SUBSCRIPTIONS)).deliver(
        batch, awake, entries
    )
    tally(results, WEB_PUSH, entries, {s.id for s in subscriptions})
    return report


def _digest_metadata(reports: dict[str, DigestReport]) -> dict[str, Any]:
    return {
        "digests_planned": sum(r.planned for r in reports.values()),
        "digests_sent": sum(r.sent for r in reports.values()),
        "digests_empty": sum(r.empty for r in reports.values()),
        "digests_still_open": sum(r.still_open for r in reports.values()),
        "digest_errors": dg.MetadataValue.md(
            "\n".join(f"- {md_inline(error, 200)}" for r in reports.values() for error in r.errors[:10])
            or "none"
        ),
    }


def _metadata(
    results: dict[str, NoticeResult],
    telegram: TelegramReport,
    push: PushReport,
    problem: ChannelProblem,
    writer: LedgerWriter,
) -> dict[str, Any]:
    states = state_counts(results)
    errors = [*telegram.errors, *push.errors]
    return {
        "notices": len(results),
        "sent": states[DeliveryState.SENT],
        "failed": states[DeliveryState.FAILED],
        "skipped": states[DeliveryState.SKIPPED],
        "still_pending": states[DeliveryState.PENDING],
        "telegram_messages_sent": telegram.messages_sent,
        "web_pushes_sent": push.pushes_sent,
        "rate_limited_429s_absorbed": telegram.rate_limited + push.rate_limited,
        "plain_text_fallbacks": telegram.plain_text_fallbacks,
        "possible_duplicates": telegram.unconfirmed_resent + push.unconfirmed_resent,
        "deactivated_chats": len(telegram.deactivated_chats),
        "deleted_subscriptions": len(push.deleted_subscriptions),
        "ledger_writes": writer.stats.writes,
        "ledger_operations": writer.stats.operations,
        "ledger_write_retries": writer.stats.retries,
        "skipped_channels": dg.MetadataValue.json(problem.skipped),
        "failing_channels": dg.MetadataValue.json(problem.errors),
        "results": dg.MetadataValue.md(results_table(results)),
        "errors": dg.MetadataValue.md("\n".join(f"- {error}" for error in errors[:20]) or "none"),
    }
