"""Web Push fan-out: each pending notice to every stored browser subscription, in parallel.

pywebpush is synchronous, so pushes run on a bounded thread pool (``concurrency``), one task per
subscription walking its notices oldest first. Each push is bracketed by ledger operations that the
group-commit writer batches across all workers (see ``ledger.py`` and ``ledger_writer.py``): a push
waits for its intent to be durable, and a worker records a push's outcome before its next push.
Each push gets a fresh VAPID claims dict (pywebpush writes ``aud``/``exp`` into the dict it is
given, which would leak one push service's audience into the next), ``TTL``/``Urgency``/``Topic``
headers and a request timeout. The ``Topic`` is derived from the notice id, so a push sent twice
(at-least-once after a crash) replaces the undelivered first one instead of showing twice.

Answers: 201/202 sent; 404/410 the subscription is gone and deleted from ``push_subscriptions``;
429 and 5xx (and connection errors, timeouts) retried with backoff up to ``max_attempts``, then left
for a later run until the give-up window passes; any other status failed. A subscription that
cannot be used (endpoint off the allow-list, malformed keys, or any other error while preparing
its request) fails for that recipient alone, with a reason that never contains its endpoint. Only
status codes are kept from answers, never response bodies.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import urlparse

import requests
from py_vapid import Vapid02
from pymongo.collection import Collection
from pywebpush import WebPushException, webpush
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from jiit_assets.defs.delivery.ledger import (
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
from jiit_assets.defs.delivery.ledger_writer import LeaseLost, LedgerWriter
from jiit_assets.defs.delivery.push_endpoints import describe_error, key_refusal
from jiit_assets.defs.delivery.webpush_resource import WebPushResource, b64url
from jiit_assets.defs.subscribers.profile import Profile

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
    queued_at: datetime  # the give-up window counts from here


@dataclass(frozen=True)
class PushSubscription:
    id: str
    endpoint: str
    p256dh: str
    auth: str
    profile: Profile | None = None  # what the subscriber wants (subscribers/targeting.py)

    def info(self) -> Document:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class PushReport:
    pushes_sent: int = 0
    rate_limited: int = 0
    unconfirmed_resent: int = 0
    deleted_subscriptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class TransientPushError(Exception):
    """This attempt failed in a way another attempt may fix; ``wait`` is the service's Retry-After."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


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


