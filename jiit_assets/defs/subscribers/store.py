"""Telegram subscribers in ``users``: subscribe, unsubscribe, read and save a profile.

A subscriber is a chat (a student's private chat, or a group that subscribed). Documents written
here have ``_id`` = the chat id as text, so every command reads and writes its subscriber with one
``_id`` lookup (the only lookup FerretDB answers from an index). Documents of the older bot carry
other ``_id``s; deactivation therefore matches every document of the chat by ``chat_id`` or
``user_id``, as the delivery fan-out does on a 403, so an old duplicate never keeps a chat
subscribed after /stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.subscribers.incoming import IncomingMessage
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.timing import MODES_FIELD, mode_change_fields

Document = dict[str, Any]


class Subscription(StrEnum):
    NEW = "new"
    REACTIVATED = "reactivated"
    ALREADY_ACTIVE = "already_active"


@dataclass(frozen=True)
class Subscriber:
    chat_id: int
    is_active: bool
    created_at: datetime | None
    profile: Profile

    @classmethod
    def from_document(cls, document: Document) -> Subscriber:
        created = document.get("created_at")
        stored = document.get("profile")
        return cls(
            chat_id=_as_int(document.get("chat_id")),
            is_active=document.get("is_active") is True,
            created_at=created.replace(tzinfo=created.tzinfo or UTC)
            if isinstance(created, datetime)
            else None,
            profile=Profile.from_document(stored),
        )


def _as_int(value: Any) -> int:
    """Older documents may hold a chat id as text (or a channel's @name, which is no number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _chat_forms(chat_id: int) -> list[Any]:
    return [chat_id, str(chat_id)]


class SubscriberStore:
    """The ``users`` collection as the bot commands use it."""

    def __init__(self, users: Collection[Document], now: Callable[[], datetime] | None = None) -> None:
        self.users = users
        self.now = now or (lambda: datetime.now(UTC))

    def find(self, chat_id: int) -> Subscriber | None:
        document = self.users.find_one({"_id": str(chat_id)})
        if document is None:
            # A subscriber written by the older bot (other _id): a scan, only for chats not yet seen here.
            document = self.users.find_one({"chat_id": {"$in": _chat_forms(chat_id)}})
        return Subscriber.from_document(document) if document is not None else None

    def subscribe(self, message: IncomingMessage) -> Subscription:
        """Upsert the chat's subscriber as active with the sender's names (the fields the older bot wrote)."""
        existing = self.find(message.chat_id)
        now = self.now()
        fields: Document = {
            "chat_id": message.chat_id,
            "user_id": message.user_id,
            "username": message.username,
            "first_name": message.first_name,
            "last_name": message.last_name,
            "chat_type": message.chat_type,
            "is_active": True,
            "updated_at": now,
        }
        created = existing.created_at if existing and existing.created_at else now
        self.users.update_one(
            {"_id": str(message.chat_id)},
            {
                "$set": fields,
                "$unset": {"deactivated_at": "", "deactivated_reason": ""},
                "$setOnInsert": {"created_at": created},
            },
            upsert=True,
        )
        if existing is None:
            return Subscription.NEW
        return Subscription.ALREADY_ACTIVE if existing.is_active else Subscription.REACTIVATED

    def deactivate(self, chat_id: int, reason: str) -> bool:
        """Every active document of the chat set inactive; whether any was active."""
        forms = _chat_forms(chat_id)
        now = self.now()
        result = self.users.update_many(
            # Older documents may lack chat_id (their user_id is the private chat); a group's
            # document carries the sender's user_id, which must not stop the sender's private chat.
            {
                "$or": [{"chat_id": {"$in": forms}}, {"chat_id": None, "user_id": {"$in": forms}}],
                "is_active": True,
            },
            {
                "$set": {
                    "is_active": False,
                    "updated_at": now,
                    "deactivated_at": now,
                    "deactivated_reason": reason,
                }
            },
        )
        return result.modified_count > 0

    def save_profile(self, chat_id: int, profile: Profile) -> None:
        """Store the profile; a change of digest mode is stamped too (see timing.py ``digest_modes``)."""
        now = self.now()
        fields = {"profile": 1, MODES_FIELD: 1}
        previous = self.users.find_one({"_id": str(chat_id)}, fields)
        by_id = previous is not None
        if not by_id:
            previous = self.users.find_one({"chat_id": {"$in": _chat_forms(chat_id)}}, fields)
        update = {
            "$set": {"profile": profile.to_document(), "updated_at": now}
            | mode_change_fields(previous, profile, now)
        }
        if not by_id or self.users.update_one({"_id": str(chat_id)}, update).matched_count == 0:
            self.users.update_many({"chat_id": {"$in": _chat_forms(chat_id)}}, update)
