"""Validation of browser push subscriptions before they are stored.

A subscription's endpoint is a URL the pipeline host will POST to, so an unchecked one turns the
pipeline into a request forwarder: plain http, loopback and private addresses, odd ports. Its keys
feed the RFC 8291 encryption, so a damaged key would fail every push to it. Both are checked here,
once, for every way a subscription arrives (the browser API, ``jiit-assets subscriptions add``),
with a reason per field for the person who sent it.

Where endpoints may point is the delivery part's :class:`EndpointPolicy` (push_endpoints.py), the
same allow-list the sender applies before each push, so whatever is stored is also sendable:
``WEB_PUSH_ALLOWED_HOSTS`` (https host names, ``*.`` matching subdomains; by default the browsers'
push services) and ``WEB_PUSH_EXTRA_ORIGINS`` (exact origins such as the demo's stand-in
``http://127.0.0.1:8104``, accepted as written: only an operator who sets that variable opts in).
On top of it, storing refuses what no push service hands out: addresses and local host names,
user info, control characters, over-long URLs, and keys that are not an uncompressed P-256 point
and a 16-byte secret.
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

from jiit_assets.defs.delivery.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS, EndpointPolicy, split_list

ALLOWED_HOSTS_VARIABLE = "WEB_PUSH_ALLOWED_HOSTS"
EXTRA_ORIGINS_VARIABLE = "WEB_PUSH_EXTRA_ORIGINS"
MAX_ENDPOINT_LENGTH = 2048
P256_POINT_BYTES = 65  # 0x04 || X || Y
AUTH_SECRET_BYTES = 16
_BASE64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_HOST_PATTERN = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+")
_LOCAL_NAMES = re.compile(r"(^|\.)(localhost|local|internal|localdomain|home\.arpa)$")


class SubscriptionError(ValueError):
    """A push subscription is not acceptable; the message says why without quoting the endpoint."""


def endpoint_policy_from_env(environ: Mapping[str, str] | None = None) -> EndpointPolicy:
    """The policy of ``WEB_PUSH_ALLOWED_HOSTS`` / ``WEB_PUSH_EXTRA_ORIGINS``, each entry checked."""
    env = os.environ if environ is None else environ
    hosts = split_list(env.get(ALLOWED_HOSTS_VARIABLE, "")) or DEFAULT_PUSH_SERVICE_HOSTS
    for host in hosts:
        if not _HOST_PATTERN.fullmatch(host):
            raise SubscriptionError(
                f"{ALLOWED_HOSTS_VARIABLE}: {host!r} is not a host name or *.domain pattern."
            )
    origins = split_list(env.get(EXTRA_ORIGINS_VARIABLE, ""))
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise SubscriptionError(
                f"{EXTRA_ORIGINS_VARIABLE}: {origin!r} is not an origin, e.g. http://127.0.0.1:8104."
            )
    return EndpointPolicy(hosts, origins)


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


def _origin(scheme: str, host: str, port: int | None) -> str:
    # Written the way EndpointPolicy compares origins: the port only when the URL names one.
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def validate_endpoint(endpoint: Any, policy: EndpointPolicy | None = None) -> str:
    """``endpoint`` when it is an acceptable push endpoint, else ``SubscriptionError``."""
    policy = policy or endpoint_policy_from_env()
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
    host, scheme = (parts.hostname or "").lower(), parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise SubscriptionError("endpoint: must be an https URL of a push service.")
    if not host:
        raise SubscriptionError("endpoint: the URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise SubscriptionError("endpoint: user names or passwords in the URL are not accepted.")
    if port == 0:
        raise SubscriptionError("endpoint: the port is not a number from 1 to 65535.")
    if _origin(scheme, host, port) in policy.origins:
        return endpoint  # named exactly by the operator (a self-hosted service, a local stand-in)
    if scheme != "https":
        raise SubscriptionError("endpoint: must be an https URL of a push service.")
    if _is_ip_literal(host) or _LOCAL_NAMES.search(host):
        raise SubscriptionError("endpoint: addresses and local host names are not push services.")
    if port not in (None, 443):
        raise SubscriptionError("endpoint: push services listen on the default https port (443).")
    if policy.refusal(endpoint) is not None:
        raise SubscriptionError(
            f"endpoint: {host} is not a known push service (allowed: {', '.join(policy.hosts)})."
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
    (:func:`endpoint_policy_from_env`). Raises :class:`SubscriptionError` (a ``ValueError``) whose
    message names the field and never repeats the endpoint, which is a capability URL.
    """
    if not isinstance(data, Mapping):
        raise SubscriptionError("a push subscription is a JSON object with endpoint and keys.")
    endpoint = validate_endpoint(data.get("endpoint"), policy)
    p256dh, auth = validate_keys(data.get("keys"))
    return ValidSubscription(subscription_id(endpoint), endpoint, p256dh, auth)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
