"""The incoming side of the Telegram stand-in: ``getUpdates``, webhooks, and injected messages.

Behaves like the Bot API where a poller can tell the difference:

* ``getUpdates`` returns updates with ``update_id >= offset`` (oldest first, at most ``limit``, 1 to
  100) and forgets every update below ``offset``, so an offset is an acknowledgement; a negative
  offset returns the last ``-offset`` updates. ``timeout`` long-polls: the request waits up to that
  many seconds (capped at 50) for an update to arrive.
* While a webhook is set (``setWebhook``), ``getUpdates`` answers 409 "Conflict: can't use
  getUpdates method while webhook is active"; a second poller that starts while one is waiting
  ends the first one with 409 "Conflict: terminated by other getUpdates request".
* ``setWebhook`` wants an https URL (400 otherwise); ``deleteWebhook`` (optionally dropping pending
  updates) and ``getWebhookInfo`` answer like the real ones.

Messages arrive through :meth:`UpdateQueue.inject`, which ``POST /standin/incoming`` calls with
``{"chat_id": 424242, "text": "/start", "from": {"id": 424242, "first_name": "Asha", "username":
"asha"}}`` (``"chat_type": "group"`` and ``"chat_title"`` for a group chat).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any
from urllib.parse import urlparse

MAX_POLL_SECONDS = 50.0
MAX_TEXT_LENGTH = 4096
_CHAT_TYPES = ("private", "group", "supergroup")


class IncomingError(ValueError):
    """An injected message the stand-in refuses; the text says what is wrong."""


def _error(code: int, description: str) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise IncomingError(f"{name} must be an integer")
    try:
        return int(value)
    except ValueError:
        raise IncomingError(f"{name} must be an integer") from None


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    return int(float(value))


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity Telegram attaches to a message that starts with a command."""
    if not text.startswith("/"):
        return []
    length = len(text.split(maxsplit=1)[0])
    return [{"type": "bot_command", "offset": 0, "length": len(text[:length].encode("utf-16-le")) // 2}]


class UpdateQueue:
    """Pending updates of one bot, the webhook setting, and waiting long polls."""

    def __init__(self) -> None:
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 100_000_001
        self._next_message_id = 1
        self._webhook_url = ""
        self._poll_generation = 0
        self._changed = threading.Condition()
        self.delivered: list[dict[str, Any]] = []  # every update ever handed out, for inspection

    def reset(self) -> None:
        with self._changed:
            self._updates.clear()
            self.delivered.clear()
            self._webhook_url = ""
            self._poll_generation += 1
            self._changed.notify_all()

    @property
    def pending(self) -> int:
        with self._changed:
            return len(self._updates)

    def inject(self, body: Any) -> dict[str, Any]:
        """Queue an incoming message as Telegram would deliver it; returns the update."""
        if not isinstance(body, dict):
            raise IncomingError("the body must be a JSON object")
        chat_id = _integer(body.get("chat_id"), "chat_id")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise IncomingError("text must be a non-empty string")
        if len(text) > MAX_TEXT_LENGTH:
            raise IncomingError(f"text is longer than {MAX_TEXT_LENGTH} characters")
        sender = body.get("from")
        if not isinstance(sender, dict):
            raise IncomingError('from must be an object like {"id": 424242, "first_name": "Asha"}')
        user_id = _integer(sender.get("id"), "from.id")
        first_name = sender.get("first_name")
        if not isinstance(first_name, str) or not first_name.strip():
            raise IncomingError("from.first_name must be a non-empty string")
        chat_type = str(body.get("chat_type") or ("private" if chat_id > 0 else "group"))
        if chat_type not in _CHAT_TYPES:
            raise IncomingError(f"chat_type must be one of {', '.join(_CHAT_TYPES)}")
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key in ("last_name", "username", "language_code"):
            if isinstance(sender.get(key), str) and sender[key]:
                user[key] = sender[key]
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update({k: v for k, v in user.items() if k in ("first_name", "last_name", "username")})
        else:
            chat["title"] = str(body.get("chat_title") or "Placement group")
        with self._changed:
            message = {"message_id": self._next_message_id, "from": user, "chat": chat,
                       "date": int(time.time()), "text": text}  # fmt: skip
            entities = command_entities(text)
            if entities:
                message["entities"] = entities
            update = {"update_id": self._next_update_id, "message": message}
            self._next_message_id += 1
            self._next_update_id += 1
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """Answer an update/webhook method, or None when ``method`` is not one of them."""
        name = method.lower()
        if name == "getupdates":
            return self._get_updates(params)
        if name == "setwebhook":
            url = str(params.get("url") or "").strip()
            if not url:
                return self._set_webhook("", drop=False)
            if urlparse(url).scheme != "https" or not urlparse(url).hostname:
                return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            return self._set_webhook(url, drop=_truthy(params.get("drop_pending_updates")))
        if name == "deletewebhook":
            return self._set_webhook("", drop=_truthy(params.get("drop_pending_updates")))
        if name == "getwebhookinfo":
            with self._changed:
                info = {"url": self._webhook_url, "has_custom_certificate": False,
                        "pending_update_count": len(self._updates)}  # fmt: skip
            return 200, {"ok": True, "result": info}
        return None

    def _set_webhook(self, url: str, *, drop: bool) -> tuple[int, dict[str, Any]]:
        with self._changed:
            was = self._webhook_url
            self._webhook_url = url
            if drop:
                self._updates.clear()
            self._changed.notify_all()
        if url:
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        description = "Webhook was deleted" if was else "Webhook is already deleted"
        return 200, {"ok": True, "result": True, "description": description}

    def _get_updates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            offset = _int_param(params, "offset", 0)
            limit = _int_param(params, "limit", 100)
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            return _error(400, "Bad Request: wrong parameter type")
        if not 1 <= limit <= 100:
            limit = 100
        deadline = time.monotonic() + max(0.0, min(timeout, MAX_POLL_SECONDS))
        with self._changed:
            if self._webhook_url:
                return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                                   "use deleteWebhook to delete the webhook first")  # fmt: skip
            self._poll_generation += 1
            generation = self._poll_generation
            self._changed.notify_all()  # a poll still waiting ends with 409, as on Telegram
            while True:
                if generation != self._poll_generation:
                    return _error(409, "Conflict: terminated by other getUpdates request; make sure "
                                       "that only one bot instance is running")  # fmt: skip
                if self._webhook_url:
                    return _error(409, "Conflict: can't use getUpdates method while webhook is active")
                result = self._take(offset, limit)
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    self.delivered.extend(result)
                    return 200, {"ok": True, "result": result}
                self._changed.wait(remaining)

    def _take(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Updates for this offset; ``offset`` > 0 acknowledges (forgets) everything below it."""
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
            return list(self._updates)[:limit]
        if offset < 0:
            return list(self._updates)[offset:][:limit]
        return list(self._updates)[:limit]


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"true", "1"}
