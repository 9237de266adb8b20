"""Telegram fan-out: every pending notice to every recipient chat, paced, retried and recorded.

One asyncio task per recipient walks the notices oldest first, sending each notice's chunks in
order, so a chat never sees chunk 2 before chunk 1 or a newer notice before an older one. Pacing
is ours, not python-telegram-bot's (its ``AIORateLimiter`` has neither per-chat limits nor retries):
a global spacing of ``1 / messages_per_second`` and a per-chat interval (1 s for private chats, 3 s
for groups and channels: Telegram's 20 per minute).

Per answer:
* 429 ``retry_after`` → the chat waits that long and the same message is sent again (no attempt
  used up) unless the run has already waited ``max_retry_after_seconds`` for it; then ``retry``.
* 5xx, connection errors, timeouts → exponential backoff, at most ``max_attempts`` requests; a read
  timeout may hide an accepted message, so its resend is counted as unconfirmed (see ledger.py).
* 403 (blocked, kicked) → the recipient is ``gone`` and, if a subscriber, deactivated in ``users``.
* 400 "can't parse entities" → the chunk is sent again as plain text instead of being lost.
* other 400s → ``failed`` with Telegram's description.

Every request is bracketed by ledger writes, so a re-run resumes at the first unconfirmed chunk.
The ledger is synchronous (pymongo), so each write runs in a worker thread (``asyncio.to_thread``):
the task that writes waits for it before its send, while every other chat's sends go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo.collection import Collection
from telegram import Bot, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from jiit_assets.defs.delivery.ledger import DeliveryLedger, LedgerEntry, LedgerState
from jiit_assets.defs.delivery.telegram_resource import TelegramConfigError, TelegramResource
from jiit_assets.defs.notices.render import telegram_plain_text

CHANNEL = "telegram"
# python-telegram-bot 22 warns on every RetryAfter that `retry_after` will become a timedelta;
# retry_after_seconds() handles both types, so the warning is noise in every rate-limited run.
warnings.filterwarnings(
    "ignore", message=r".*attribute `retry_after` will be of type", category=PTBDeprecationWarning
)
BACKOFF_BASE_SECONDS = 0.5

Document = dict[str, Any]


@dataclass(frozen=True)
class TelegramNotice:
    notice_id: str
    revision: int
    chunks: tuple[str, ...]  # Telegram HTML, each within 4096 UTF-16 units after parsing


@dataclass(frozen=True)
class TelegramRecipient:
    chat_id: str
    subscriber: bool  # from `users` (deactivated on 403) rather than TELEGRAM_CHAT_ID


@dataclass
class TelegramReport:
    """What one fan-out did, for the run's metadata."""

    messages_sent: int = 0
    rate_limited: int = 0  # 429 answers absorbed by waiting
    plain_text_fallbacks: int = 0
    unconfirmed_resent: int = 0  # possible duplicates (crash or read timeout before the answer)
    deactivated_chats: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_recipients(resource: TelegramResource, users: Collection[Document]) -> list[TelegramRecipient]:
    """TELEGRAM_CHAT_ID chats plus every active subscriber (``chat_id``, else ``user_id``), de-duplicated."""
    recipients = {chat: TelegramRecipient(chat, subscriber=False) for chat in resource.target_chats()}
    for user in users.find({"is_active": True}, {"chat_id": 1, "user_id": 1}).sort("_id", 1):
        chat = user.get("chat_id") if user.get("chat_id") is not None else user.get("user_id")
        if chat is not None and str(chat).strip() and str(chat) not in recipients:
            recipients[str(chat)] = TelegramRecipient(str(chat), subscriber=True)
    return list(recipients.values())


