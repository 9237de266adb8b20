"""A local Web Push service (RFC 8030) for tests and the demo.

``POST /push/<subscription id>`` is accepted only the way real push services accept it: a VAPID
``Authorization: vapid t=<JWT>, k=<public key>`` header whose ES256 signature verifies, whose
``aud`` is this service's origin, whose ``exp`` is in the future and at most 24 h away, and whose
``sub`` is a ``mailto:`` or ``https:`` contact (RFC 8292); ``Content-Encoding: aes128gcm`` and a
``TTL`` header. The body is decrypted with the subscription's private keys (RFC 8291: ECDH P-256,
HKDF-SHA-256, AES-128-GCM) and the plaintext recorded. Answers 201, or 404/410/429/5xx on request.

Subscriptions are minted by :meth:`PushStandin.new_subscription` (browser ``PushSubscription`` JSON),
or over HTTP for a person or a test: ``POST /_standin/subscriptions`` with an optional JSON body
``{"applicationServerKey": "<VAPID public key>"}`` answers a subscription to send to
``jiit-assets serve`` (``POST /api/push/subscribe``).
Inspect with :attr:`PushStandin.received`, ``GET /_standin/pushes`` (JSON) or the page at ``/``.
Run it for the demo with ``python -m jiit_assets_tests.standins.push --port 8082``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import random
import secrets
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jiit_assets_tests.standins.http import LoopbackServer, Outage, StandinHandler

LOGGER = logging.getLogger("jiit_assets_tests.standins.push")
MAX_CLAIM_LIFETIME = 24 * 3600


class PushRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _b64d(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def decrypt_aes128gcm(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """RFC 8291 §3.4 / RFC 8188: the plaintext of a single-record Web Push message."""
    if len(body) < 21:
        raise PushRejected(400, "body shorter than the aes128gcm header")
    salt, record_size, id_length = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    as_public_bytes = body[21 : 21 + id_length]
    ciphertext = body[21 + id_length :]
    if id_length != 65:
        raise PushRejected(400, "keyid must be the sender's 65-byte public key")
    if len(ciphertext) > record_size or record_size > 4096:
        raise PushRejected(400, "Web Push messages are a single record of at most 4096 bytes")
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_bytes)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    ua_public = _point(ua_private.public_key())
    prk_key = _hmac(auth_secret, ecdh_secret)
    ikm = _hmac(prk_key, b"WebPush: info\x00" + ua_public + as_public_bytes + b"\x01")
    prk = _hmac(salt, ikm)
    cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    try:
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        raise PushRejected(400, "payload does not decrypt with the subscription keys") from None
    unpadded = padded.rstrip(b"\x00")
    if not unpadded.endswith(b"\x02"):
        raise PushRejected(400, "last record must end with the 0x02 padding delimiter")
    return unpadded[:-1]


def verify_vapid(authorization: str, audience: str, application_server_key: str | None) -> dict[str, Any]:
    """RFC 8292 checks; the verified claims."""
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "vapid":
        raise PushRejected(401, "Authorization must use the vapid scheme")
    parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
    token, key = parts.get("t", ""), parts.get("k", "")
    if not token or not key:
        raise PushRejected(401, "vapid authorization needs t= and k=")
    if application_server_key is not None and key.rstrip("=") != application_server_key.rstrip("="):
        raise PushRejected(403, "VAPID key differs from the subscription's applicationServerKey")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64d(header_b64))
        claims = json.loads(_b64d(claims_b64))
        signature = _b64d(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64d(key))
    except ValueError:
        raise PushRejected(401, "malformed VAPID token") from None
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise PushRejected(401, "VAPID token must be ES256")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise PushRejected(401, "VAPID signature does not verify") from None
    now = time.time()
    if claims.get("aud") != audience:
        raise PushRejected(401, f"VAPID aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + MAX_CLAIM_LIFETIME + 60:
        raise PushRejected(401, "VAPID exp must be in the future and at most 24 hours away")
    sub = str(claims.get("sub") or "")
    if not (sub.startswith("mailto:") or sub.startswith("https:")):
        raise PushRejected(401, "VAPID sub must be a mailto: or https: contact")
    return dict(claims)


@dataclass
class ReceivedPush:
    subscription_id: str
    payload: Any  # parsed JSON when it is JSON, else the text
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    received_at: float = field(default_factory=time.time)


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str | None
    gone_status: int | None = None


class PushStandin:
    """The running stand-in: ``.url``, subscriptions, fault controls and what it received."""

    def __init__(self, port: int = 0, delay_seconds: float = 0.0, jitter_seconds: float = 0.0) -> None:
        self.received: list[ReceivedPush] = []
        self.responses: Counter[int] = Counter()
        self.retry_after_seconds = 1
        # Real push services answer across the internet in tens to hundreds of milliseconds; each
        # answer waits delay ± jitter (uniform) before the push is handled.
        self.delay_seconds = delay_seconds
        self.jitter_seconds = jitter_seconds
        self.outage = Outage()
        # Real push services explain a refusal in the body (JSON or text); the pipeline must not keep it.
        self.error_body = b""
        self._subscriptions: dict[str, _Subscription] = {}
        self._fail_next: deque[int] = deque()
        self._lock = threading.Lock()
        self._http = LoopbackServer(_handler_for(self), port, name="push-standin")

    @property
    def url(self) -> str:
        return self._http.url

    def stop(self) -> None:
        self._http.stop()

    def new_subscription(self, application_server_key: str | None = None) -> dict[str, Any]:
        """A browser-style PushSubscription JSON whose private keys only this stand-in holds."""
        private = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        subscription_id = secrets.token_urlsafe(16)
        with self._lock:
            self._subscriptions[subscription_id] = _Subscription(private, auth, application_server_key)
        return {
            "endpoint": f"{self.url}/push/{subscription_id}",
            "expirationTime": None,
            "keys": {"p256dh": _b64e(_point(private.public_key())), "auth": _b64e(auth)},
        }

    def expire(self, endpoint: str, status: int = 410) -> None:
        """Make a subscription answer 404 or 410 from now on (the browser unsubscribed)."""
        with self._lock:
            self._subscriptions[endpoint.rsplit("/", 1)[-1]].gone_status = status

    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._fail_next.extend([status] * count)

    def received_for(self, endpoint: str) -> list[ReceivedPush]:
        subscription_id = endpoint.rsplit("/", 1)[-1]
        with self._lock:
            return [push for push in self.received if push.subscription_id == subscription_id]

    def fail_for(self, seconds: float, status: int = 503) -> None:
        """Answer ``status`` to every push for ``seconds`` of :attr:`outage`'s clock."""
        self.outage.start(seconds, status)

    def wait_like_a_remote_service(self) -> None:
        delay = self.delay_seconds + random.uniform(-self.jitter_seconds, self.jitter_seconds)
        if delay > 0:
            time.sleep(delay)

    def handle(self, subscription_id: str, headers: Any, body: bytes) -> tuple[int, dict[str, str]]:
        self.wait_like_a_remote_service()
        failing = self.outage.failing()
        if failing is not None:
            return failing, {}
        with self._lock:
            subscription = self._subscriptions.get(subscription_id)
            if subscription is None:
                return 404, {}
            if subscription.gone_status is not None:
                return subscription.gone_status, {}
            if self._fail_next:
                status = self._fail_next.popleft()
                return status, {"Retry-After": str(self.retry_after_seconds)} if status == 429 else {}
        try:
            claims = verify_vapid(
                headers.get("Authorization", ""), self.url, subscription.application_server_key
            )
            if headers.get("Content-Encoding", "").lower() != "aes128gcm":
                raise PushRejected(415, "Content-Encoding must be aes128gcm")
            ttl_header = headers.get("TTL")
            if ttl_header is None or not ttl_header.strip().isdigit():
                raise PushRejected(400, "TTL header is required")
            plaintext = decrypt_aes128gcm(body, subscription.private_key, subscription.auth)
        except PushRejected as error:
            LOGGER.warning("push to %s rejected: %s", subscription_id, error)
            return error.status, {}
        text = plaintext.decode("utf-8", "replace")
        try:
            payload: Any = json.loads(text)
        except ValueError:
            payload = text
        push = ReceivedPush(
            subscription_id, payload, int(ttl_header), headers.get("Urgency"), headers.get("Topic"), claims
        )
        with self._lock:
            self.received.append(push)
        LOGGER.info("push to %s (%d bytes, TTL %s)", subscription_id, len(plaintext), ttl_header)
        return 201, {"Location": f"{self.url}/message/{secrets.token_urlsafe(8)}"}

    def page(self) -> str:
        with self._lock:
            rows = "".join(
                f"<tr><td>{html.escape(p.subscription_id)}</td><td>{p.ttl}</td><td>{html.escape(str(p.urgency))}</td>"
                f"<td><pre>{html.escape(json.dumps(p.payload, ensure_ascii=False, indent=1))}</pre></td></tr>"
                for p in reversed(self.received)
            )
        return (
            "<!doctype html><meta charset=utf-8><title>Push stand-in</title>"
            f"<h1>Push stand-in: {len(self.received)} pushes</h1>"
            f"<table border=1><tr><th>subscription</th><th>TTL</th><th>urgency</th><th>payload</th></tr>{rows}</table>"
        )


