"""The college website as a Dagster resource: the page URL and how patiently to fetch it."""

from __future__ import annotations

import dagster as dg

from jiit_assets.defs.official.client import DESKTOP_USER_AGENT, FetchedPage, PageRequest, fetch_page

DEFAULT_OFFICIAL_SITE_URL = "https://www.jiit.ac.in/"


class CollegeSiteResource(dg.ConfigurableResource):
    """The college website page with the Training & Placement figures (OFFICIAL_SITE_URL)."""

    url: str = DEFAULT_OFFICIAL_SITE_URL
    timeout_seconds: float = 15.0
    attempts: int = 3
    backoff_seconds: float = 2.0
    max_bytes: int = 5_000_000
    user_agent: str = DESKTOP_USER_AGENT

    def fetch(self) -> FetchedPage:
        """GET the page; raises :class:`CollegeSiteError` after the last failed attempt."""
        return fetch_page(
            PageRequest(
                url=self.url,
                timeout_seconds=self.timeout_seconds,
                attempts=self.attempts,
                backoff_seconds=self.backoff_seconds,
                max_bytes=self.max_bytes,
                user_agent=self.user_agent,
            )
        )
