"""The SuperSet portal's HTTP layer: per-account login, retries and JSON checks (no Dagster).

Each account logs in once per run with its password RSA-encrypted under the portal's public key
(PKCS#1 v1.5, standard Base64) and then calls the API with ``Authorization: Custom <sessionKey>``.
All calls of a run share one ``httpx.Client`` (one connection pool) with explicit timeouts.

Failure policy:

* timeouts, connection errors, 5xx and 429 (honouring ``Retry-After``) are retried with bounded
  exponential backoff and jitter (``tenacity``), then raised as :class:`SupersetUnavailable`;
* a rejected login (401/403) fails fast as :class:`SupersetAuthError`; a session that expires
  mid-run (401 on an API call) is renewed by logging in again once;
* a body that is not the JSON the endpoint promises raises :class:`SupersetResponseError`.

Every error is a :class:`SourceError` (the shared vocabulary): ``retryable`` says whether a later
attempt can succeed, and ``as_failure()`` turns it into the step failure. Error messages name
accounts by their masked e-mail (``22****45@mail.jiit.ac.in``) and never contain a password or a
session key. The endpoints and the merge across accounts are ``client.py``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity
from cryptography.hazmat.primitives.asymmetric import rsa

from jiit_assets.defs.superset.accounts import (
    Account,
    Session,
    SupersetAuthError,
    SupersetNotFound,
    SupersetResponseError,
    SupersetUnavailable,
    encrypt_password,
)

DEFAULT_BASE_URL = "https://app.joinsuperset.com/tnpsuite-core"
DEFAULT_TENANT_ID = "jaypee_in_in_it_16"
DEFAULT_TENANT_TYPE = "STUDENT"
# The portal's login key, hard-coded in its web app (public: any browser can read it).
DEFAULT_PUBLIC_KEY_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCgFGVfrY4jQSoZQWWygZ83roKX\n"
    "WD4YeT2x2p41dGkPixe73rT2IW04glagN2vgoZoHuOPqa5and6kAmK2ujmCHu6D1\n"
    "auJhE2tXP+yLkpSiYMQucDKmCsWMnW9XlC5K7OSL77TXXcfvTvyZcjObEz6LIBRz\n"
    "s6+FqpFbUO9SJEfh6wIDAQAB\n"
    "-----END PUBLIC KEY-----\n"
)
_USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:141.0) Gecko/20100101 Firefox/141.0"
_PORTAL_ORIGIN = "https://app.joinsuperset.com"


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff, capped; a server's Retry-After is honoured up to the cap."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    return seconds if seconds is not None and math.isfinite(seconds) else None


class _Transient(Exception):
    """A failure another attempt may fix (the message says what happened, never a secret)."""

    def __init__(
        self, problem: str, retry_after: float | None = None, malformed: SupersetResponseError | None = None
    ) -> None:
        super().__init__(problem)
        self.retry_after = retry_after
        self.malformed = malformed


class PortalHttp:
    """The portal as a run sees it: sessions cached per account, transient errors retried."""

    def __init__(
        self,
        http: httpx.Client,
        public_key: rsa.RSAPublicKey,
        tenant_id: str = DEFAULT_TENANT_ID,
        tenant_type: str = DEFAULT_TENANT_TYPE,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        sessions: dict[str, Session] | None = None,
    ) -> None:
        self.http = http
        self._key = public_key
        self._retry = retry or RetrySettings()
        self._sleep = sleep
        self.log: Callable[[str], None] = log or (lambda message: None)
        # Shared with the resource, so the steps of one in-process run log in once per account.
        self._sessions: dict[str, Session] = sessions if sessions is not None else {}
        self._headers = {
            "x-superset-tenant-id": tenant_id,
            "x-superset-tenant-type": tenant_type,
            "x-requester-client": "webapp",
            "Accept": "application/json, text/plain, */*",
            "Accept-Language": "en-US,en;q=0.5",
            "User-Agent": _USER_AGENT,
            "DNT": "1",
            "Sec-Fetch-Dest": "empty",
            "Sec-Fetch-Mode": "cors",
            "Sec-Fetch-Site": "same-origin",
        }

    def _send(
        self, method: str, path: str, what: str, expect: type, **kwargs: Any
    ) -> tuple[httpx.Response, Any]:
        """One request with transient failures retried: ``(response, parsed JSON or None if not 2xx)``.

        Timeouts, connection errors, 5xx, 429 and malformed JSON bodies are transient: a struggling
        proxy in front of the portal produces all of them. Other statuses are returned to the caller.
        """
        settings = self._retry

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            retry_after = error.retry_after if isinstance(error, _Transient) else None
            return settings.delay(state.attempt_number, retry_after)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else 0.0
            self.log(
                f"SuperSet {what}: {error}; retry {state.attempt_number}/{settings.max_attempts - 1} "
                f"in {delay:.1f}s"
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(settings.max_attempts),
            wait=wait,
            retry=tenacity.retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, path, what, expect, kwargs)
        except _Transient as last:
            if last.malformed is not None:
                raise SupersetResponseError(
                    f"{last.malformed} (after {settings.max_attempts} attempts)"
                ) from None
            raise SupersetUnavailable(f"{what}: {last} (after {settings.max_attempts} attempts)") from None

    def _attempt(
        self, method: str, path: str, what: str, expect: type, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
        """One try; :class:`_Transient` for what another try may fix."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise _Transient("timed out") from None
        except httpx.TransportError as error:
            raise _Transient(f"connection failed ({type(error).__name__})") from None
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = _retry_after(response) if status in (429, 503) else None
            raise _Transient(f"HTTP {status}", retry_after=retry_after)
        if 200 <= status < 300:
            try:
                return response, self._json(response, what, expect)
            except SupersetResponseError as error:
                raise _Transient("malformed JSON", malformed=error) from None
        return response, None

    @staticmethod
    def _json(response: httpx.Response, what: str, expect: type) -> Any:
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError):
            raise SupersetResponseError(
                f"{what}: the portal returned malformed JSON (HTTP {response.status_code}, "
                f"{len(response.content)} bytes)"
            ) from None
        if not isinstance(data, expect):
            raise SupersetResponseError(
                f"{what}: expected a JSON {expect.__name__}, got {type(data).__name__}"
            )
        return data

    def login(self, account: Account, fresh: bool = False) -> Session:
        if not fresh and account.email in self._sessions:
            return self._sessions[account.email]
        what = f"login of {account.label}"
        response, body = self._send(
            "POST",
            "/login",
            what,
            dict,
            json={"username": account.email, "password": encrypt_password(account.password, self._key)},
            headers={
                **self._headers,
                "Content-Type": "application/json",
                "Origin": _PORTAL_ORIGIN,
                "Referer": f"{_PORTAL_ORIGIN}/students/login",
            },
        )
        if response.status_code in (401, 403):
            raise SupersetAuthError(
                f"{what} was rejected (HTTP {response.status_code}): check this account's password "
                "in SUPERSET_CREDENTIALS"
            )
        if response.status_code >= 400:
            raise SupersetAuthError(f"{what} failed with HTTP {response.status_code}")
        uuid, session_key = body.get("uuid"), body.get("sessionKey")
        # Only what later calls need is required; the rest of the profile may be missing or null.
        if not isinstance(uuid, str) or not uuid or not isinstance(session_key, str) or not session_key:
            raise SupersetResponseError(f"{what}: the response has no uuid/sessionKey")
        name = body.get("name") if isinstance(body.get("name"), str) else None
        session = Session(account=account, uuid=uuid, session_key=session_key, name=name)
        self._sessions[account.email] = session
        return session

    def get(
        self, account: Account, path: str, what: str, expect: type, params: dict[str, Any] | None = None
    ) -> Any:
        """GET ``/students/{uuid}{path}`` as ``account``; an expired session is renewed once."""
        for renewed in (False, True):
            session = self.login(account, fresh=renewed)
            response, data = self._send(
                "GET",
                f"/students/{session.uuid}{path}",
                f"{what} ({account.label})",
                expect,
                params=params,
                headers={**self._headers, "Authorization": f"Custom {session.session_key}"},
            )
            if response.status_code == 401 and not renewed:
                self.log(f"SuperSet session of {account.label} expired; logging in again")
                continue
            if response.status_code in (401, 403):
                raise SupersetAuthError(f"{what} ({account.label}) was refused (HTTP {response.status_code})")
            if response.status_code == 404:
                raise SupersetNotFound(f"{what} ({account.label}): not found")
            if response.status_code >= 400:
                raise SupersetResponseError(
                    f"{what} ({account.label}) failed with HTTP {response.status_code}"
                )
            return data
        raise AssertionError("unreachable")  # pragma: no cover