def _handler_for(standin: PushStandin) -> type[StandinHandler]:
    class Handler(StandinHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            LOGGER.debug(format, *args)

        def _send(
            self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
        ) -> None:
            standin.responses[status] += 1
            self.send_body(status, body, content_type, extra)

        def do_GET(self) -> None:
            if self.path == "/":
                self._send(200, standin.page().encode(), "text/html; charset=utf-8")
            elif self.path.startswith("/_standin/pushes"):
                with standin._lock:
                    body = json.dumps([asdict(p) for p in standin.received]).encode()
                self._send(200, body, "application/json")
            else:
                self._send(404, b"", "text/plain")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path == "/_standin/subscriptions":
                self._mint(body)
                return
            if not self.path.startswith("/push/"):
                self._send(404, b"", "text/plain")
                return
            status, extra = standin.handle(self.path.removeprefix("/push/"), self.headers, body)
            self._send(status, b"" if status < 300 else standin.error_body, "text/plain", extra)

        def _mint(self, body: bytes) -> None:
            try:
                request = json.loads(body) if body.strip() else {}
                key = request.get("applicationServerKey") if isinstance(request, dict) else None
                if key is not None and not isinstance(key, str):
                    raise ValueError("applicationServerKey must be a string")
            except ValueError as error:
                self._send(400, json.dumps({"error": str(error)}).encode(), "application/json")
                return
            subscription = standin.new_subscription(application_server_key=key)
            self._send(201, json.dumps(subscription).encode(), "application/json")

    return Handler


def start_push_standin(port: int = 0, delay_seconds: float = 0.0, jitter_seconds: float = 0.0) -> PushStandin:
    return PushStandin(port, delay_seconds, jitter_seconds)
