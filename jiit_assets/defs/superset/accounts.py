"""SuperSet accounts: credentials, the login's password encryption, and the errors of the portal.

``SUPERSET_CREDENTIALS`` is a JSON array of ``{"email", "password"}``; an account is named in every
message by its masked e-mail (``22****45@mail.jiit.ac.in``), never with its password. The portal's
login form encrypts the password with RSA PKCS#1 v1.5 under a public key its web app ships.
Every error is a :class:`SourceError`: ``retryable`` says whether a later attempt can succeed.
No Dagster here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jiit_assets.lib.vocabulary import SourceError


class SupersetError(SourceError):
    """Any SuperSet failure; the message is safe to log (masked e-mail, no secrets)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message, retryable=retryable)


class SupersetConfigError(SupersetError):
    """``SUPERSET_CREDENTIALS`` or the public key is unusable."""


class SupersetAuthError(SupersetError):
    """The portal rejected an account's login (wrong password, locked account, wrong tenant)."""


class SupersetUnavailable(SupersetError):
    """The portal kept failing (timeouts, connection errors, 5xx, 429) after bounded retries."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class SupersetResponseError(SupersetError):
    """The portal answered with something that is not the JSON the endpoint promises."""

    def __init__(self, message: str) -> None:
        # Seen in practice as truncated bodies behind a struggling proxy: worth another try.
        super().__init__(message, retryable=True)


class SupersetNotFound(SupersetError):
    """The resource does not exist for this account (e.g. a job another branch's account sees)."""


def mask_email(email: str) -> str:
    """``22103045@mail.jiit.ac.in`` → ``22****45@mail.jiit.ac.in``: enough to tell accounts apart."""
    local, at, domain = email.strip().partition("@")
    if len(local) <= 4:
        masked = (local[:1] + "***") if local else "***"
    else:
        masked = f"{local[:2]}{'*' * 4}{local[-2:]}"
    return f"{masked}{at}{domain}"


@dataclass(frozen=True)
class Account:
    email: str
    password: str = field(repr=False)

    @property
    def label(self) -> str:
        return mask_email(self.email)


@dataclass
class Session:
    account: Account
    uuid: str
    session_key: str = field(repr=False)
    name: str | None = None


def parse_credentials(raw: str) -> list[Account]:
    """Accounts from ``SUPERSET_CREDENTIALS`` (a JSON array of ``{"email", "password"}``); [] when empty."""
    if not raw or not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        # The text holds passwords: describe the problem without quoting it.
        raise SupersetConfigError(
            'SUPERSET_CREDENTIALS is not valid JSON; expected [{"email": "...", "password": "..."}, ...]'
        ) from None
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise SupersetConfigError("SUPERSET_CREDENTIALS must be a JSON array of {email, password} objects")
    accounts: list[Account] = []
    for position, item in enumerate(data, 1):
        email = item.get("email") if isinstance(item, Mapping) else None
        password = item.get("password") if isinstance(item, Mapping) else None
        if not isinstance(email, str) or not email.strip() or not isinstance(password, str) or not password:
            raise SupersetConfigError(
                f"SUPERSET_CREDENTIALS entry {position} needs a non-empty string 'email' and 'password'"
            )
        if any(existing.email.lower() == email.strip().lower() for existing in accounts):
            continue
        accounts.append(Account(email=email.strip(), password=password))
    return accounts


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise SupersetConfigError(f"the SuperSet public key is not a PEM public key: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SupersetConfigError("the SuperSet public key must be an RSA key")
    return key


def encrypt_password(password: str, key: rsa.RSAPublicKey) -> str:
    """RSA PKCS#1 v1.5 of the UTF-8 password, standard Base64 — what the portal's login form sends."""
    return base64.b64encode(key.encrypt(password.encode("utf-8"), padding.PKCS1v15())).decode("ascii")