def load_subscriptions(
    collection: Collection[Document], ids: Iterable[str] | None = None
) -> list[PushSubscription]:
    """Every usable subscription, or only those with the given ids (an ``_id`` lookup FerretDB pushes down)."""
    query: Document = {} if ids is None else {"_id": {"$in": sorted(set(ids))}}
    subscriptions = []
    for document in collection.find(query, {"endpoint": 1, "keys": 1, "profile": 1}).sort("_id", 1):
        keys = document.get("keys") or {}
        if document.get("endpoint") and keys.get("p256dh") and keys.get("auth"):
            profile = Profile.from_document(document["profile"]) if document.get("profile") else None
            subscriptions.append(
                PushSubscription(
                    str(document["_id"]), document["endpoint"], keys["p256dh"], keys["auth"], profile
                )
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


def status_reason(status: int) -> str:
    """``push service answered 413 (Request Entity Too Large)``: the code and its standard phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "non-standard status"
    return f"push service answered {status} ({phrase})"


def retry_after_header(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


Work = tuple[PushNotice, str, PushSubscription, LedgerEntry]


class PushFanout:
    """Sends notices to subscriptions on a thread pool, bracketed by batched ledger writes."""

    def __init__(
        self,
        resource: WebPushResource,
        vapid: Vapid02,
        writer: LedgerWriter,
        subscriptions_collection: Collection[Document],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.resource = resource
        self.vapid = vapid
        self.writer = writer
        self.subscriptions = subscriptions_collection
        self.sleep = sleep
        self.clock = clock
        self.policy = resource.endpoint_policy
        self.report = PushReport()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._stop = threading.Event()

    def deliver(
        self,
        notices: Sequence[PushNotice],
        subscriptions: Sequence[PushSubscription],
        entries: dict[str, dict[str, LedgerEntry]],
    ) -> PushReport:
        """``entries[notice_id][subscription_id]`` = ledger entry (created when missing)."""
        return self.deliver_pairs([(n, s) for n in notices for s in subscriptions], entries)

    def deliver_pairs(
        self, pairs: Sequence[tuple[PushNotice, PushSubscription]], entries: dict[str, dict[str, LedgerEntry]]
    ) -> PushReport:
        """Each (notice, subscription) pair once, a subscription's pairs in the order given."""
        by_subscription = self._plan(pairs, entries)
        gone: set[str] = set()
        with ThreadPoolExecutor(max_workers=max(1, self.resource.concurrency)) as pool:
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

    def _plan(
        self, pairs: Sequence[tuple[PushNotice, PushSubscription]], entries: dict[str, dict[str, LedgerEntry]]
    ) -> dict[str, list[Work]]:
        """Each subscription's unfinished pushes, in the order given; crashed entries recovered."""
        by_subscription: dict[str, list[Work]] = {}
        recovered = []
        payloads: dict[str, str] = {}
        for notice, subscription in pairs:
            known = entries.setdefault(notice.notice_id, {})
            if notice.notice_id not in payloads:
                recovered += [op for op in map(recover_legacy, known.values()) if op is not None]
                payloads[notice.notice_id] = (
                    encode_payload(notice.payload) if notice.payload.get("title") else ""
                )
            entry = known.setdefault(
                subscription.id,
                LedgerEntry(notice.notice_id, notice.revision, CHANNEL, subscription.id, LedgerState.RETRY),
            )
            if not entry.done:
                work = (notice, payloads[notice.notice_id], subscription, entry)
                by_subscription.setdefault(subscription.id, []).append(work)
        self.writer.record(recovered).result()
        self.report.unconfirmed_resent += len(recovered)
        return by_subscription

    def _walk(self, items: list[Work], gone: set[str]) -> None:
        gone_reason: str | None = None
        for notice, data, subscription, entry in items:
            if self._stop.is_set():
                return
            if gone_reason is not None:
                self.writer.record([finish(entry, LedgerState.GONE, gone_reason)], entry.id).result()
                continue
            try:
                state, reason = self._send(notice, data, subscription, entry)
            except LeaseLost:
                self._stop.set()
                raise
            if state == LedgerState.RETRY:
                expired = give_up_reason(
                    reason or "push failed",
                    notice.queued_at,
                    timedelta(seconds=self.resource.give_up_after_seconds),
                    self.clock(),
                )
                state, reason = (LedgerState.FAILED, expired) if expired else (state, reason)
            if not entry.done:  # a confirmed push was closed as sent by its confirmation write
                self.writer.record([finish(entry, state, reason)], entry.id).result()
            self._count(state, reason, notice, subscription, entry, gone)
            if state == LedgerState.GONE:
                gone_reason = reason

    def _count(
        self,
        state: LedgerState,
        reason: str | None,
        notice: PushNotice,
        subscription: PushSubscription,
        entry: LedgerEntry,
        gone: set[str],
    ) -> None:
        with self._lock:
            if state == LedgerState.SENT:
                self.report.pushes_sent += 1
            elif state == LedgerState.GONE:
                gone.add(subscription.id)
            else:
                self.report.errors.append(
                    f"{notice.notice_id} → subscription {subscription.id}: {entry.reason}"
                )

    def _send(
        self, notice: PushNotice, data: str, subscription: PushSubscription, entry: LedgerEntry
    ) -> tuple[LedgerState, str | None]:
        """One push with retries; the state the entry should end in and why."""
        if not data:
            return LedgerState.FAILED, "notice has no push payload"
        refusal = self.policy.refusal(subscription.endpoint) or key_refusal(
            subscription.p256dh, subscription.auth
        )
        if refusal is not None:
            return LedgerState.FAILED, refusal
        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.resource.max_attempts)),
            wait=_backoff,
            retry=retry_if_exception_type(TransientPushError),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, notice, data, subscription, entry)
        except TransientPushError as error:
            return LedgerState.RETRY, f"{error.reason} (after {self.resource.max_attempts} attempts)"

    def _attempt(
        self, notice: PushNotice, data: str, subscription: PushSubscription, entry: LedgerEntry
    ) -> tuple[LedgerState, str | None]:
        """One request: its outcome, or :class:`TransientPushError` (its outcome already recorded)."""
        self.writer.intend(begin(entry, 0)).result()
        try:
            self._request(notice, data, subscription)
        except WebPushException as error:
            return self._answer(error, entry)
        except requests.exceptions.ConnectionError:  # includes ConnectTimeout: nothing was sent
            self.writer.record(attempt_failed(entry, unconfirmed=False), entry.id).result()
            raise TransientPushError("could not connect to the push service") from None
        except requests.exceptions.Timeout:
            # It may have accepted the push; the Topic header makes the resend replace it.
            self.writer.record(attempt_failed(entry, unconfirmed=True), entry.id).result()
            with self._lock:
                self.report.unconfirmed_resent += 1
            raise TransientPushError("push service did not answer in time") from None
        except Exception as error:
            # Whatever else this subscription makes the request raise (keys, URL), it is this
            # recipient's failure alone; the text is scrubbed of URLs.
            return LedgerState.FAILED, f"subscription unusable: {describe_error(error)}"
        # Confirmation and "sent" in one operation: a push is always a recipient's only message.
        self.writer.record([sent(entry, None, plain_text=False, last=True)], entry.id).result()
        return LedgerState.SENT, None

    def _answer(self, error: WebPushException, entry: LedgerEntry) -> tuple[LedgerState, str | None]:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            return LedgerState.GONE, f"{status_reason(status)}: subscription expired"
        if status is None or status == 429 or status >= 500:
            self.writer.record(attempt_failed(entry, unconfirmed=False), entry.id).result()
            wait = None
            if status == 429:
                with self._lock:
                    self.report.rate_limited += 1
                wait = retry_after_header(error.response)
            raise TransientPushError(status_reason(status) if status else "push failed", wait)
        return LedgerState.FAILED, status_reason(status)

    def _request(self, notice: PushNotice, data: str, subscription: PushSubscription) -> None:
        origin = urlparse(subscription.endpoint)
        claims: dict[str, str | int] = {
            "sub": self.resource.vapid_subject.strip(),
            "aud": f"{origin.scheme}://{origin.netloc}",
            "exp": int(time.time()) + self.resource.claim_lifetime_seconds,
        }
        webpush(
            subscription.info(),
            data=data,
            vapid_private_key=self.vapid,
            vapid_claims=claims,
            ttl=self.resource.ttl_seconds,
            timeout=self.resource.timeout_seconds,
            headers={"Urgency": self.resource.urgency, "Topic": topic_for(notice.notice_id)},
            requests_session=self._session(),
        )

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()  # one connection pool per worker thread
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session


def _backoff(state: RetryCallState) -> float:
    """The service's Retry-After when it gave one, else exponential from ``BACKOFF_BASE_SECONDS``."""
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, TransientPushError) and error.wait is not None:
        return error.wait
    return float(BACKOFF_BASE_SECONDS * 2 ** (state.attempt_number - 1))
