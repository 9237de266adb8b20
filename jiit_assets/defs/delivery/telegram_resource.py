"""The Telegram Bot API: credentials, target chats, rate limits, and a token-free client.

python-telegram-bot puts the token in every request URL, and httpx logs and some exceptions repeat
that URL. :meth:`TelegramResource.scrub` removes the token from any text, and :meth:`open_bot`
installs a log filter on the ``httpx``/``telegram`` loggers for as long as the bot is open, so the
token never reaches a log line, run metadata or an error message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import dagster as dg
from pydantic import Field
from telegram import Bot
from telegram.error import InvalidToken
from telegram.request import HTTPXRequest
from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

from jiit_assets.lib.vocabulary import SourceError

DEFAULT_API_BASE_URL = "https://api.telegram.org"
_SCRUBBED_LOGGERS = ("httpx", "httpcore", "telegram")


def public_base_url(value: str) -> str:
    url = value.strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else ""


def is_group_chat(chat_id: str) -> bool:
    """Groups, supergroups and channels have negative ids (and @channel usernames are channels)."""
    return chat_id.startswith("-") or chat_id.startswith("@")


class TelegramConfigError(SourceError):
    """Telegram refused the bot's credentials: nothing can be sent until the operator fixes them."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class TelegramUnavailable(SourceError):
    """The Bot API did not answer properly (timeout, 5xx): a passing outage of this channel."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class _TokenScrubber(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<bot-token>")
            record.args = None
        return True


class TelegramResource(dg.ConfigurableResource):
    """Telegram bot used to deliver notices (TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID, TELEGRAM_API_BASE_URL, SUBSCRIBE_PUBLIC_URL)."""

    bot_token: str = Field(default="", description="Bot token from @BotFather (secret). Empty: channel off.")
    chat_ids: str = Field(
        default="",
        description="Comma-separated chats that receive every notice (channels/groups are negative).",
    )
    api_base_url: str = Field(
        default=DEFAULT_API_BASE_URL, description="Bot API server (a stand-in in tests)."
    )
    messages_per_second: float = Field(
        default=30.0, description="Overall send rate (Telegram: 30/s); 0 turns pacing off."
    )
    private_chat_interval_seconds: float = Field(
        default=1.0, description="Pause between messages to one chat."
    )
    group_chat_interval_seconds: float = Field(default=3.0, description="Pause per group/channel (20/min).")
    concurrency: int = Field(default=16, description="Requests in flight at once.")
    max_attempts: int = Field(
        default=4, description="Tries per message for 5xx, timeouts and network errors."
    )
    max_retry_after_seconds: float = Field(
        default=300.0, description="Longest 429 retry_after a run waits out; longer ones retry next run."
    )
    legacy_users_collection: str = Field(
        default="",
        description="The older bot's Users (DATABASE.COLLECTION) whose active subscribers also receive notices.",
    )
    subscribe_public_url: str = Field(
        default="",
        description=(
            "Public base URL of `jiit-assets serve` (SUBSCRIBE_PUBLIC_URL), for /calendar links and "
            '"Add to calendar" under job postings. Empty: no calendar links.'
        ),
    )
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 15.0
    give_up_after_seconds: int = Field(
        default=24 * 3600,
        description="A recipient still failing this long after the notice was queued is given up.",
    )
    start_attempts: int = Field(
        default=3, description="Tries of getMe before the channel waits for a later run."
    )

    @property
    def is_configured(self) -> bool:
        return bool(self.bot_token.strip())

    @property
    def public_url(self) -> str:
        """``subscribe_public_url`` without a trailing slash, or "" when it is not an http(s) URL."""
        return public_base_url(self.subscribe_public_url)

    def target_chats(self) -> list[str]:
        chats = [part.strip() for part in self.chat_ids.split(",")]
        return list(dict.fromkeys(chat for chat in chats if chat))

    def interval_for(self, chat_id: str) -> float:
        return (
            self.group_chat_interval_seconds if is_group_chat(chat_id) else self.private_chat_interval_seconds
        )

    def scrub(self, text: str) -> str:
        """``text`` with the bot token (and anything shaped like one in a Bot API URL) removed."""
        token = self.bot_token.strip()
        if token:
            text = text.replace(token, "<bot-token>")
        return re.sub(r"/bot\d+:[A-Za-z0-9_-]+", "/bot<bot-token>", text)

    async def _initialize(self, bot: Bot) -> None:
        """getMe, retried: only a rejected token is a configuration error; the rest is an outage."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self.start_attempts)),
            wait=wait_exponential(multiplier=0.5, max=5),
            retry=retry_if_not_exception_type(InvalidToken),
            reraise=True,
        )
        try:
            await retrying(bot.initialize)
        except InvalidToken as error:
            raise TelegramConfigError(
                f"Telegram rejected the bot token at {self.api_base_url}: {self.scrub(str(error))[:300]}"
            ) from None
        except Exception as error:
            raise TelegramUnavailable(
                f"Telegram did not answer getMe at {self.api_base_url} after {self.start_attempts} tries: "
                f"{type(error).__name__}: {self.scrub(str(error))[:300]}"
            ) from None

    @asynccontextmanager
    async def open_bot(self) -> AsyncIterator[Bot]:
        """An initialised bot (one getMe call) whose token cannot leak through logs."""
        if not self.is_configured:
            raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set.")
        token = self.bot_token.strip()
        scrubber = _TokenScrubber(token)
        # Logger filters do not apply to records propagated from child loggers, so every existing
        # telegram.* / httpx.* logger gets the filter.
        names = [
            name
            for name in [*_SCRUBBED_LOGGERS, *logging.root.manager.loggerDict]
            if name.split(".")[0] in _SCRUBBED_LOGGERS
        ]
        loggers = [logging.getLogger(name) for name in dict.fromkeys(names)]
        for logger in loggers:
            logger.addFilter(scrubber)
        request = HTTPXRequest(
            connection_pool_size=max(1, self.concurrency),
            connect_timeout=self.connect_timeout_seconds,
            read_timeout=self.read_timeout_seconds,
            write_timeout=self.read_timeout_seconds,
            pool_timeout=self.read_timeout_seconds,
        )
        bot = Bot(
            token=token,
            base_url=f"{self.api_base_url.rstrip('/')}/bot",
            request=request,
            get_updates_request=HTTPXRequest(connection_pool_size=1),
        )
        try:
            await self._initialize(bot)
            yield bot
        finally:
            try:
                await bot.shutdown()
            finally:
                for logger in loggers:
                    logger.removeFilter(scrubber)
