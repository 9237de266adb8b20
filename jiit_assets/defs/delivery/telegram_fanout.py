"""Telegram fan-out: every pending notice to every recipient chat, paced, retried and recorded.

One asyncio task per recipient walks the notices oldest first, sending each notice's chunks in
order, so a chat never sees chunk 2 before chunk 1 or a newer notice before an older one. Pacing
lives in ``telegram_pacing.py``. At most ``concurrency`` requests are in flight, and each holds its
slot from its intent write until its outcome is written, so a crash can repeat at most that many
messages (the ledger writer batches the writes of all of them into one database write).

Per answer:
* 429 ``retry_after`` → the chat waits that long and the same message is sent again (no attempt
  used up) unless the run has already waited ``max_retry_after_seconds`` for it; then ``retry``.
* 5xx, connection errors, timeouts → exponential backoff (tenacity), at most ``max_attempts``
  requests, then ``retry`` for a later run; a read timeout may hide an accepted message, so its
  resend is counted as unconfirmed (see ledger.py).
* 403 from a subscriber (blocked the bot) → ``gone``, and the subscriber is deactivated in ``users``.
* 403 from a ``TELEGRAM_CHAT_ID`` chat (the bot lost its rights) → never ``gone``: ``retry``, and the
  run fails visibly (``configured_chat_errors``), so the notice is re-sent once the rights return.
* 400 "can't parse entities" → the chunk is sent again as plain text instead of being lost.
* other 400s → ``failed`` with Telegram's description.
A recipient still in ``retry`` after the give-up window (counted from when the notice was queued)
is ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo.collection import Collection
from telegram import Bot, LinkPreviewOptions, Message
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
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from jiit_assets.defs.delivery.ledger import (
    Intent,
    LedgerEntry,
    LedgerState,
    attempt_failed,
    begin,
    finish,
    give_up_reason,
    now_utc,
    recover_legacy,
    sent,
)
from jiit_assets.defs.delivery.ledger_writer import LeaseLost, LedgerWriter, Operation
from jiit_assets.defs.delivery.telegram_pacing import RateLimiter, retry_after_seconds
from jiit_assets.defs.delivery.telegram_resource import TelegramConfigError, TelegramResource
from jiit_assets.defs.notices.render import telegram_plain_text
from jiit_assets.defs.subscribers.profile import Profile

CHANNEL = "telegram"
BACKOFF_BASE_SECONDS = 0.5

Document = dict[str, Any]
Outcome = tuple[LedgerState, str | None]


@dataclass(frozen=True)
class TelegramNotice:
    notice_id: str
    revision: int
    chunks: tuple[str, ...]  # Telegram HTML, each within 4096 UTF-16 units after parsing
    queued_at: datetime = field(default_factory=lambda: datetime.now(UTC))  # give-up counts from here


@dataclass(frozen=True)
class TelegramRecipient:
    chat_id: str
    subscriber: bool  # from `users` (deactivated on 403) rather than TELEGRAM_CHAT_ID
    profile: Profile | None = None  # what the subscriber wants (subscribers/targeting.py)


@dataclass
class TelegramReport:
    """What one fan-out did, for the run's metadata."""

    messages_sent: int = 0
    rate_limited: int = 0  # 429 answers absorbed by waiting
    plain_text_fallbacks: int = 0
    unconfirmed_resent: int = 0  # possible duplicates (crash or read timeout before the answer)
    deactivated_chats: list[str] = field(default_factory=list)
    configured_chat_errors: list[str] = field(default_factory=list)  # TELEGRAM_CHAT_ID chats refusing
    errors: list[str] = field(default_factory=list)


class TransientTelegramError(Exception):
    """This attempt failed in a way a later attempt may fix; ``rate_limited`` for a 429."""

    def __init__(self, reason: str, *, rate_limited: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rate_limited = rate_limited


@dataclass
class RetryBudget:
    """How long one chunk may keep trying: ``max_attempts`` failures, ``max_wait`` seconds of 429s."""

    max_attempts: int
    max_wait: float
    failures: int = 0
    waited: float = 0.0

    def exhausted(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, TransientTelegramError) and error.rate_limited is not None:
            return self.waited + error.rate_limited > self.max_wait
        self.failures += 1
        return self.failures >= self.max_attempts

    def wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, TransientTelegramError) and error.rate_limited is not None:
            self.waited += error.rate_limited
            return 0.0  # the rate limiter holds the chat for that long
        return float(BACKOFF_BASE_SECONDS * 2 ** (self.failures - 1))


