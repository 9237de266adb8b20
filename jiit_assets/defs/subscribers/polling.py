"""One pass of the Telegram command poller: read updates, store each effect, then reply.

Exactly once per update:

1. ``getUpdates(offset)`` returns the updates Telegram still holds (``offset`` acknowledges every
   earlier one); a 409 means a webhook is set or another program polls with the same token, and
   is reported, never retried (two pollers would steal each other's updates).
2. For each update, oldest first, ``telegram_updates`` (``_id`` = update id) says whether it was
   already handled. A new one is handled (its effect stored in ``users``) and recorded with its
   reply *before* the reply is sent; a recorded one is never handled again, so an update Telegram
   repeats (because an offset was lost with a failed tick) changes nothing and at most re-sends
   a reply that was never confirmed.
3. The reply goes through the delivery part's rate limiter (30/s overall, 1/s per private chat,
   3 s per group); 429 ``retry_after`` is waited out, network errors are retried, a 403 (the
   student blocked the bot) deactivates the subscriber. A delivery run paces its own sends in
   its own process; when both together exceed Telegram's limit, the 429s are waited out.
4. The next offset is the last finished update's id + 1. An update whose reply could not be sent
   for now stops the pass there, and the next pass resumes at it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TelegramError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from jiit_assets.defs.delivery.telegram_pacing import RateLimiter, retry_after_seconds
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.subscribers.commands import CommandHandler, Effect
from jiit_assets.defs.subscribers.incoming import parse_update, update_id_of

Document = dict[str, Any]
MAX_REPLY_WAIT_SECONDS = 30.0  # a longer 429 retry_after leaves the reply to the next pass
KEEP_RECORDS = timedelta(days=2)  # Telegram keeps unacknowledged updates for 24 hours


class ReplyResult(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the chat blocked the bot or removed it
    REJECTED = "rejected"  # 400: Telegram will never accept this reply; not retried
    LATER = "later"  # rate limited or unreachable for now; the next pass tries again


class UpdateState(StrEnum):
    REPLY_PENDING = "reply_pending"
    DONE = "done"


class PollConflict(RuntimeError):
    """getUpdates answered 409: another consumer of this bot's updates exists."""


@dataclass
class PollReport:
    """What one pass did; ``offset`` is the next one to ask for (the sensor's cursor)."""

    offset: int | None
    received: int = 0
    repeated: int = 0
    ignored: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    effects: Counter[str] = field(default_factory=Counter)
    replies: Counter[str] = field(default_factory=Counter)
    stopped_because: str | None = None

    def summary(self) -> str:
        if not self.received:
            return (
                f"Nothing handled: {self.stopped_because}."
                if self.stopped_because
                else "No new messages to the bot."
            )
        parts = [f"{self.received} updates"]
        if self.commands:
            parts.append("commands " + ", ".join(f"/{n} ×{c}" for n, c in sorted(self.commands.items())))
        added = self.effects[Effect.SUBSCRIBED] + self.effects[Effect.RESUBSCRIBED]
        removed = self.effects[Effect.UNSUBSCRIBED] + self.replies[ReplyResult.BLOCKED]
        parts.append(f"{added} subscribers added, {removed} removed")
        if self.effects[Effect.PROFILE_SAVED]:
            parts.append(f"{self.effects[Effect.PROFILE_SAVED]} profiles saved")
        parts.append(f"{self.replies[ReplyResult.SENT]} replies sent")
        if self.repeated or self.ignored:
            parts.append(f"{self.repeated} repeated and {self.ignored} ignored updates")
        text = "; ".join(parts) + "."
        return f"{text} Stopped early: {self.stopped_because}." if self.stopped_because else text


class ReplySender:
    """Sends replies paced by the delivery part's rate limiter; see the module docstring, step 3."""

    def __init__(
        self, bot: Bot, resource: TelegramResource, sleep: Callable[[float], Any] = asyncio.sleep
    ) -> None:
        self.bot = bot
        self.resource = resource
        self.sleep = sleep
        self.limiter = RateLimiter(resource.messages_per_second, resource.interval_for)

    async def send(self, chat_id: int, text: str) -> tuple[ReplyResult, str | None]:
        waited = 0.0
        while True:
            try:
                await self._send_with_retries(chat_id, text)
                return ReplyResult.SENT, None
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                if waited + seconds > MAX_REPLY_WAIT_SECONDS:
                    return ReplyResult.LATER, f"rate limited for {seconds:g} s"
                self.limiter.hold_chat(str(chat_id), seconds)
                waited += seconds
            except Forbidden as error:
                return ReplyResult.BLOCKED, self.resource.scrub(str(error))[:200]
            except BadRequest as error:
                return ReplyResult.REJECTED, self.resource.scrub(str(error))[:200]
            except NetworkError as error:  # after the retries
                return ReplyResult.LATER, self.resource.scrub(str(error))[:200]
            except TelegramError as error:
                return ReplyResult.REJECTED, self.resource.scrub(str(error))[:200]

    async def _send_with_retries(self, chat_id: int, text: str) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(NetworkError),
            stop=stop_after_attempt(max(1, self.resource.max_attempts)),
            wait=wait_exponential(multiplier=0.5, max=8),
            sleep=self.sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self.limiter.acquire(str(chat_id))
                await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )


