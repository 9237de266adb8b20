"""A local Telegram Bot API server for tests and the demo.

It speaks the real envelope (``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ...,
"description": ..., "parameters": {"retry_after": N}}``), checks the token (401), parses HTML the
way Telegram does (allowed tags only, balanced, ``& < >`` escaped, at most 4096 UTF-16 code units
after parsing: 400 "Bad Request: can't parse entities: ..." / "message is too long"), enforces the
flood limits (30 messages/s overall, 1/s per private chat, 20/min per group or channel) with 429 and
``retry_after``, answers 403 for chats that "blocked the bot", and can inject 500s, delays, or hold
every request after the N-th (to kill a client mid fan-out).

Received messages are kept for inspection: :attr:`TelegramStandin.messages`, ``GET
/_standin/messages`` (JSON) and an HTML page at ``/``. The incoming side (``getUpdates``, webhooks,
and ``POST /standin/incoming`` to make a student "send" the bot a message) is in
``telegram_updates.py``. Run it for the demo with
``python -m jiit_assets_tests.standins.telegram --port 8081 --token 123:demo``.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from jiit_assets_tests.standins.http import LoopbackServer, Outage, StandinHandler
from jiit_assets_tests.standins.telegram_updates import IncomingError, UpdateQueue

LOGGER = logging.getLogger("jiit_assets_tests.standins.telegram")
DEFAULT_TOKEN = "123456:standin-token"
MAX_MESSAGE_UTF16 = 4096
ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
     "code", "pre", "blockquote"}
)  # fmt: skip
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class EntityError(ValueError):
    """Telegram's "can't parse entities" family of errors."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(text: str) -> str:
    """The text a reader sees, or :class:`EntityError` for HTML Telegram would reject."""
    out: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        offset = len(text[:position].encode("utf-8"))
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise EntityError(f"Unsupported start tag at byte offset {offset}")
            closing, name, attributes, _ = match.groups()
            name = name.lower()
            if name not in ALLOWED_TAGS:
                raise EntityError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not stack:
                    raise EntityError(f'Unexpected end tag "{name}" at byte offset {offset}')
                if stack[-1] != name:
                    raise EntityError(
                        f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                attrs = {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                         for m in _ATTRIBUTE.finditer(attributes)}  # fmt: skip
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
                if name == "a" and not attrs.get("href"):
                    raise EntityError(f'Tag "a" must have attribute "href" at byte offset {offset}')
                stack.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise EntityError(f"Character entity expected at byte offset {offset}")
            out.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            raise EntityError(f'Unexpected ">" at byte offset {offset}, use "&gt;" instead')
        else:
            out.append(char)
            position += 1
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


@dataclass
class ReceivedMessage:
    message_id: int
    chat_id: str
    text: str  # as the reader sees it (HTML parsed)
    raw: str  # as sent
    parse_mode: str | None
    received_at: float = field(default_factory=time.time)


@dataclass
class _FloodControl:
    overall_per_second: int = 30
    private_interval: float = 1.0
    group_per_minute: int = 20
    sent: deque[float] = field(default_factory=deque)
    per_chat: dict[str, deque[float]] = field(default_factory=dict)

    def wait_needed(self, chat_id: str, now: float) -> float:
        """Seconds until this chat may receive a message; 0 records the send."""
        while self.sent and now - self.sent[0] >= 1.0:
            self.sent.popleft()
        chat = self.per_chat.setdefault(chat_id, deque())
        group = chat_id.startswith("-") or chat_id.startswith("@")
        window, limit = (60.0, self.group_per_minute) if group else (self.private_interval, 1)
        while chat and now - chat[0] >= window:
            chat.popleft()
        waits = []
        if len(self.sent) >= self.overall_per_second:
            waits.append(1.0 - (now - self.sent[0]))
        if len(chat) >= limit:
            waits.append(window - (now - chat[0]))
        if waits:
            return max(waits)
        self.sent.append(now)
        chat.append(now)
        return 0.0


class TelegramStandin:
    """The running stand-in: ``.url`` to pass as the API base URL, inspection and fault controls."""

    def __init__(
        self,
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        strict_rate_limits: bool = True,
        blocked_chats: tuple[str, ...] | list[str] = (),
        private_interval: float = 1.0,
    ) -> None:
        self.token = token
        self.strict_rate_limits = strict_rate_limits
        self.blocked_chats = {str(chat) for chat in blocked_chats}
        self.delay_seconds = 0.0
        self.messages: list[ReceivedMessage] = []
        self.updates = UpdateQueue()
        self.responses: Counter[int] = Counter()
        self.requests: Counter[str] = Counter()
        self._flood = _FloodControl(private_interval=private_interval)
        self.outage = Outage()
        # Seconds to wait before answering a method (lower-case name), e.g. a getMe that times out.
        self.method_delays: dict[str, float] = {}
        self._fail_next: deque[int] = deque()
        self._delay_next: deque[float] = deque()
        self._hold_after: int | None = None
        self._admitted = 0  # sendMessage requests let through the hold check
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._next_id = 1
        self._http = LoopbackServer(_handler_for(self), port, name="telegram-standin")

    @property
    def url(self) -> str:
        return self._http.url

    def stop(self) -> None:
        self._released.set()  # held requests answer, so shutting down does not wait on them
        self._http.stop()

    # Fault injection and inspection -------------------------------------------------------
    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._fail_next.extend([status] * count)

    def fail_for(self, seconds: float, status: int = 503, methods: tuple[str, ...] = ()) -> None:
        """Answer ``status`` for ``seconds`` of :attr:`outage`'s clock (to ``methods`` only, if given)."""
        self.outage.start(seconds, status, frozenset(method.lower() for method in methods))

    def delay_next(self, count: int, seconds: float) -> None:
        """Answer the next ``count`` sendMessage requests late (they are still delivered)."""
        with self._lock:
            self._delay_next.extend([seconds] * count)

    def hold_after(self, accepted: int | None) -> None:
        """After ``accepted`` more sendMessage requests, hold sendMessage requests unanswered until :meth:`release`."""
        with self._lock:
            self._hold_after = None if accepted is None else self._admitted + accepted
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
        self._released.set()

    @property
    def held(self) -> int:
        return self.requests["held"]

    def messages_for(self, chat_id: str | int) -> list[ReceivedMessage]:
        with self._lock:
            return [message for message in self.messages if message.chat_id == str(chat_id)]

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.responses.clear()
            self.requests.clear()
            self._fail_next.clear()
            self._delay_next.clear()
            self._hold_after = None
            self.blocked_chats.clear()
            self.delay_seconds = 0.0
            self.outage.clear()
            self.method_delays.clear()
            self._flood = _FloodControl(private_interval=self._flood.private_interval)
        self.updates.reset()
        self._released.set()

    def inject(self, body: dict[str, Any]) -> dict[str, Any]:
        """An incoming message from a student (see ``telegram_updates.UpdateQueue.inject``)."""
        return self.updates.inject(body)

    # Request handling ---------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.method_delays.get(method.lower()):
            time.sleep(self.method_delays[method.lower()])
        failing = self.outage.failing(method)
        if failing is not None:
            return failing, _error(failing, HTTPStatus(failing).phrase)
        if method.lower() == "getme":
            return 200, {"ok": True, "result": {"id": 7000001, "is_bot": True, "first_name": "JIIT Placement Alerts",
                                                  "username": "jiit_placement_standin_bot", "can_join_groups": True,
                                                  "can_read_all_group_messages": False,
                                                  "supports_inline_queries": False}}  # fmt: skip
        answered = self.updates.handle(method, params)
        if answered is not None:
            return answered
        if method.lower() != "sendmessage":
            return 404, _error(404, "Not Found: method not found")
        chat_id = str(params.get("chat_id", "")).strip()
        raw = str(params.get("text", ""))
        parse_mode = params.get("parse_mode") or None
        with self._lock:
            delay = self.delay_seconds + (self._delay_next.popleft() if self._delay_next else 0.0)
        if delay:
            time.sleep(delay)
        with self._lock:
            # Counted at admission, so concurrent requests cannot slip past the limit together.
            hold = self._hold_after is not None and self._admitted >= self._hold_after
            if hold:
                self.requests["held"] += 1
            else:
                self._admitted += 1
        if hold:
            self._released.wait()
            return 500, _error(500, "Internal Server Error: request was held and dropped")
        with self._lock:
            if self._fail_next:
                status = self._fail_next.popleft()
                return status, _error(status, HTTPStatus(status).phrase)
            if not chat_id:
                return 400, _error(400, "Bad Request: chat_id is empty")
            if chat_id in self.blocked_chats:
                return 403, _error(403, "Forbidden: bot was blocked by the user")
            try:
                text = parse_telegram_html(raw) if str(parse_mode).upper() == "HTML" else raw
            except EntityError as error:
                return 400, _error(400, f"Bad Request: can't parse entities: {error}")
            if not text.strip():
                return 400, _error(400, "Bad Request: message text is empty")
            if utf16_length(text) > MAX_MESSAGE_UTF16:
                return 400, _error(400, "Bad Request: message is too long")
            if self.strict_rate_limits:
                wait = self._flood.wait_needed(chat_id, time.monotonic())
                if wait > 0:
                    seconds = max(1, math.ceil(wait))
                    return 429, {**_error(429, f"Too Many Requests: retry after {seconds}"),
                                 "parameters": {"retry_after": seconds}}  # fmt: skip
            message = ReceivedMessage(self._next_id, chat_id, text, raw, parse_mode)
            self._next_id += 1
            self.messages.append(message)
        LOGGER.info("message %s to chat %s (%d characters)", message.message_id, chat_id, len(text))
        chat_type = (
            "channel" if chat_id.startswith("-100") else "group" if chat_id.startswith("-") else "private"
        )
        numeric_chat = int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else 0
        return 200, {"ok": True, "result": {"message_id": message.message_id, "date": int(message.received_at),
                                            "chat": {"id": numeric_chat, "type": chat_type}, "text": text}}  # fmt: skip

    def page(self) -> str:
        with self._lock:
            rows = "".join(
                f"<tr><td>{m.message_id}</td><td>{html.escape(m.chat_id)}</td><td>{m.parse_mode or 'plain'}</td>"
                f"<td><pre>{html.escape(m.text)}</pre></td></tr>"
                for m in reversed(self.messages)
            )
        return (
            "<!doctype html><meta charset=utf-8><title>Telegram stand-in</title>"
            f"<h1>Telegram stand-in: {len(self.messages)} messages</h1>"
            f"<table border=1><tr><th>id</th><th>chat</th><th>mode</th><th>text</th></tr>{rows}</table>"
        )


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _handler_for(standin: TelegramStandin) -> type[StandinHandler]:
    class Handler(StandinHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            # The request line contains the token; never log it.
            LOGGER.debug("%s", re.sub(r"/bot[^/\s]+/", "/bot<bot-token>/", format % args))

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            standin.responses[status] += 1
            self.send_body(status, body, content_type)

        def _api(self, params: dict[str, Any]) -> None:
            match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)/?", self.path.split("?", 1)[0])
            if match is None:
                self._send(404, json.dumps(_error(404, "Not Found")).encode(), "application/json")
                return
            if match.group(1) != standin.token:
                self._send(401, json.dumps(_error(401, "Unauthorized")).encode(), "application/json")
                return
            with standin._lock:
                standin.requests[match.group(2)] += 1
            status, payload = standin.handle(match.group(2), params)
            self._send(status, json.dumps(payload).encode(), "application/json")

        def do_GET(self) -> None:
            if self.path == "/":
                self._send(200, standin.page().encode(), "text/html; charset=utf-8")
            elif self.path.startswith("/_standin/messages"):
                with standin._lock:
                    body = json.dumps([asdict(m) for m in standin.messages]).encode()
                self._send(200, body, "application/json")
            else:
                self._api(_query_params(self.path))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type", "")
            if self.path.split("?", 1)[0].rstrip("/") == "/standin/incoming":
                self._incoming(body)
                return
            params: dict[str, Any] = _query_params(self.path)
            try:
                if "json" in content_type:
                    params.update(json.loads(body or b"{}"))
                elif body:
                    params.update({key: values[-1] for key, values in parse_qs(body.decode()).items()})
            except (ValueError, UnicodeDecodeError):
                self._send(
                    400, json.dumps(_error(400, "Bad Request: invalid body")).encode(), "application/json"
                )
                return
            self._api(params)

        def _incoming(self, body: bytes) -> None:
            try:
                update = standin.inject(json.loads(body or b"null"))
            except (ValueError, IncomingError) as error:
                message = str(error) if isinstance(error, IncomingError) else "the body is not valid JSON"
                self._send(400, json.dumps({"ok": False, "error": message}).encode(), "application/json")
                return
            LOGGER.info(
                "incoming update %s from chat %s", update["update_id"], update["message"]["chat"]["id"]
            )
            self._send(
                200, json.dumps({"ok": True, "update_id": update["update_id"]}).encode(), "application/json"
            )

    return Handler


def _query_params(path: str) -> dict[str, Any]:
    query = path.split("?", 1)[1] if "?" in path else ""
    return {key: values[-1] for key, values in parse_qs(query).items()}


def start_telegram_standin(
    port: int = 0,
    token: str = DEFAULT_TOKEN,
    strict_rate_limits: bool = True,
    blocked_chats: tuple[str, ...] | list[str] = (),
    private_interval: float = 1.0,
) -> TelegramStandin:
    return TelegramStandin(port, token, strict_rate_limits, blocked_chats, private_interval)
