"""The SuperSet placement portal's student API, for one or more student accounts.

Each account (typically one CSE and one ECE student, because an account only sees the jobs open
to its branch) logs in once per run with its password RSA-encrypted under the portal's public key
(PKCS#1 v1.5, standard Base64) and then calls the API with ``Authorization: Custom <sessionKey>``.
All calls of a run share one ``httpx.Client`` (one connection pool) with explicit timeouts.

Failure policy:

* timeouts, connection errors, 5xx and 429 (honouring ``Retry-After``) are retried with bounded
  exponential backoff and jitter, then raised as :class:`SupersetUnavailable`;
* a rejected login (401/403) fails fast as :class:`SupersetAuthError`; a session that expires
  mid-run (401 on an API call) is renewed by logging in again once;
* a body that is not the JSON the endpoint promises raises :class:`SupersetResponseError`;
* the merged fetches return what every working account got plus an :class:`AccountFailure` per
  failed account, so one broken account never loses the others' data.

Error messages name accounts by their masked e-mail (``22****45@mail.jiit.ac.in``) and never
contain a password or a session key.
"""

from __future__ import annotations

import base64
import json
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import dagster as dg
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import Field, PrivateAttr

from jiit_assets.defs.superset.portal_jobs import attachment_refs, job_id_of, merge_first_wins

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
# The portal's own web app asks for 10,000 notices in one page , so a steady-state
# run costs one notices call per account; further pages are only fetched past that many notices.
NOTICES_PAGE_SIZE = 10_000
_USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:141.0) Gecko/20100101 Firefox/141.0"
_PORTAL_ORIGIN = "https://app.joinsuperset.com"

T = TypeVar("T")


# -- errors ----------------------------------------------------------------------------------------


class SupersetError(Exception):
    """Any SuperSet failure; the message is safe to log (masked e-mail, no secrets)."""

    retryable = False


class SupersetConfigError(SupersetError):
    """``SUPERSET_CREDENTIALS`` or the public key is unusable."""


class SupersetAuthError(SupersetError):
    """The portal rejected an account's login (wrong password, locked account, wrong tenant)."""


class SupersetUnavailable(SupersetError):
    """The portal kept failing (timeouts, connection errors, 5xx, 429) after bounded retries."""

    retryable = True


class SupersetResponseError(SupersetError):
    """The portal answered with something that is not the JSON the endpoint promises."""

    retryable = True  # seen in practice as truncated bodies behind a struggling proxy


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


# -- plain data ------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class AccountFailure:
    account: str  # masked e-mail
    error: str  # safe message
    retryable: bool

    def to_metadata(self) -> str:
        return f"{self.account}: {self.error}"


@dataclass
class Fetched(Generic[T]):
    """A merged fetch: the data every working account got, and the accounts that failed."""

    items: T
    accounts_ok: list[str]
    failures: list[AccountFailure]


@dataclass(frozen=True)
class JobListings:
    listings: list[dict[str, Any]]
    visible_to: dict[str, list[int]]  # job id -> indexes (into the account list) of accounts listing it
    skipped: int = 0  # entries without a jobProfileIdentifier (nothing to key them by)


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


# -- the client ------------------------------------------------------------------------------------


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


