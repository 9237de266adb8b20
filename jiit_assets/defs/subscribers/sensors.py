"""``telegram_commands_sensor``: students' messages to the bot, handled exactly once.

The sensor's cursor holds the next ``getUpdates`` offset (and what the last tick did), so the
offset advances only when a tick completes, after every effect it covers is stored. Each tick
long-polls for a few seconds, so with a 10-second interval a student's reply arrives well within a
minute. It requests no runs: its tick message says what it did (commands handled, subscribers
added and removed), which the Automation page shows.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.notices.rules import DEFAULT_JOB_URL_BASE
from jiit_assets.defs.reminders.feeds import CalendarFeeds
from jiit_assets.defs.subscribers.commands import CommandHandler
from jiit_assets.defs.subscribers.polling import CommandPoller, PollConflict, PollReport, ReplySender
from jiit_assets.defs.subscribers.store import SubscriberStore
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import PLACEMENT_STATS, TELEGRAM_UPDATES, USERS
from jiit_assets.lib.text import json_object

POLL_TIMEOUT_SECONDS = 5  # getUpdates long poll; bounded so a tick stays far below Dagster's limit
TICK_BUDGET_SECONDS = 30.0


@dataclass
class CommandsCursor:
    offset: int | None = None
    last_tick: str = ""
    checked_at: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> CommandsCursor:
        data = json_object(text)
        offset = data.get("offset")
        return cls(offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None)

    def dump(self) -> str:
        self.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        return json.dumps(asdict(self), sort_keys=True)


def conflict_message(detail: str, webhook_host: str | None) -> str:
    """The tick error for a 409: who else takes this bot's updates, and what to do about it."""
    if webhook_host:
        who = f"a webhook is set for this bot token (updates go to {webhook_host})"
        fix = "remove it (Bot API deleteWebhook)"
    else:
        who = "another program (another bot instance or poller) is reading updates with the same bot token"
        fix = "stop the other program or give this pipeline its own bot"
    return (
        f"Telegram answered 409 Conflict to getUpdates ({detail}): {who}. Commands are not read "
        f"until you {fix}; nothing was handled and the offset is unchanged."
    )


async def _poll(telegram: TelegramResource, mongo: MongoResource, offset: int | None, log: Any) -> PollReport:
    async with telegram.open_bot() as bot:
        handler = CommandHandler(
            SubscriberStore(mongo.collection(USERS)),
            mongo.collection(PLACEMENT_STATS),
            bot.username,
            CalendarFeeds(mongo.collection(USERS).database, lambda job_id: f"{DEFAULT_JOB_URL_BASE}{job_id}"),
            telegram.public_url,
        )
        poller = CommandPoller(
            bot,
            handler,
            ReplySender(bot, telegram),
            mongo.collection(TELEGRAM_UPDATES),
            log,
            TICK_BUDGET_SECONDS,
        )
        try:
            return await poller.poll(offset, POLL_TIMEOUT_SECONDS)
        except PollConflict as error:
            info = await bot.get_webhook_info()
            host = info.url.split("/")[2] if info.url and "://" in info.url else None
            raise PollConflict(conflict_message(telegram.scrub(str(error)), host)) from None


@dg.sensor(
    name="telegram_commands_sensor",
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 10 s: reads students' messages to the Telegram bot (getUpdates; the cursor is the next "
        "offset) and handles /start, /stop, /status, /profile, /stats, /calendar and /help exactly once, "
        "storing each effect in `users` before replying."
    ),
)
def telegram_commands_sensor(
    context: dg.SensorEvaluationContext, mongo: MongoResource, telegram: TelegramResource
) -> dg.SkipReason:
    if not telegram.is_configured:
        return dg.SkipReason("Telegram is not configured (TELEGRAM_BOT_TOKEN unset): no commands to read.")
    cursor = CommandsCursor.parse(context.cursor)
    report = asyncio.run(_poll(telegram, mongo, cursor.offset, context.log))
    summary = report.summary()
    context.update_cursor(CommandsCursor(report.offset, summary).dump())
    if report.received:
        context.log.info(summary)
    return dg.SkipReason(summary)
