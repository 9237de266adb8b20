"""Telegram's flood limits, kept by the sender: a global spacing and a per-chat interval.

Pacing is ours, not python-telegram-bot's (its ``AIORateLimiter`` has neither per-chat limits nor
retries): a global spacing of ``1 / messages_per_second`` and a per-chat interval (1 s for private
chats, 3 s for groups and channels: Telegram's 20 per minute). A 429 holds the chat for the
``retry_after`` Telegram asked for.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

# python-telegram-bot 22 warns on every RetryAfter that `retry_after` will become a timedelta;
# retry_after_seconds() handles both types, so the warning is noise in every rate-limited run.
warnings.filterwarnings(
    "ignore", message=r".*attribute `retry_after` will be of type", category=PTBDeprecationWarning
)


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
