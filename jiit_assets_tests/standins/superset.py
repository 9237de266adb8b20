"""A local stand-in of the SuperSet placement portal's student API (tests and `make demo`).

Same endpoints, headers and JSON shapes as ``app.joinsuperset.com/tnpsuite-core`` (reference §1):
login checks the tenant headers and decrypts the RSA-encrypted password with the stand-in's own
private key (a fresh 1024-bit pair per start; clients are configured with :attr:`public_key_pem`),
sessions are ``Authorization: Custom <sessionKey>`` and bound to the account's uuid, and every
account sees only its own notices and job profiles (fixture data in ``data/superset/``).

Tests inspect and steer it: per-endpoint request counters, fault injection (500s, 429s, timeouts,
malformed JSON, expired sessions), and notices/jobs added or edited at runtime.

Run ``python -m jiit_assets_tests.standins.superset --port 8081`` for the demo: it prints the
``SUPERSET_*`` settings to use.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jiit_assets_tests.standins.http import LoopbackServer, StandinHandler

BASE_PATH = "/tnpsuite-core"
TENANT_ID = "jaypee_in_in_it_16"
TENANT_TYPE = "STUDENT"
ENDPOINTS = ("login", "notices", "job_profiles", "job_details", "document_url")
FAULT_KINDS = ("500", "429", "timeout", "malformed_json", "expire_session")

_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("notices", re.compile(rf"^{BASE_PATH}/students/(?P<uuid>[^/]+)/notices$")),
    ("job_profiles", re.compile(rf"^{BASE_PATH}/students/(?P<uuid>[^/]+)/job_profiles$")),
    ("job_details", re.compile(rf"^{BASE_PATH}/students/(?P<uuid>[^/]+)/job_profiles/(?P<job>[^/]+)$")),
    (
        "document_url",
        re.compile(
            rf"^{BASE_PATH}/students/(?P<uuid>[^/]+)/job_profiles/(?P<job>[^/]+)/documents/(?P<doc>[^/]+)/url$"
        ),
    ),
]


def _route(path: str) -> tuple[str, re.Match[str]] | None:
    for endpoint, pattern in _ROUTES:
        match = pattern.match(path)
        if match:
            return endpoint, match
    return None


def _load(name: str) -> Any:
    text = resources.files("jiit_assets_tests.standins").joinpath("data", "superset", name).read_text("utf-8")
    return json.loads(text)


@dataclass
class StandinAccount:
    key: str  # "cse" / "ece": the branch whose listings this account sees
    email: str
    password: str
    name: str
    uuid: str
    user_id: int

    def credentials(self) -> dict[str, str]:
        return {"email": self.email, "password": self.password}


@dataclass
class _Fault:
    kind: str
    remaining: int
    account: str | None  # account key, or None for every account


@dataclass
class _State:
    notices: dict[str, tuple[dict[str, Any], set[str]]] = field(
        default_factory=dict
    )  # id -> (notice, accounts)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {listing, details, urls, accounts}


class SupersetStandin:
    """The running stand-in: its URL, key, accounts, counters and test controls."""

    def __init__(self, port: int = 0, timeout_delay: float = 3.0) -> None:
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        self.public_key_pem = (
            self._private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )
        self.timeout_delay = timeout_delay
        self.accounts_data = [
            StandinAccount(
                key=item["key"],
                email=item["email"],
                password=item["password"],
                name=item["name"],
                uuid=item["uuid"],
                user_id=int(item["userId"]),
            )
            for item in _load("accounts.json")
        ]
        self._fixture_notices = _load("notices.json")
        self._fixture_jobs = _load("jobs.json")
        self._lock = threading.Lock()
        self.counters: Counter[str] = Counter()
        self._faults: dict[str, deque[_Fault]] = {}
        self._sessions: dict[str, str] = {}  # sessionKey -> account key
        self._state = _State()
        self.reset()
        handler = type("Handler", (_Handler,), {"standin": self})
        self._http = LoopbackServer(handler, port, name="superset-standin")

    # -- what tests and the demo read ------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{BASE_PATH}"

    @property
    def accounts(self) -> list[dict[str, str]]:
        """``{"email", "password"}`` per account, the shape of ``SUPERSET_CREDENTIALS``."""
        return [account.credentials() for account in self.accounts_data]

    @property
    def credentials_json(self) -> str:
        return json.dumps(self.accounts)

    def count(self, endpoint: str) -> int:
        with self._lock:
            return self.counters[endpoint]

    def notice_ids(self, account: str | None = None) -> set[str]:
        with self._lock:
            return {
                nid for nid, (_, seen) in self._state.notices.items() if account is None or account in seen
            }

    def job_ids(self, account: str | None = None) -> set[str]:
        with self._lock:
            return {
                jid for jid, job in self._state.jobs.items() if account is None or account in job["accounts"]
            }

    # -- test controls ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Fixture data, no sessions, no faults, counters at zero."""
        with self._lock:
            self.counters.clear()
            self._faults.clear()
            self._sessions.clear()
            self._state = _State()
            for item in self._fixture_notices:
                notice = copy.deepcopy(item["notice"])
                self._state.notices[notice["identifier"]] = (notice, set(item["accounts"]))
            for item in self._fixture_jobs:
                job = copy.deepcopy(item)
                job["accounts"] = set(job["accounts"])
                self._state.jobs[job["listing"]["jobProfileIdentifier"]] = job

    def reset_counters(self) -> None:
        with self._lock:
            self.counters.clear()

    def inject(self, endpoint: str, kind: str, count: int = 1, account: str | None = None) -> None:
        """Make the next ``count`` requests to ``endpoint`` (for ``account``'s key or e-mail) fail."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        key = self._account_key(account) if account else None
        with self._lock:
            self._faults.setdefault(endpoint, deque()).append(_Fault(kind, count, key))

    def add_notice(
        self, notice: dict[str, Any], accounts: tuple[str, ...] = ("cse", "ece")
    ) -> dict[str, Any]:
        """Publish a notice now (``publishedAt``/``lastModifiedOn`` default to the current time)."""
        now = int(time.time() * 1000)
        stored = {
            "title": "Notice",
            "content": "",
            "lastModifiedByUserName": "T&P Cell JIIT",
            "publishedAt": now,
            "lastModifiedOn": now,
            **copy.deepcopy(notice),
        }
        if not stored.get("identifier"):
            stored["identifier"] = f"n-{secrets.token_hex(6)}"
        with self._lock:
            self._state.notices[str(stored["identifier"])] = (
                stored,
                {self._account_key(a) for a in accounts},
            )
        return stored

    def edit_notice(self, identifier: str, **changes: Any) -> dict[str, Any]:
        """Edit a notice as the T&P cell would: fields changed and ``lastModifiedOn`` moved to now."""
        with self._lock:
            notice, _ = self._state.notices[identifier]
            notice.update(changes)
            notice["lastModifiedOn"] = max(
                int(time.time() * 1000), int(notice.get("lastModifiedOn") or 0) + 1
            )
            return copy.deepcopy(notice)

    def add_job(
        self,
        listing: dict[str, Any],
        details: dict[str, Any] | None = None,
        accounts: tuple[str, ...] = ("cse", "ece"),
        document_urls: dict[str, str] | None = None,
    ) -> None:
        job_id = str(listing["jobProfileIdentifier"])
        with self._lock:
            self._state.jobs[job_id] = {
                "listing": copy.deepcopy(listing),
                # None: the listing shows the job but its details are not served (404), as happens
                # on the portal for profiles withdrawn moments after listing.
                "details": copy.deepcopy(details),
                "document_urls": dict(document_urls or {}),
                "accounts": {self._account_key(a) for a in accounts},
            }

    def job_listing(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._state.jobs[job_id]["listing"])

    def update_listing(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._state.jobs[job_id]["listing"].update(changes)

    def stop(self) -> None:
        self._http.stop()

    # -- request handling (called from handler threads) ------------------------------------------

    def _account_key(self, account: str) -> str:
        for item in self.accounts_data:
            if account in (item.key, item.email):
                return item.key
        raise ValueError(f"unknown stand-in account {account!r}")

    def _take_fault(self, endpoint: str, account: str | None) -> str | None:
        with self._lock:
            queue = self._faults.get(endpoint)
            if not queue:
                return None
            for fault in queue:
                if fault.account is None or fault.account == account:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.remove(fault)
                    return fault.kind
            return None

    def _decrypt(self, encrypted: str) -> str | None:
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
            return self._private_key.decrypt(ciphertext, padding.PKCS1v15()).decode("utf-8")
        except (ValueError, TypeError, UnicodeDecodeError):
            return None

    def _login(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("username"), str):
            return 400, {"message": "username and password are required"}
        password = self._decrypt(str(body.get("password") or ""))
        account = next((a for a in self.accounts_data if a.email.lower() == body["username"].lower()), None)
        if account is None or password is None or not secrets.compare_digest(password, account.password):
            return 401, {"message": "Invalid username or password", "errorCode": "INVALID_CREDENTIALS"}
        session_key = secrets.token_hex(24)
        with self._lock:
            self._sessions[session_key] = account.key
        return 200, {
            "userId": account.user_id,
            "username": account.email,
            "name": account.name,
            "emailHash": secrets.token_hex(16),
            "sessionKey": session_key,
            "uuid": account.uuid,
            "refreshToken": f"r-{secrets.token_hex(16)}",
            # Fields the real portal sometimes returns null or omits: clients must not insist on them.
            "userProfilePhotoId": None,
            "userModes": ["STUDENT"],
            "permissions": [],
            "emailVerified": True,
            "message": None,
        }

    def _account_for(self, authorization: str | None, uuid: str) -> tuple[StandinAccount | None, int]:
        match = re.fullmatch(r"Custom (\S+)", authorization or "")
        with self._lock:
            key = self._sessions.get(match.group(1)) if match else None
        if key is None:
            return None, 401
        account = next(a for a in self.accounts_data if a.key == key)
        return (account, 200) if account.uuid == uuid else (None, 403)

    def _serve(self, endpoint: str, account: StandinAccount, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            if endpoint == "notices":
                visible = [
                    copy.deepcopy(n) for n, seen in self._state.notices.values() if account.key in seen
                ]
                visible.sort(key=lambda n: int(n.get("publishedAt") or 0), reverse=True)
                page, size = int(params.get("page", "0")), int(params.get("size", "50"))
                return 200, visible[page * size : (page + 1) * size]
            if endpoint == "job_profiles":
                listings = [
                    copy.deepcopy(job["listing"])
                    for job in self._state.jobs.values()
                    if account.key in job["accounts"]
                ]
                return 200, listings
            job = self._state.jobs.get(params["job"])
            if job is None or account.key not in job["accounts"]:
                return 404, {"message": "Job profile not found", "errorCode": "NOT_FOUND"}
            if endpoint == "job_details":
                if job["details"] is None:
                    return 404, {"message": "Job profile details not available", "errorCode": "NOT_FOUND"}
                return 200, copy.deepcopy(job["details"])
            url = job["document_urls"].get(params["doc"])
            if url is None:
                return 404, {"message": "Document not found"}
            return 200, {"url": url}


class _Handler(StandinHandler):
    standin: SupersetStandin
    protocol_version = "HTTP/1.1"

    def _send(
        self, status: int, payload: Any, raw: bytes | None = None, headers: dict[str, str] | None = None
    ) -> None:
        body = raw if raw is not None else json.dumps(payload).encode("utf-8")
        self.send_body(status, body, "application/json", headers)

    def _tenant_ok(self) -> bool:
        return (
            self.headers.get("x-superset-tenant-id") == TENANT_ID
            and self.headers.get("x-superset-tenant-type") == TENANT_TYPE
        )

    def _apply_fault(self, kind: str | None) -> bool:
        """True when the fault produced the response."""
        if kind is None:
            return False
        if kind == "500":
            self._send(500, {"message": "Internal Server Error"})
        elif kind == "429":
            self._send(429, {"message": "Too many requests"}, headers={"Retry-After": "0"})
        elif kind == "timeout":
            time.sleep(self.standin.timeout_delay)
            self._send(504, {"message": "Gateway Timeout"})
        elif kind == "malformed_json":
            self._send(200, None, raw=b'[{"identifier": "n-broken", "title": "truncated')
        elif kind == "expire_session":
            with self.standin._lock:
                self.standin._sessions.clear()
            self._send(401, {"message": "Session expired", "errorCode": "SESSION_EXPIRED"})
        return True

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path != f"{BASE_PATH}/login":
            self._send(404, {"message": "Not found"})
            return
        with self.standin._lock:
            self.standin.counters["login"] += 1
        if not self._tenant_ok():
            self._send(400, {"message": "Unknown tenant"})
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self._send(400, {"message": "Malformed JSON body"})
            return
        username = body.get("username") if isinstance(body, dict) else None
        key = next((a.key for a in self.standin.accounts_data if a.email == username), None)
        if self._apply_fault(self.standin._take_fault("login", key)):
            return
        status, payload = self.standin._login(body)
        self._send(status, payload)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        routed = _route(split.path)
        if routed is None:
            self._send(404, {"message": "Not found"})
            return
        endpoint, match = routed
        with self.standin._lock:
            self.standin.counters[endpoint] += 1
        if not self._tenant_ok():
            self._send(400, {"message": "Unknown tenant"})
            return
        account, status = self.standin._account_for(self.headers.get("Authorization"), match["uuid"])
        if self._apply_fault(self.standin._take_fault(endpoint, account.key if account else None)):
            return
        if account is None:
            message = "Session expired or invalid" if status == 401 else "Forbidden"
            self._send(status, {"message": message})
            return
        params = {key: values[-1] for key, values in parse_qs(split.query).items()}
        params.update({k: v for k, v in match.groupdict().items() if v is not None})
        status, payload = self.standin._serve(endpoint, account, params)
        self._send(status, payload)


def start_superset_standin(port: int = 0, timeout_delay: float = 3.0) -> SupersetStandin:
    """Start the stand-in on 127.0.0.1 (a free port by default) in a background thread."""
    return SupersetStandin(port=port, timeout_delay=timeout_delay)
