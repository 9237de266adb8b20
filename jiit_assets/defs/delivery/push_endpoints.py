"""Which push subscriptions the pipeline may send to, and error text safe to store.

A push subscription comes from a browser, so its endpoint is a URL an outsider chose, fetched from
the pipeline host: without a check, a crafted subscription makes the pipeline POST to loopback or
private addresses. Only ``https`` endpoints on known push services are used (an allow-list of host
names; ``*.`` matches subdomains); an operator may add exact origins for a self-hosted push service
or the development stand-ins, which is the only way a plain-http or loopback endpoint is accepted.

The keys are checked before any cryptography runs, so a malformed subscription is one recorded
failure of that recipient, never an exception that stops the fan-out. Endpoints are capability
URLs (whoever knows one can push to that browser), so no reason text stored or shown may contain
one: :func:`scrub` removes every URL from error text.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

# Push services of the browsers students use: Chrome/Edge (FCM), Firefox (Mozilla autopush),
# Safari (Apple), legacy Edge (WNS).
DEFAULT_PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower().rstrip("/") for part in text.split(",") if part.strip())


def scrub(text: str) -> str:
    """``text`` without any URL (endpoints are secrets of their subscriber)."""
    return _URL.sub("<url>", text)


def describe_error(error: BaseException) -> str:
    """A short, URL-free description of an unexpected error for the ledger's ``reason``."""
    message = scrub(str(error)).strip()
    return f"{type(error).__name__}: {message}"[:200] if message else type(error).__name__


def _b64url(text: str) -> bytes | None:
    text = text.strip().rstrip("=").replace("+", "-").replace("/", "_")  # either alphabet
    try:  # strict: the lenient decoder silently drops characters outside the alphabet
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def key_refusal(p256dh: str, auth: str) -> str | None:
    """Why these subscription keys cannot be used (RFC 8291: a P-256 point and 16 bytes), else None."""
    point = _b64url(p256dh)
    if point is None:
        return "subscription key p256dh is not base64url"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return "subscription key p256dh is not a point on the P-256 curve"
    secret = _b64url(auth)
    if secret is None:
        return "subscription key auth is not base64url"
    if len(secret) != 16:
        return f"subscription key auth is {len(secret)} bytes, not 16"
    return None


@dataclass(frozen=True)
class EndpointPolicy:
    """The allow-list: https host patterns, plus exact origins an operator configured."""

    hosts: tuple[str, ...] = DEFAULT_PUSH_SERVICE_HOSTS
    origins: tuple[str, ...] = ()

    def _host_allowed(self, host: str) -> bool:
        for pattern in self.hosts:
            if pattern.startswith("*.") and host.endswith(pattern[1:]):
                return True
            if host == pattern:
                return True
        return False

    def refusal(self, endpoint: str) -> str | None:
        """Why the pipeline must not send to ``endpoint`` (a reason without the URL), else None."""
        try:
            parts = urlsplit(endpoint.strip())
            port = parts.port
        except ValueError:
            return "subscription endpoint is not a valid URL"
        host = (parts.hostname or "").lower()
        if not host:
            return "subscription endpoint has no host"
        origin = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
        if origin in self.origins:
            return None
        if parts.scheme.lower() != "https":
            return "subscription endpoint is not https"
        if port not in (None, 443) or not self._host_allowed(host):
            return "subscription endpoint is not on an allowed push service"
        return None
