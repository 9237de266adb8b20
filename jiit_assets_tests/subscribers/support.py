"""Helpers for the subscription service tests: browser-like subscriptions on real push-service hosts."""

from __future__ import annotations

import base64
import contextlib
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jiit_assets_tests.fixtures.servers import free_port, wait_for_port


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_subscription(host: str = "fcm.googleapis.com", path: str = "/fcm/send/") -> dict[str, Any]:
    """What ``PushSubscription.toJSON()`` gives in Chrome: a fresh P-256 key and a 16-byte secret."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": f"https://{host}{path}{secrets.token_urlsafe(24)}:APA91b{secrets.token_urlsafe(40)}",
        "expirationTime": None,
        "keys": {"p256dh": b64(point), "auth": b64(secrets.token_bytes(16))},
    }


def off_curve_point() -> str:
    """65 bytes shaped like an uncompressed point (0x04 || X || Y) that is not on P-256."""
    return b64(b"\x04" + b"\x01" * 32 + b"\x02" * 32)


@contextlib.contextmanager
def running_app(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a background thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="serve-test", daemon=True)
    thread.start()
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
