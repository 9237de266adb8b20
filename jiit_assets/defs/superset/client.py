"""The SuperSet placement portal's student API, for one or more student accounts (no Dagster).

Each account (typically one CSE and one ECE student, because an account only sees the jobs open
to its branch) is asked through :class:`PortalHttp` (``portal_http.py``: login, retries, errors).
This module holds the endpoints and the merged fetches: they return what every working account
got plus an :class:`AccountFailure` per failed account, so one broken account never loses the
others' data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from jiit_assets.defs.superset.accounts import (
    Account,
    SupersetAuthError,
    SupersetError,
    SupersetNotFound,
)
from jiit_assets.defs.superset.portal_http import PortalHttp
from jiit_assets.defs.superset.portal_jobs import attachment_refs, job_id_of
from jiit_assets.defs.superset.portal_notices import merge_first_wins

# The portal's own web app asks for 10,000 notices in one page, so a steady-state
# run costs one notices call per account; further pages are only fetched past that many notices.
NOTICES_PAGE_SIZE = 10_000

T = TypeVar("T")


# -- plain data ------------------------------------------------------------------------------------


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


# -- the client ------------------------------------------------------------------------------------


class SupersetClient:
    """The API calls of a run for every configured account; merges are first-account-wins."""

    def __init__(self, portal: PortalHttp, accounts: list[Account]) -> None:
        self.portal = portal
        self.accounts = accounts

    # endpoints -------------------------------------------------------------------------------------

    def notices(self, account: Account) -> list[dict[str, Any]]:
        """Every notice the account sees, page by page (one page in practice)."""
        notices: list[dict[str, Any]] = []
        for page in range(1000):
            batch = self.portal.get(
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
        batch = self.portal.get(account, "/job_profiles", "job listings", list, params={"_loader_": "false"})
        return [item for item in batch if isinstance(item, dict)]

    def job_details(self, account: Account, job_id: str) -> dict[str, Any]:
        details: dict[str, Any] = self.portal.get(
            account, f"/job_profiles/{job_id}", f"details of job {job_id}", dict, params={"_loader_": "false"}
        )
        return details

    def document_url(self, account: Account, job_id: str, document_id: str) -> str | None:
        body = self.portal.get(
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
                self.portal.log(f"SuperSet {what} failed for {account.label}: {error}")
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
                    self.portal.log(f"SuperSet document URL unavailable for job {job_id}: {error}")
                    urls[document_id] = None
            return details, urls
        raise last_error or SupersetNotFound(f"details of job {job_id}: no account can see it")
