"""Web Push (VAPID) settings: keys, subject, and the delivery headers every push carries.

pywebpush's defaults are wrong for notices: TTL 0 (a push to an offline device is dropped), no
request timeout, and a VAPID claims dict it mutates. This resource holds the values we send instead
and validates the VAPID subject, which Apple's push service rejects for placeholder domains.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlparse

import dagster as dg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pydantic import Field

from jiit_assets.defs.delivery.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS, EndpointPolicy, split_list
from jiit_assets.lib.vocabulary import SourceError

_PLACEHOLDER_DOMAINS = re.compile(
    r"(^|\.)(example\.(com|org|net)|localhost|test|invalid|your-?domain\.\w+|domain\.com)$", re.IGNORECASE
)
URGENCIES = ("very-low", "low", "normal", "high")


class WebPushConfigError(SourceError):
    """A Web Push setting is wrong: the channel cannot send until the operator fixes it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def validate_subject(subject: str) -> str:
    """The VAPID ``sub`` claim: a real ``mailto:`` address or ``https:`` URL, never a placeholder."""
    subject = subject.strip()
    if subject.startswith("mailto:"):
        address = subject.removeprefix("mailto:")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            raise WebPushConfigError(f"VAPID_SUBJECT {subject!r} is not a valid mailto: address.")
        domain = address.rsplit("@", 1)[1]
    elif subject.startswith("https://"):
        domain = urlparse(subject).hostname or ""
        if not domain:
            raise WebPushConfigError(f"VAPID_SUBJECT {subject!r} has no host name.")
    else:
        raise WebPushConfigError(
            "VAPID_SUBJECT must be a mailto: address or an https: URL of the sender "
            f"(got {subject[:40]!r}); push services use it to contact the operator."
        )
    if _PLACEHOLDER_DOMAINS.search(domain):
        raise WebPushConfigError(
            f"VAPID_SUBJECT uses the placeholder domain {domain!r}; Apple's push service rejects such "
            "subjects. Use the placement cell's real address."
        )
    return subject


def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key from the formats pywebpush accepts: raw 32-byte base64url, base64url DER, or PEM."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text.replace("\n", ""))
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError):
        # The error text could quote key material: say only what is wrong.
        raise WebPushConfigError(
            "VAPID_PRIVATE_KEY is not a P-256 private key (expected raw base64url, base64url DER or PEM); "
            "generate one with `jiit-assets vapid generate`."
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise WebPushConfigError("VAPID_PRIVATE_KEY must be an EC P-256 key.")
    return key


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key browsers subscribe with: the uncompressed point, base64url."""
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


class WebPushResource(dg.ConfigurableResource):
    """Web Push sender identity (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAPID_SUBJECT) and push headers."""

    vapid_private_key: str = Field(default="", description="VAPID private key (secret). Empty: channel off.")
    vapid_public_key: str = Field(default="", description="VAPID public key the web app subscribes with.")
    vapid_subject: str = Field(default="", description="mailto: or https: contact of the sender.")
    ttl_seconds: int = Field(
        default=24 * 3600, description="How long a push service keeps an undelivered push."
    )
    urgency: str = Field(default="normal", description="very-low | low | normal | high")
    timeout_seconds: float = Field(default=10.0, description="Per-request timeout (pywebpush has none).")
    concurrency: int = Field(
        default=32, description="Pushes in flight at once (also the most a crash can repeat)."
    )
    max_attempts: int = Field(default=4, description="Tries per push for 429, 5xx and network errors.")
    claim_lifetime_seconds: int = Field(default=12 * 3600, description="VAPID JWT lifetime (at most 24 h).")
    give_up_after_seconds: int = Field(
        default=24 * 3600,
        description="A recipient still failing this long after the notice was queued is given up.",
    )
    allowed_push_hosts: str = Field(
        default=",".join(DEFAULT_PUSH_SERVICE_HOSTS),
        description="Comma-separated push-service hosts (https only; '*.' matches subdomains).",
    )
    extra_push_origins: str = Field(
        default="",
        description="Exact origins also allowed, e.g. a self-hosted push service or the stand-in.",
    )

    @property
    def is_configured(self) -> bool:
        return bool(self.vapid_private_key.strip())

    @property
    def endpoint_policy(self) -> EndpointPolicy:
        return EndpointPolicy(split_list(self.allowed_push_hosts), split_list(self.extra_push_origins))

    def vapid(self) -> Vapid02:
        """The signing key, after checking every setting; errors never quote the key."""
        if not self.is_configured:
            raise WebPushConfigError("VAPID_PRIVATE_KEY is not set.")
        validate_subject(self.vapid_subject)
        if self.urgency not in URGENCIES:
            raise WebPushConfigError(f"Web Push urgency must be one of {', '.join(URGENCIES)}.")
        if not 0 < self.claim_lifetime_seconds <= 24 * 3600:
            raise WebPushConfigError("VAPID claims may live at most 24 hours (RFC 8292).")
        key = load_private_key(self.vapid_private_key)
        if self.vapid_public_key.strip() and self.vapid_public_key.strip().rstrip("=") != public_key_of(key):
            raise WebPushConfigError(
                "VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY; browsers subscribed with the public "
                "key would reject every push."
            )
        return Vapid02(key)