def load_recipients(resource: TelegramResource, users: Collection[Document]) -> list[TelegramRecipient]:
    """TELEGRAM_CHAT_ID chats plus every active subscriber (``chat_id``, else ``user_id``), de-duplicated."""
    recipients = {chat: TelegramRecipient(chat, subscriber=False) for chat in resource.target_chats()}
    for user in users.find({"is_active": True}, {"chat_id": 1, "user_id": 1, "profile": 1}).sort("_id", 1):
        chat = user.get("chat_id") if user.get("chat_id") is not None else user.get("user_id")
        if chat is not None and str(chat).strip() and str(chat) not in recipients:
            profile = Profile.from_document(user["profile"]) if user.get("profile") else None
            recipients[str(chat)] = TelegramRecipient(str(chat), subscriber=True, profile=profile)
    return list(recipients.values())


class TelegramFanout:
    """Delivers a batch of notices to a list of chats with one bot; see the module docstring."""

    def __init__(
        self,
        bot: Bot,
        resource: TelegramResource,
        writer: LedgerWriter,
        users: Collection[Document],
        log: logging.Logger | Any,
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.bot = bot
        self.resource = resource
        self.writer = writer
        self.users = users
        self.log = log
        self.sleep = sleep
        self.clock = clock
        self.limiter = RateLimiter(resource.messages_per_second, resource.interval_for)
        self.in_flight = asyncio.Semaphore(max(1, resource.concurrency))
        self.report = TelegramReport()
        self.refused_chats: set[str] = set()  # TELEGRAM_CHAT_ID chats that answered 403 this run
        self._stopped: BaseException | None = None

    async def deliver(
        self,
        notices: Sequence[TelegramNotice],
        recipients: Sequence[TelegramRecipient],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> TelegramReport:
        """``entries[notice_id][chat_id]`` = that recipient's ledger entry (created when missing)."""
        recovered: list[Operation] = []
        for notice in notices:
            known = entries.setdefault(notice.notice_id, {})
            for recipient in recipients:
                known.setdefault(
                    recipient.chat_id,
                    LedgerEntry(
                        notice.notice_id, notice.revision, CHANNEL, recipient.chat_id, LedgerState.RETRY
                    ),
                )
            recovered += [op for op in map(recover_legacy, known.values()) if op is not None]
        await self._write(recovered)
        self.report.unconfirmed_resent += len(recovered)
        results = await asyncio.gather(
            *(self._recipient(r, notices, entries) for r in recipients), return_exceptions=True
        )
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:  # a lost lease or a rejected token stops every chat; say the first reason
            raise next((e for e in errors if isinstance(e, LeaseLost | TelegramConfigError)), errors[0])
        return self.report

    async def _write(self, operations: Sequence[Operation], resolves: str | None = None) -> None:
        await asyncio.wrap_future(self.writer.record(operations, resolves))

    async def _intend(self, intent: Intent) -> None:
        await asyncio.wrap_future(self.writer.intend(intent))

    def _final(self, notice: TelegramNotice, state: LedgerState, reason: str | None) -> Outcome:
        """``retry`` becomes ``failed`` once the notice is past the give-up window."""
        if state != LedgerState.RETRY:
            return state, reason
        window = timedelta(seconds=self.resource.give_up_after_seconds)
        expired = give_up_reason(reason or "not delivered", notice.queued_at, window, self.clock())
        return (LedgerState.FAILED, expired) if expired else (state, reason)

    async def _recipient(
        self,
        recipient: TelegramRecipient,
        notices: Sequence[TelegramNotice],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> None:
        held: Outcome | None = None  # the chat refused: the rest is closed or parked without a send
        for notice in notices:
            entry = entries[notice.notice_id][recipient.chat_id]
            if entry.done:
                continue
            if self._stopped is not None:
                return
            if held is not None:
                await self._write([finish(entry, *self._final(notice, *held))], entry.id)
                continue
            try:
                state, reason = await self._send_notice(recipient, notice, entry)
            except (LeaseLost, TelegramConfigError) as error:
                self._stopped = error
                raise
            if not entry.done:  # sent entries were closed by their confirmation
                await self._write([finish(entry, state, reason)], entry.id)
            if state == LedgerState.GONE:
                held = (state, reason)
                await self._deactivate(recipient, reason or "blocked")
            elif recipient.chat_id in self.refused_chats:
                held = (state, reason)
            if state not in (LedgerState.SENT, LedgerState.GONE):
                self.report.errors.append(f"{notice.notice_id} → {recipient.chat_id}: {reason}")

    async def _send_notice(
        self, recipient: TelegramRecipient, notice: TelegramNotice, entry: LedgerEntry
    ) -> Outcome:
        if not notice.chunks:
            return LedgerState.FAILED, "notice has no Telegram text"
        last = len(notice.chunks) - 1
        for index in range(entry.chunks_done, len(notice.chunks)):
            budget = RetryBudget(max(1, self.resource.max_attempts), self.resource.max_retry_after_seconds)
            retrying = AsyncRetrying(
                stop=budget.exhausted,
                wait=budget.wait,
                retry=retry_if_exception_type(TransientTelegramError),
                sleep=self.sleep,
                reraise=True,
            )
            try:
                outcome: Outcome = await retrying(
                    self._attempt, recipient, notice, entry, index, index == last
                )
            except TransientTelegramError as error:
                suffix = "" if error.rate_limited is not None else f" (after {budget.failures} attempts)"
                return self._final(notice, LedgerState.RETRY, error.reason + suffix)
            if outcome[0] != LedgerState.SENT:
                return outcome
        return LedgerState.SENT, None

    async def _attempt(
        self, recipient: TelegramRecipient, notice: TelegramNotice, entry: LedgerEntry, index: int, last: bool
    ) -> Outcome:
        """One request (two with the plain-text fallback), its intent and outcome written around it."""
        chat = recipient.chat_id
        await self.limiter.acquire(chat)
        async with self.in_flight:
            await self._intend(begin(entry, index))  # no send before it is recorded
            try:
                message, plain = await self._post(chat, notice.chunks[index], entry, index)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.report.rate_limited += 1
                self.limiter.hold_chat(chat, seconds)
                await self._write(attempt_failed(entry, unconfirmed=False), entry.id)
                raise TransientTelegramError(
                    f"rate limited (retry after {seconds:g} s)", rate_limited=seconds
                ) from None
            except InvalidToken as error:
                await self._write(attempt_failed(entry, unconfirmed=False), entry.id)
                raise TelegramConfigError(f"Telegram rejected the bot token: {self._reason(error)}") from None
            except BadRequest as error:  # a NetworkError subclass, but a definite refusal
                return await self._refusal(recipient, notice, entry, error)
            except (TimedOut, NetworkError) as error:
                await self._network_error(entry, error)
            except TelegramError as error:
                return await self._refusal(recipient, notice, entry, error)
            await self._write([sent(entry, message.message_id, plain_text=plain, last=last)], entry.id)
        self.report.messages_sent += 1
        self.report.plain_text_fallbacks += int(plain)
        return LedgerState.SENT, None

    async def _network_error(self, entry: LedgerEntry, error: TelegramError) -> None:
        # A read timeout may hide an accepted message: resending is at-least-once, and counted.
        ambiguous = isinstance(error, TimedOut) and not isinstance(
            error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout
        )
        await self._write(attempt_failed(entry, unconfirmed=ambiguous), entry.id)
        self.report.unconfirmed_resent += int(ambiguous)
        raise TransientTelegramError(self._reason(error) or type(error).__name__) from None

    async def _post(self, chat: str, chunk: str, entry: LedgerEntry, index: int) -> tuple[Message, bool]:
        """Send ``chunk`` as HTML; if Telegram cannot parse it, as plain text (the text is never lost)."""
        options = LinkPreviewOptions(is_disabled=True)
        try:
            message = await self.bot.send_message(
                chat_id=chat, text=chunk, parse_mode="HTML", link_preview_options=options
            )
            return message, False
        except BadRequest as error:
            if "parse entities" not in str(error).lower():
                raise
            self.log.warning(
                f"Telegram could not parse chunk {index + 1} of {entry.notice_id} for chat {chat}: "
                f"{self._reason(error)}; sending it as plain text."
            )
        await self.limiter.acquire(chat)
        plain = telegram_plain_text(chunk)
        return await self.bot.send_message(chat_id=chat, text=plain, link_preview_options=options), True

    async def _refusal(
        self, recipient: TelegramRecipient, notice: TelegramNotice, entry: LedgerEntry, error: TelegramError
    ) -> Outcome:
        outcome = self._final(notice, *self._refused(recipient, error))
        await self._write([finish(entry, *outcome)], entry.id)  # inside the slot: nothing is left in flight
        return outcome

    def _refused(self, recipient: TelegramRecipient, error: TelegramError) -> Outcome:
        """The ledger state for a definite refusal by Telegram."""
        if isinstance(error, Forbidden):
            if recipient.subscriber:
                return LedgerState.GONE, self._reason(error)
            # A configured channel never goes away: the bot lost its rights, which an admin restores.
            reason = f"bot has no rights in configured chat {recipient.chat_id}: {self._reason(error)}"
            self.report.configured_chat_errors.append(reason)
            self.refused_chats.add(recipient.chat_id)
            self.log.error(
                f"Telegram chat {recipient.chat_id} from TELEGRAM_CHAT_ID refused the bot: {reason}"
            )
            return LedgerState.RETRY, reason
        if isinstance(error, ChatMigrated):
            return LedgerState.FAILED, f"chat migrated to {error.new_chat_id}; update the chat id"
        return LedgerState.FAILED, self._reason(error)

    async def _deactivate(self, recipient: TelegramRecipient, reason: str) -> None:
        chat = recipient.chat_id
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