class SupersetClient:
    """Calls for a run: sessions cached per account, transient errors retried, merges first-wins."""

    def __init__(
        self,
        http: httpx.Client,
        accounts: list[Account],
        public_key: rsa.RSAPublicKey,
        tenant_id: str = DEFAULT_TENANT_ID,
        tenant_type: str = DEFAULT_TENANT_TYPE,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        sessions: dict[str, Session] | None = None,
    ) -> None:
        self.http = http
        self.accounts = accounts
        self._key = public_key
        self._retry = retry or RetrySettings()
        self._sleep = sleep
        self._log = log or (lambda message: None)
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

    # transport ---------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, what: str, expect: type, **kwargs: Any
    ) -> tuple[httpx.Response, Any]:
        """One request with transient failures retried: ``(response, parsed JSON or None if not 2xx)``.

        Timeouts, connection errors, 5xx, 429 and malformed JSON bodies are transient: a struggling
        proxy in front of the portal produces all of them. Other statuses are returned to the caller.
        """
        settings = self._retry
        problem = "not attempted"
        malformed: SupersetResponseError | None = None
        for attempt in range(1, settings.max_attempts + 1):
            retry_after: float | None = None
            malformed = None
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as error:
                problem = f"connection failed ({type(error).__name__})"
            else:
                status = response.status_code
                if status == 429 or status >= 500:
                    problem = f"HTTP {status}"
                    retry_after = _retry_after(response) if status in (429, 503) else None
                elif 200 <= status < 300:
                    try:
                        return response, self._json(response, what, expect)
                    except SupersetResponseError as error:
                        malformed, problem = error, "malformed JSON"
                else:
                    return response, None
            if attempt < settings.max_attempts:
                delay = settings.delay(attempt, retry_after)
                self._log(
                    f"SuperSet {what}: {problem}; retry {attempt}/{settings.max_attempts - 1} in {delay:.1f}s"
                )
                self._sleep(delay)
        if malformed is not None:
            raise SupersetResponseError(f"{malformed} (after {settings.max_attempts} attempts)")
        raise SupersetUnavailable(f"{what}: {problem} (after {settings.max_attempts} attempts)")

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

    # login ---------------------------------------------------------------------------------------

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
                self._log(f"SuperSet session of {account.label} expired; logging in again")
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

    # endpoints -------------------------------------------------------------------------------------

    def notices(self, account: Account) -> list[dict[str, Any]]:
        """Every notice the account sees, page by page (one page in practice)."""
        notices: list[dict[str, Any]] = []
        for page in range(1000):
            batch = self.get(
                account,
                "/notices",
                "notices",
                list,
                params={"page": page, "size": NOTICES_PAGE_SIZE, "_loader_": "false"},
            )
            notices.extend(item for item in batch if isinstance(item, dict))
            if len(batch) < NOTICES_PAGE_SIZE:
                break
        return notices

    def job_listings(self, account: Account) -> list[dict[str, Any]]:
        batch = self.get(account, "/job_profiles", "job listings", list, params={"_loader_": "false"})
        return [item for item in batch if isinstance(item, dict)]

    def job_details(self, account: Account, job_id: str) -> dict[str, Any]:
        details: dict[str, Any] = self.get(
            account, f"/job_profiles/{job_id}", f"details of job {job_id}", dict, params={"_loader_": "false"}
        )
        return details

    def document_url(self, account: Account, job_id: str, document_id: str) -> str | None:
        body = self.get(
            account, f"/job_profiles/{job_id}/documents/{document_id}/url", f"document {document_id}", dict
        )
        url = body.get("url")
        return url if isinstance(url, str) and url else None

    # merged fetches --------------------------------------------------------------------------------

    def _per_account(
        self, fetch: Callable[[Account], list[dict[str, Any]]], what: str
    ) -> tuple[list[list[dict[str, Any]]], list[str], list[AccountFailure]]:
        batches: list[list[dict[str, Any]]] = []
        ok: list[str] = []
        failures: list[AccountFailure] = []
        for account in self.accounts:
            try:
                batches.append(fetch(account))
                ok.append(account.label)
            except SupersetError as error:
                self._log(f"SuperSet {what} failed for {account.label}: {error}")
                failures.append(AccountFailure(account.label, str(error), error.retryable))
                batches.append([])
        return batches, ok, failures

    def fetch_notices(self) -> Fetched[list[dict[str, Any]]]:
        """Notices of every account, de-duplicated by identifier (first account wins)."""
        batches, ok, failures = self._per_account(self.notices, "notices")
        merged, _ = merge_first_wins(batches, "identifier")
        return Fetched(merged, ok, failures)

    def fetch_job_listings(self) -> Fetched[JobListings]:
        batches, ok, failures = self._per_account(self.job_listings, "job listings")
        merged, visible_to = merge_first_wins(batches, "jobProfileIdentifier")
        keyed = sum(1 for batch in batches for entry in batch if job_id_of(entry))
        return Fetched(JobListings(merged, visible_to, sum(map(len, batches)) - keyed), ok, failures)

    def fetch_job_enrichment(
        self, job_id: str, account_indexes: list[int]
    ) -> tuple[dict[str, Any], dict[str, str | None]]:
        """Details and document URLs of a job, asked of the accounts that list it, in order.

        A document URL that cannot be fetched stays None (the job is still stored); details that no
        account can fetch raise the last account's error.
        """
        candidates = [self.accounts[i] for i in account_indexes if 0 <= i < len(self.accounts)]
        candidates += [account for account in self.accounts if account not in candidates]
        last_error: SupersetError | None = None
        for account in candidates:
            try:
                details = self.job_details(account, job_id)
            except (SupersetNotFound, SupersetAuthError) as error:
                last_error = error
                continue
            urls: dict[str, str | None] = {}
            for _, document_id in attachment_refs(details):
                try:
                    urls[document_id] = self.document_url(account, job_id, document_id)
                except SupersetError as error:
                    self._log(f"SuperSet document URL unavailable for job {job_id}: {error}")
                    urls[document_id] = None
            return details, urls
        raise last_error or SupersetNotFound(f"details of job {job_id}: no account can see it")