class RateLimiter:
    """Reserves send slots: per chat first (its own interval), then a global spacing."""

    def __init__(self, messages_per_second: float, interval_for: Callable[[str], float]) -> None:
        self._spacing = 1.0 / messages_per_second if messages_per_second > 0 else 0.0
        self._interval_for = interval_for
        self._next_global = 0.0
        self._next_chat: dict[str, float] = defaultdict(float)
        self._lock = asyncio.Lock()

    async def acquire(self, chat_id: str) -> None:
        async with self._lock:
            now = time.monotonic()
            at = max(now, self._next_chat[chat_id])
            self._next_chat[chat_id] = at + self._interval_for(chat_id)
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        async with self._lock:
            now = time.monotonic()
            at = max(now, self._next_global)
            self._next_global = at + self._spacing
        await asyncio.sleep(max(0.0, at - time.monotonic()))

    def hold_chat(self, chat_id: str, seconds: float) -> None:
        """Telegram said to wait: no message to this chat before then."""
        self._next_chat[chat_id] = max(self._next_chat[chat_id], time.monotonic() + seconds)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns about int vs timedelta; we accept both
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramFanout:
    """Delivers a batch of notices to a list of chats with one bot; see the module docstring."""

    def __init__(
        self,
        bot: Bot,
        resource: TelegramResource,
        ledger: DeliveryLedger,
        users: Collection[Document],
        log: logging.Logger | Any,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.resource = resource
        self.ledger = ledger
        self.users = users
        self.log = log
        self.sleep = sleep
        self.limiter = RateLimiter(resource.messages_per_second, resource.interval_for)
        self.in_flight = asyncio.Semaphore(max(1, resource.concurrency))
        self.report = TelegramReport()

    async def deliver(
        self,
        notices: Sequence[TelegramNotice],
        recipients: Sequence[TelegramRecipient],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> TelegramReport:
        """``entries[notice_id][chat_id]`` = that recipient's ledger entry (created when missing)."""
        for notice in notices:
            known = entries.setdefault(notice.notice_id, {})
            for recipient in recipients:
                known.setdefault(
                    recipient.chat_id,
                    LedgerEntry(
                        notice.notice_id, notice.revision, CHANNEL, recipient.chat_id, LedgerState.RETRY
                    ),
                )
            self.report.unconfirmed_resent += await asyncio.to_thread(
                self.ledger.recover_crashed, list(known.values())
            )
        await asyncio.gather(*(self._recipient(r, notices, entries) for r in recipients))
        return self.report

    async def _recipient(
        self,
        recipient: TelegramRecipient,
        notices: Sequence[TelegramNotice],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> None:
        gone_reason: str | None = None
        for notice in notices:
            entry = entries[notice.notice_id][recipient.chat_id]
            if entry.done:
                continue
            if gone_reason is not None:
                await asyncio.to_thread(
                    self.ledger.mark_done_without_send, entry, LedgerState.GONE, gone_reason
                )
                continue
            if not notice.chunks:
                await asyncio.to_thread(
                    self.ledger.mark_done_without_send,
                    entry,
                    LedgerState.FAILED,
                    "notice has no Telegram text",
                )
                continue
            state, reason = LedgerState.SENT, None
            last = len(notice.chunks) - 1
            for index in range(entry.chunks_done, len(notice.chunks)):
                state, reason = await self._send_chunk(
                    recipient, entry, index, notice.chunks[index], last=index == last
                )
                if state != LedgerState.SENT:
                    break
            if not entry.done:  # the last chunk's confirmation already closed it as sent
                await asyncio.to_thread(self.ledger.finish, entry, state, reason)
            if state == LedgerState.GONE:
                gone_reason = reason
                await self._deactivate(recipient, reason or "blocked")
            elif state != LedgerState.SENT:
                self.report.errors.append(f"{notice.notice_id} → {recipient.chat_id}: {entry.reason}")

    async def _send_chunk(
        self, recipient: TelegramRecipient, entry: LedgerEntry, index: int, chunk: str, *, last: bool
    ) -> tuple[LedgerState, str | None]:
        """Send one chunk, retrying as the module docstring says; the state the entry should end in."""
        chat = recipient.chat_id
        text = chunk
        parse_mode: str | None = "HTML"
        attempts = 0
        waited = 0.0
        while True:
            await self.limiter.acquire(chat)
            # Awaited before the send: it must not start before it is recorded.
            await asyncio.to_thread(self.ledger.begin, entry, index)
            attempts += 1
            try:
                async with self.in_flight:
                    message = await self.bot.send_message(
                        chat_id=chat,
                        text=text,
                        parse_mode=parse_mode,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.report.rate_limited += 1
                if waited + seconds > self.resource.max_retry_after_seconds:
                    return LedgerState.RETRY, f"rate limited (retry after {seconds:g} s)"
                waited += seconds
                attempts -= 1  # flood control is not a failure of the message
                self.limiter.hold_chat(chat, seconds)
                continue
            except Forbidden as error:
                return LedgerState.GONE, self._reason(error)
            except ChatMigrated as error:
                return LedgerState.FAILED, f"chat migrated to {error.new_chat_id}; update the chat id"
            except BadRequest as error:
                if "parse entities" in str(error).lower() and parse_mode is not None:
                    self.log.warning(
                        f"Telegram could not parse chunk {index + 1} of {entry.notice_id} for chat {chat}: "
                        f"{self._reason(error)}; sending it as plain text."
                    )
                    text, parse_mode = telegram_plain_text(chunk), None
                    continue
                return LedgerState.FAILED, self._reason(error)
            except InvalidToken as error:
                await asyncio.to_thread(self.ledger.finish, entry, LedgerState.RETRY, "bot token rejected")
                raise TelegramConfigError(f"Telegram rejected the bot token: {self._reason(error)}") from None
            except (TimedOut, NetworkError) as error:
                ambiguous = isinstance(error, TimedOut) and not isinstance(
                    error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout
                )
                reason = self._reason(error) or type(error).__name__
                if attempts >= self.resource.max_attempts:
                    return LedgerState.RETRY, f"{reason} (after {attempts} attempts)"
                if ambiguous:
                    # The request may have been processed: resending is at-least-once, counted.
                    await asyncio.to_thread(self.ledger.count_unconfirmed, entry)
                    self.report.unconfirmed_resent += 1
                await self.sleep(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
                continue
            except TelegramError as error:
                return LedgerState.FAILED, self._reason(error)
            await asyncio.to_thread(
                self.ledger.message_sent, entry, message.message_id, plain_text=parse_mode is None, last=last
            )
            self.report.messages_sent += 1
            if parse_mode is None:
                self.report.plain_text_fallbacks += 1
            return LedgerState.SENT, None

    async def _deactivate(self, recipient: TelegramRecipient, reason: str) -> None:
        chat = recipient.chat_id
        if not recipient.subscriber:
            self.log.warning(f"Telegram chat {chat} from TELEGRAM_CHAT_ID refused the bot: {reason}")
            return
        forms: list[Any] = [chat]
        if chat.lstrip("-").isdigit():
            forms.append(int(chat))
        await asyncio.to_thread(
            self.users.update_many,
            {"$or": [{"chat_id": {"$in": forms}}, {"user_id": {"$in": forms}}], "is_active": True},
            {"$set": {"is_active": False, "deactivated_at": datetime.now(UTC), "deactivated_reason": reason}},
        )
        self.report.deactivated_chats.append(chat)
        self.log.info(f"Deactivated subscriber chat {chat}: {reason}")

    def _reason(self, error: Exception) -> str:
        return self.resource.scrub(str(error))[:300]