class CommandPoller:
    """One poll-and-handle pass over a bot's updates (see the module docstring)."""

    def __init__(
        self,
        bot: Bot,
        handler: CommandHandler,
        sender: ReplySender,
        records: Collection[Document],
        log: logging.Logger | Any,
        budget_seconds: float = 30.0,
    ) -> None:
        self.bot = bot
        self.handler = handler
        self.sender = sender
        self.records = records
        self.log = log
        self.budget_seconds = budget_seconds

    async def poll(self, offset: int | None, timeout: int) -> PollReport:
        report = PollReport(offset)
        started = time.monotonic()
        try:
            updates = await self.bot.get_updates(
                offset=offset, timeout=timeout, limit=100, allowed_updates=["message"]
            )
        except Conflict as error:
            raise PollConflict(str(error)) from None
        except NetworkError as error:
            # An outage delays commands, it loses none: Telegram keeps them until the next tick.
            scrubbed = self.sender.resource.scrub(str(error))[:200]
            report.stopped_because = f"Telegram could not be reached ({scrubbed}); trying again next tick"
            return report
        for update in updates:
            if time.monotonic() - started > self.budget_seconds:
                report.stopped_because = f"time budget of {self.budget_seconds:g} s used; the rest next tick"
                break
            finished = await self._one(update.to_dict(), report)
            if not finished:
                break
            report.offset = int(update.update_id) + 1
        if report.received:
            self._prune()
        return report

    async def _one(self, data: Document, report: PollReport) -> bool:
        """Handle and answer one update; False when its reply must wait for a later pass."""
        update_id = update_id_of(data)
        if update_id is None:
            report.ignored += 1
            return True
        report.received += 1
        record = await asyncio.to_thread(self.records.find_one, {"_id": update_id})
        if record is None:
            record = await asyncio.to_thread(self._handle, update_id, data, report)
        elif record.get("state") == UpdateState.DONE:
            report.repeated += 1
            return True
        if record.get("state") != UpdateState.REPLY_PENDING:
            return True
        chat_id = int(record["chat_id"])
        result, reason = await self.sender.send(chat_id, str(record["reply"]))
        report.replies[result] += 1
        if result == ReplyResult.LATER:
            report.stopped_because = f"the reply to chat {chat_id} must wait ({reason})"
            return False
        if result == ReplyResult.BLOCKED:
            await asyncio.to_thread(self.handler.store.deactivate, chat_id, f"blocked the bot: {reason}")
            self.log.info(f"Chat {chat_id} blocked the bot; its subscription is deactivated.")
        elif result == ReplyResult.REJECTED:
            self.log.warning(f"Telegram refused the reply to chat {chat_id}: {reason}")
        await asyncio.to_thread(
            self.records.update_one,
            {"_id": update_id},
            {"$set": {"state": str(UpdateState.DONE), "reply_result": str(result)}},
        )
        return True

    def _handle(self, update_id: int, data: Document, report: PollReport) -> Document:
        message = parse_update(data)
        outcome = None
        try:
            outcome = self.handler.handle(message) if message is not None else None
        except PyMongoError:
            raise  # the database is away: the tick fails and the update waits for the next one
        except Exception as error:
            # One odd message must not stall every later one: it is recorded as done, unanswered.
            self.log.warning(f"Update {update_id} could not be handled and is skipped: {error!r}"[:300])
        if outcome is None or outcome.reply is None:
            report.ignored += 1
            state = UpdateState.DONE
        else:
            report.commands[outcome.command] += 1
            state = UpdateState.REPLY_PENDING
        if outcome is not None and outcome.effect != Effect.NONE:
            report.effects[outcome.effect] += 1
        # Written after the effect: a crash in between handles the update again, and every
        # command is idempotent, so the state ends the same.
        record = {
            "_id": update_id,
            "state": str(state),
            "chat_id": message.chat_id if message else None,
            "command": outcome.command if outcome else None,
            "effect": str(outcome.effect) if outcome else None,
            "reply": outcome.reply if outcome else None,
            "received_at": datetime.now(UTC),
        }
        self.records.replace_one({"_id": update_id}, record, upsert=True)
        return record

    def _prune(self) -> None:
        self.records.delete_many({"received_at": {"$lt": datetime.now(UTC) - KEEP_RECORDS}})
