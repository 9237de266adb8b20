"""Removing secrets from text that leaves the pipeline (alerts, metadata, error messages).

Errors from libraries sometimes repeat what they were given: a URL with a token in its path, a
connection string with a password. ``scrub_secrets`` replaces every configured secret value, and the
user-info part of any ``scheme://user:password@`` URL, before such text is shown to anyone.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote

SECRET_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "IMAP_PASSWORD",
    "VAPID_PRIVATE_KEY",
    "SUPERSET_CREDENTIALS",
    "MONGODB_URI",
)
REDACTED = "<redacted>"
# "user:password@" after a URL's scheme. Configured secrets with unescaped "/" or "@" in them are
# removed before, by value, so this only has to catch well-formed URLs of unknown origin.
_URI_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^\s/?#@]+@")
_MIN_SECRET_CHARS = 4  # shorter values would scrub ordinary words


def _secret_values() -> list[str]:
    values: list[str] = []
    for name in SECRET_VARIABLES:
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        values.append(value)
        values.extend(_embedded_secrets(name, value))
    return sorted({v for v in values if len(v) >= _MIN_SECRET_CHARS}, key=len, reverse=True)


def _embedded_secrets(name: str, value: str) -> list[str]:
    """Parts of a variable that can appear on their own: passwords inside JSON or a URI."""
    if name == "SUPERSET_CREDENTIALS":
        try:
            accounts = json.loads(value)
        except ValueError:
            return []
        if not isinstance(accounts, list):
            return []
        return [str(a.get("password")) for a in accounts if isinstance(a, dict) and a.get("password")]
    if name == "MONGODB_URI" and "@" in value and "://" in value:
        userinfo = value.split("://", 1)[1].rsplit("@", 1)[0]
        password = userinfo.split(":", 1)[1] if ":" in userinfo else ""
        return [password, unquote(password)] if password else []
    return []


def scrub_secrets(text: str) -> str:
    """``text`` without any configured secret value and without credentials in URLs."""
    for value in _secret_values():
        text = text.replace(value, REDACTED)
    return _URI_USERINFO.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
