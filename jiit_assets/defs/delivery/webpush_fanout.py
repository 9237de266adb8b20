"""Web Push fan-out: each pending notice to every stored browser subscription, in parallel.

pywebpush is synchronous, so pushes run on a bounded thread pool (``concurrency``), one task per
subscription, each doing its own ledger writes: a write holds up only its own push, and a push
costs two writes (``begin`` before it, ``message_sent(last=True)`` after it, see ledger.py).
Each push gets a fresh VAPID claims dict (pywebpush writes ``aud``/``exp`` into the dict it is
given, which would leak one push service's audience into the next), ``TTL``/``Urgency``/``Topic``
headers and a request timeout. The ``Topic`` is derived from the notice id, so a push sent twice (at-least-once
after a crash, see ledger.py) replaces the undelivered first one instead of showing twice.

Answers: 201/202 sent; 404/410 the subscription is gone and deleted from ``push_subscriptions``;
429 and 5xx (and connection errors/timeouts) retried with backoff up to ``max_attempts``, then left
for a later run; any other status (400 bad payload, 403 VAPID mismatch, 413 too large) failed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import requests
from py_vapid import Vapid02
from pymongo.collection import Collection
from pywebpush import WebPushException, webpush

from jiit_assets.defs.delivery.ledger import DeliveryLedger, LedgerEntry, LedgerState
from jiit_assets.defs.delivery.webpush_resource import WebPushResource, b64url

CHANNEL = "web_push"
# RFC 8291: one aes128gcm record of 4096 bytes holds at most 3993 bytes of plaintext.
MAX_PAYLOAD_BYTES = 3993
BACKOFF_BASE_SECONDS = 0.5

Document = dict[str, Any]


@dataclass(frozen=True)
class PushNotice:
    notice_id: str
    revision: int
    payload: Document  # {title, body, url, notice_id, type}


@dataclass(frozen=True)
class PushSubscription:
    id: str
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> Document:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class PushReport:
    pushes_sent: int = 0
    rate_limited: int = 0
    unconfirmed_resent: int = 0
    deleted_subscriptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def subscription_id(endpoint: str) -> str:
    """Stable ``_id`` of a subscription: endpoints are long URLs, the ledger key wants a short one."""
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:24]


def subscription_document(data: Any) -> Document:
    """A browser ``PushSubscription.toJSON()`` object validated into a ``push_subscriptions`` document."""
    if not isinstance(data, dict):
        raise ValueError("a push subscription is a JSON object with endpoint and keys")
    endpoint = str(data.get("endpoint") or "").strip()
    raw_keys = data.get("keys")
    keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
    if urlparse(endpoint).scheme not in ("https", "http") or not urlparse(endpoint).hostname:
        raise ValueError("subscription endpoint must be an http(s) URL")
    p256dh, auth = str(keys.get("p256dh") or "").strip(), str(keys.get("auth") or "").strip()
    if not p256dh or not auth:
        raise ValueError("subscription keys.p256dh and keys.auth are required")
    return {"_id": subscription_id(endpoint), "endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def load_subscriptions(collection: Collection[Document]) -> list[PushSubscription]:
    subscriptions = []
    for document in collection.find({}, {"endpoint": 1, "keys": 1}).sort("_id", 1):
        keys = document.get("keys") or {}
        if document.get("endpoint") and keys.get("p256dh") and keys.get("auth"):
            subscriptions.append(
                PushSubscription(str(document["_id"]), document["endpoint"], keys["p256dh"], keys["auth"])
            )
    return subscriptions


def topic_for(notice_id: str) -> str:
    """RFC 8030 Topic: at most 32 characters of the URL-safe base64 alphabet."""
    return b64url(hashlib.sha256(notice_id.encode("utf-8")).digest())[:32]


def encode_payload(payload: Document) -> str:
    """The push JSON, shortening the body (never the ids or URL) to fit one aes128gcm record."""
    document = dict(payload)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    body = str(document.get("body") or "")
    while len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES and body:
        excess = len(text.encode("utf-8")) - MAX_PAYLOAD_BYTES
        body = body[: max(0, len(body) - max(excess, 1) - 1)].rstrip() + "…"
        if len(body) <= 1:
            body = ""
        document["body"] = body
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"push payload of {document.get('notice_id')} exceeds {MAX_PAYLOAD_BYTES} bytes")
    return text


class PushFanout:
    """Sends notices to subscriptions on a thread pool, bracketed by ledger writes."""

    def __init__(
        self,
        resource: WebPushResource,
        vapid: Vapid02,
        ledger: DeliveryLedger,
        subscriptions_collection: Collection[Document],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.resource = resource
        self.vapid = vapid
        self.ledger = ledger
        self.subscriptions = subscriptions_collection
        self.sleep = sleep
        self.report = PushReport()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    def deliver(
        self,
        notices: Sequence[PushNotice],
        subscriptions: Sequence[PushSubscription],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> PushReport:
        """``entries[notice_id][subscription_id]`` = ledger entry (created when missing)."""
        work: list[tuple[PushNotice, str, PushSubscription, LedgerEntry]] = []
        for notice in notices:
            known = entries.setdefault(notice.notice_id, {})
            self.report.unconfirmed_resent += self.ledger.recover_crashed(known.values())
            data = encode_payload(notice.payload) if notice.payload.get("title") else ""
            for subscription in subscriptions:
                entry = known.setdefault(
                    subscription.id,
                    LedgerEntry(
                        notice.notice_id, notice.revision, CHANNEL, subscription.id, LedgerState.RETRY
                    ),
                )
                if not entry.done:
                    work.append((notice, data, subscription, entry))
        gone: set[str] = set()
        with ThreadPoolExecutor(max_workers=max(1, self.resource.concurrency)) as pool:
            # Notices go oldest first per subscription: one task walks one subscription's pushes.
            by_subscription: dict[str, list[tuple[PushNotice, str, PushSubscription, LedgerEntry]]] = {}
            for item in work:
                by_subscription.setdefault(item[2].id, []).append(item)
            futures = [pool.submit(self._walk, items, gone) for items in by_subscription.values()]
            try:
                for future in futures:
                    future.result()
            finally:
                for session in self._sessions:
                    session.close()
        if gone:
            self.subscriptions.delete_many({"_id": {"$in": sorted(gone)}})
            self.report.deleted_subscriptions.extend(sorted(gone))
        return self.report

    def _walk(
        self, items: list[tuple[PushNotice, str, PushSubscription, LedgerEntry]], gone: set[str]
    ) -> None:
        gone_reason: str | None = None
        for notice, data, subscription, entry in items:
            if gone_reason is not None:
                self.ledger.mark_done_without_send(entry, LedgerState.GONE, gone_reason)
                continue
            reason: str | None = "notice has no push payload"
            state = LedgerState.FAILED
            if data:
                state, reason = self._push(notice, data, subscription, entry)
            if not entry.done:  # a confirmed push was closed as sent by its confirmation write
                self.ledger.finish(entry, state, reason)
            if state == LedgerState.SENT:
                with self._lock:
                    self.report.pushes_sent += 1
            elif state == LedgerState.GONE:
                gone_reason = reason
                with self._lock:
                    gone.add(subscription.id)
            else:
                with self._lock:
                    self.report.errors.append(
                        f"{notice.notice_id} → subscription {subscription.id}: {entry.reason}"
                    )

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()  # one connection pool per worker thread
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _push(
        self, notice: PushNotice, data: str, subscription: PushSubscription, entry: LedgerEntry
    ) -> tuple[LedgerState, str | None]:
        origin = urlparse(subscription.endpoint)
        headers = {"Urgency": self.resource.urgency, "Topic": topic_for(notice.notice_id)}
        attempts = 0
        while True:
            attempts += 1
            claims: dict[str, str | int] = {
                "sub": self.resource.vapid_subject.strip(),
                "aud": f"{origin.scheme}://{origin.netloc}",
                "exp": int(time.time()) + self.resource.claim_lifetime_seconds,
            }
            self.ledger.begin(entry, 0)
            retry_wait: float | None = None
            try:
                webpush(
                    subscription.info(),
                    data=data,
                    vapid_private_key=self.vapid,
                    vapid_claims=claims,
                    ttl=self.resource.ttl_seconds,
                    timeout=self.resource.timeout_seconds,
                    headers=dict(headers),
                    requests_session=self._session(),
                )
            except WebPushException as error:
                status = error.response.status_code if error.response is not None else None
                if status in (404, 410):
                    return LedgerState.GONE, f"push service answered {status}: subscription expired"
                if status is None or status == 429 or status >= 500:
                    if status == 429:
                        with self._lock:
                            self.report.rate_limited += 1
                        retry_wait = _retry_after_header(error.response)
                    reason = f"push service answered {status}" if status else "push failed"
                else:
                    body = (error.response.text or "")[:200] if error.response is not None else ""
                    return LedgerState.FAILED, f"push service answered {status}: {body}".strip()
            except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout):
                reason = "could not connect to the push service"
            except requests.exceptions.Timeout:
                reason = "push service did not answer in time"
                # It may have accepted the push; the Topic header makes a resend replace it.
                self.ledger.count_unconfirmed(entry)
                with self._lock:
                    self.report.unconfirmed_resent += 1
            else:
                # Confirmation and "sent" in one write: a push is always a recipient's only message.
                self.ledger.message_sent(entry, None, plain_text=False, last=True)
                return LedgerState.SENT, None
            if attempts >= self.resource.max_attempts:
                return LedgerState.RETRY, f"{reason} (after {attempts} attempts)"
            self.sleep(retry_wait if retry_wait is not None else BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))


def _retry_after_header(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None