# -- the Dagster resource --------------------------------------------------------------------------


class SupersetResource(dg.ConfigurableResource):
    """The SuperSet placement portal (student API), logged in as every account in SUPERSET_CREDENTIALS."""

    base_url: str = Field(default=DEFAULT_BASE_URL, description="Portal API root, ending in /tnpsuite-core.")
    tenant_id: str = Field(
        default=DEFAULT_TENANT_ID, description="x-superset-tenant-id header (the college)."
    )
    tenant_type: str = Field(default=DEFAULT_TENANT_TYPE, description="x-superset-tenant-type header.")
    credentials: str = Field(
        default="",
        description='JSON array [{"email": ..., "password": ...}] (SUPERSET_CREDENTIALS); empty = not configured.',
    )
    public_key_pem: str = Field(
        default=DEFAULT_PUBLIC_KEY_PEM,
        description="RSA public key (PEM) the portal's login form encrypts with.",
    )
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 30.0
    max_attempts: int = Field(
        default=4, ge=1, le=10, description="Attempts per request for transient errors."
    )
    backoff_base_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=8.0, ge=0)

    _http: httpx.Client | None = PrivateAttr(default=None)
    _sessions: dict[str, Session] = PrivateAttr(default_factory=dict)

    @property
    def is_configured(self) -> bool:
        return bool(self.credentials and self.credentials.strip() not in ("", "[]"))

    def accounts(self) -> list[Account]:
        return parse_credentials(self.credentials)

    def _new_http(self) -> httpx.Client:
        timeout = httpx.Timeout(self.read_timeout_seconds, connect=self.connect_timeout_seconds)
        return httpx.Client(
            base_url=self.base_url.rstrip("/"),
            timeout=timeout,
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            follow_redirects=False,
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # One connection pool per run (per step process with the multiprocess executor).
        self._http = self._new_http()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._sessions.clear()
        if self._http is not None:
            self._http.close()
            self._http = None

    @contextmanager
    def open(self, log: Callable[[str], None] | None = None) -> Iterator[SupersetClient]:
        """A client for the configured accounts, on the run's connection pool (or a temporary one)."""
        accounts = self.accounts()
        key = load_public_key(self.public_key_pem)
        own = self._http is None
        http = self._new_http() if own else self._http
        assert http is not None
        try:
            yield SupersetClient(
                http,
                accounts,
                key,
                tenant_id=self.tenant_id,
                tenant_type=self.tenant_type,
                retry=RetrySettings(self.max_attempts, self.backoff_base_seconds, self.backoff_max_seconds),
                log=log,
                sessions=self._sessions if not own else None,
            )
        finally:
            if own:
                http.close()
