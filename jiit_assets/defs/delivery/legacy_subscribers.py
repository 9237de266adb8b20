"""Subscribers the older bot still registers, read alongside ours while both systems coexist.

Until an installation retires the older bot, students may still press /start there, and the older
bot writes them to its ``Users`` collection. ``LEGACY_USERS_COLLECTION`` (``DATABASE.COLLECTION``,
or ``COLLECTION`` in the pipeline's database) makes the Telegram fan-out read the active ones as
well, de-duplicated with ours by chat id. They are read, never written: a chat that blocked the bot
is simply "gone" for each notice, and the older bot keeps its own record. Plain module: no dagster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from jiit_assets.defs.delivery.telegram_fanout import TelegramRecipient

Document = dict[str, Any]


def split_collection_setting(setting: str, default_database: str) -> tuple[str, str] | None:
    """``(database, collection)`` from ``DATABASE.COLLECTION`` or ``COLLECTION``; None when unset."""
    value = setting.strip()
    if not value:
        return None
    database, dot, collection = value.partition(".")
    if not dot:
        return default_database, value
    if not database or not collection:
        raise ValueError(f"LEGACY_USERS_COLLECTION {value!r} should be DATABASE.COLLECTION or COLLECTION")
    return database, collection


def load_legacy_subscribers(users: Collection[Document]) -> list[str]:
    """Chat ids (as text) of the active subscribers in the older bot's ``Users``, in a stable order."""
    chats: dict[str, None] = {}
    for user in users.find({"is_active": True}, {"chat_id": 1, "user_id": 1}).sort("_id", 1):
        chat = user.get("chat_id") if user.get("chat_id") is not None else user.get("user_id")
        text = str(chat).strip() if chat is not None and not isinstance(chat, bool) else ""
        if text.lstrip("-").isdigit():
            chats[text.lstrip("+")] = None
    return list(chats)


def with_legacy_subscribers(
    recipients: Sequence[TelegramRecipient], client_database: Database[Document], setting: str
) -> list[TelegramRecipient]:
    """``recipients`` plus the older bot's active subscribers that are not already among them."""
    target = split_collection_setting(setting, client_database.name)
    if target is None:
        return list(recipients)
    database, collection = target
    users = client_database.client[database][collection]
    known = {recipient.chat_id for recipient in recipients}
    extra = [chat for chat in load_legacy_subscribers(users) if chat not in known]
    return [*recipients, *(TelegramRecipient(chat, subscriber=True) for chat in extra)]
