"""Validation of browser push subscriptions before they are stored or used.

A subscription's endpoint is a URL the pipeline host will POST to, so an unchecked one turns the
pipeline into a request forwarder: plain http, loopback and private addresses, odd ports. Its keys
feed the RFC 8291 encryption, so a damaged key would fail every push to it. Both are checked here,
once, for every way a subscription arrives (the browser API, ``jiit-assets subscriptions add``),
and the delivery part may call :func:`validate_subscription` again before sending.

Accepted endpoints: ``https`` URLs on a push service host (``WEB_PUSH_ALLOWED_HOSTS``, a
comma-separated list of host names, ``*.`` matching any subdomain; by default the services that
browsers use), on the default port, with no user info. An origin listed exactly in
``WEB_PUSH_LOCAL_ORIGINS`` (e.g. ``http://127.0.0.1:8104``, the demo's push stand-in) is accepted
as written even though it is http on loopback: only an operator who sets that variable opts in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

ALLOWED_HOSTS_VARIABLE = "WEB_PUSH_ALLOWED_HOSTS"
LOCAL_ORIGINS_VARIABLE = "WEB_PUSH_LOCAL_ORIGINS"
# The push services of Chrome/Edge/Opera (FCM), Firefox (autopush), Edge on Windows (WNS) and Safari
# (Apple). A browser's PushManager only ever hands out endpoints on its vendor's service.
DEFAULT_ALLOWED_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.services.mozilla.com",
    "*.notify.windows.com",
    "web.push.apple.com",
    "*.push.apple.com",
)
MAX_ENDPOINT_LENGTH = 2048
P256_POINT_BYTES = 65  # 0x04 || X || Y
AUTH_SECRET_BYTES = 16
_BASE64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_HOST_PATTERN = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+")
_LOCAL_NAMES = re.compile(r"(^|\.)(localhost|local|internal|localdomain|home\.arpa)$")


class SubscriptionError(ValueError):
    """A push subscription is not acceptable; the message says why without quoting the endpoint."""


@dataclass(frozen=True)
class EndpointPolicy:
    """Where push endpoints may point: host patterns (https only) and exact local origins."""

    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    local_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EndpointPolicy:
        """The policy configured by ``WEB_PUSH_ALLOWED_HOSTS`` and ``WEB_PUSH_LOCAL_ORIGINS``."""
        env = os.environ if environ is None else environ
        hosts_text = env.get(ALLOWED_HOSTS_VARIABLE, "").strip()
        hosts = tuple(_split(hosts_text)) if hosts_text else DEFAULT_ALLOWED_HOSTS
        for host in hosts:
            if not _HOST_PATTERN.fullmatch(host):
                raise SubscriptionError(
                    f"{ALLOWED_HOSTS_VARIABLE}: {host!r} is not a host name or *.domain pattern."
                )
        origins = tuple(_origin_setting(text) for text in _split(env.get(LOCAL_ORIGINS_VARIABLE, "")))
        return cls(allowed_hosts=hosts, local_origins=origins)

    def allows_host(self, host: str) -> bool:
        for pattern in self.allowed_hosts:
            if pattern.startswith("*."):
                if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                    return True
            elif host == pattern:
                return True
        return False


@dataclass(frozen=True)
class ValidSubscription:
    """A subscription that passed every check, keys normalised to unpadded base64url."""

    id: str
    endpoint: str
    p256dh: str
    auth: str

    def keys(self) -> dict[str, str]:
        return {"p256dh": self.p256dh, "auth": self.auth}


def subscription_id(endpoint: str) -> str:
    """The stored ``_id`` of a subscription (the delivery ledger's recipient key): endpoints are long."""
    # The same rule as the delivery part's ``webpush_fanout.subscription_id`` (a test holds them
    # equal); defined here too so this module stays free of the delivery part's Dagster imports.
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:24]


def _split(text: str) -> list[str]:
    return [item.strip().lower() for item in text.split(",") if item.strip()]


def _origin_setting(text: str) -> str:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None or parts.path.strip("/"):
        raise SubscriptionError(
            f"{LOCAL_ORIGINS_VARIABLE}: {text!r} is not an origin with a port, e.g. http://127.0.0.1:8104."
        )
    return f"{parts.scheme}://{parts.hostname}:{port}"


