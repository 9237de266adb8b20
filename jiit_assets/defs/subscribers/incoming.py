"""What a student sent the bot: Telegram updates read as typed messages and commands.

Updates are untrusted input: anything that is not a text message from a person (an edited
message, a channel post, a sticker, a bot) is read as ``None`` and ignored. Commands follow
Telegram's rules: ``/name`` or ``/name@botname`` at the start of the text, arguments after it. In a
group the bot answers only commands addressed to it by name (``/start@jiit_bot``), because a bare
``/start`` there may be meant for any of the group's bots, and other talk is not for it at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GROUP_CHAT_TYPES = frozenset({"group", "supergroup"})
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


@dataclass(frozen=True)
class IncomingMessage:
    update_id: int
    chat_id: int
    chat_type: str  # private, group, supergroup
    text: str
    user_id: int | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def in_group(self) -> bool:
        return self.chat_type in GROUP_CHAT_TYPES


@dataclass(frozen=True)
class Command:
    name: str  # lower case, without the slash
    args: str  # the rest of the message, stripped


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _name(value: Any, limit: int = 64) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())[:limit]
    return text or None


def update_id_of(update: Mapping[str, Any]) -> int | None:
    return _int(update.get("update_id")) if isinstance(update, Mapping) else None


def parse_update(update: Mapping[str, Any]) -> IncomingMessage | None:
    """The text message in ``update`` (a Bot API Update object as JSON), or None to ignore it."""
    update_id = update_id_of(update)
    message = update.get("message") if update_id is not None else None
    if not isinstance(message, Mapping):
        return None
    chat = message.get("chat")
    sender = message.get("from")
    text = message.get("text")
    if not isinstance(chat, Mapping) or not isinstance(text, str) or not text.strip():
        return None
    chat_id = _int(chat.get("id"))
    chat_type = chat.get("type")
    if update_id is None or chat_id is None or chat_type not in {"private", *GROUP_CHAT_TYPES}:
        return None
    if not isinstance(sender, Mapping) or sender.get("is_bot") is True:
        return None
    return IncomingMessage(
        update_id=update_id,
        chat_id=chat_id,
        chat_type=str(chat_type),
        text=text.strip()[:4096],
        user_id=_int(sender.get("id")),
        username=_name(sender.get("username")),
        first_name=_name(sender.get("first_name")),
        last_name=_name(sender.get("last_name")),
    )


def parse_command(message: IncomingMessage, bot_username: str) -> Command | None:
    """The command in ``message`` if the bot should act on it; None when it must stay silent.

    Private chat: every command (addressed to this bot or not, there is no other bot), and plain
    text becomes ``Command("", text)`` so the caller can answer with help. Group: only commands
    addressed to this bot by name.
    """
    match = _COMMAND.match(message.text)
    addressed_to = match.group(2) if match else None
    if message.in_group:
        if match is None or addressed_to is None or addressed_to.lower() != bot_username.lower():
            return None
    elif match is None:
        return Command("", message.text)
    assert match is not None
    return Command(match.group(1).lower(), message.text[match.end() :].strip())
