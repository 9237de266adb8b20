"""The Dagster resource for the SuperSet portal: settings, one connection pool per run, sessions.

The HTTP layer (login, retries) is ``portal_http.py`` and the endpoints and merged fetches are
``client.py``; this module only holds the configuration the UI shows and hands out clients on the
run's connection pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import httpx
from pydantic import Field, PrivateAttr

from jiit_assets.defs.superset.accounts import Account, Session, load_public_key, parse_credentials
from jiit_assets.defs.superset.client import SupersetClient
from jiit_assets.defs.superset.portal_http import (
    DEFAULT_BASE_URL,
    DEFAULT_PUBLIC_KEY_PEM,
    DEFAULT_TENANT_ID,
    DEFAULT_TENANT_TYPE,
    PortalHttp,
    RetrySettings,
)


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
            portal = PortalHttp(
                http,
                key,
                tenant_id=self.tenant_id,
                tenant_type=self.tenant_type,
                retry=RetrySettings(self.max_attempts, self.backoff_base_seconds, self.backoff_max_seconds),
                log=log,
                sessions=self._sessions if not own else None,
            )
            yield SupersetClient(portal, accounts)
        finally:
            if own:
                http.close()