def validate_endpoint(endpoint: Any, policy: EndpointPolicy | None = None) -> str:
    """``endpoint`` when it is an acceptable push endpoint, else ``SubscriptionError``."""
    policy = policy or EndpointPolicy.from_env()
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise SubscriptionError("endpoint: a push service URL (https://…) is required.")
    endpoint = endpoint.strip()
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise SubscriptionError(f"endpoint: longer than {MAX_ENDPOINT_LENGTH} characters.")
    if any(ord(char) < 33 or ord(char) == 127 for char in endpoint):
        raise SubscriptionError("endpoint: contains spaces or control characters.")
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        raise SubscriptionError("endpoint: the port is not a number from 1 to 65535.") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http"):
        raise SubscriptionError("endpoint: must be an https URL of a push service.")
    if not host:
        raise SubscriptionError("endpoint: the URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise SubscriptionError("endpoint: user names or passwords in the URL are not accepted.")
    if port == 0:
        raise SubscriptionError("endpoint: the port is not a number from 1 to 65535.")
    origin = f"{parts.scheme}://{host}:{port or {'https': 443, 'http': 80}.get(parts.scheme, 0)}"
    if origin in policy.local_origins:
        return endpoint  # explicitly configured by the operator (a local stand-in)
    if parts.scheme != "https":
        raise SubscriptionError("endpoint: must be an https URL of a push service.")
    if _is_ip_literal(host) or _LOCAL_NAMES.search(host):
        raise SubscriptionError("endpoint: addresses and local host names are not push services.")
    if port not in (None, 443):
        raise SubscriptionError("endpoint: push services listen on the default https port (443).")
    if not policy.allows_host(host):
        raise SubscriptionError(
            f"endpoint: {host} is not a known push service (allowed: {', '.join(policy.allowed_hosts)})."
        )
    return endpoint


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # Numeric forms browsers and resolvers still read as addresses (2130706433, 0x7f.1).
        return bool(re.fullmatch(r"[0-9x.]+", host))
    return True


def decode_key(name: str, value: Any) -> bytes:
    """The bytes of a base64url (or base64) key, or ``SubscriptionError`` naming ``name``."""
    if not isinstance(value, str) or not value.strip():
        raise SubscriptionError(f"keys.{name}: required (base64url text).")
    text = value.strip()
    if not _BASE64.fullmatch(text):
        raise SubscriptionError(f"keys.{name}: not base64url text.")
    text = text.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SubscriptionError(f"keys.{name}: not base64url text.") from None


def validate_keys(keys: Any) -> tuple[str, str]:
    """(p256dh, auth) as unpadded base64url after checking the point and the secret's length."""
    if not isinstance(keys, Mapping):
        raise SubscriptionError("keys: an object with p256dh and auth is required.")
    unknown = sorted(str(name) for name in keys if name not in ("p256dh", "auth"))
    if unknown:
        raise SubscriptionError(f"keys: unknown field {unknown[0]!r}; only p256dh and auth are accepted.")
    point = decode_key("p256dh", keys.get("p256dh"))
    if len(point) != P256_POINT_BYTES or point[0] != 4:
        raise SubscriptionError("keys.p256dh: must be an uncompressed P-256 public key (65 bytes).")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionError("keys.p256dh: not a point on the P-256 curve.") from None
    auth = decode_key("auth", keys.get("auth"))
    if len(auth) != AUTH_SECRET_BYTES:
        raise SubscriptionError(f"keys.auth: must be {AUTH_SECRET_BYTES} bytes (got {len(auth)}).")
    return _b64url(point), _b64url(auth)


def validate_subscription(data: Any, policy: EndpointPolicy | None = None) -> ValidSubscription:
    """Check a browser ``PushSubscription.toJSON()`` object: ``{endpoint, keys: {p256dh, auth}}``.

    ``expirationTime`` is accepted and ignored; other top-level fields are the caller's business
    (the web API rejects unknown ones itself). ``policy`` defaults to the environment's
    (:meth:`EndpointPolicy.from_env`). Raises :class:`SubscriptionError` (a ``ValueError``) whose
    message names the field and never repeats the endpoint, which is a capability URL.
    """
    if not isinstance(data, Mapping):
        raise SubscriptionError("a push subscription is a JSON object with endpoint and keys.")
    endpoint = validate_endpoint(data.get("endpoint"), policy)
    p256dh, auth = validate_keys(data.get("keys"))
    return ValidSubscription(subscription_id(endpoint), endpoint, p256dh, auth)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
