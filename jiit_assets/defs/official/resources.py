"""The college website (www.jiit.ac.in): one GET of the page that carries the placement figures.

Transient failures (timeouts, connection resets, 5xx, 429) are retried a few times with a short
backoff; a 4xx is a clear, non-retryable error (the URL is wrong or the page was removed). The body
is read as a stream and cut off above ``max_bytes`` so a misconfigured URL pointing at a huge file
cannot exhaust memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import dagster as dg
import httpx

DEFAULT_OFFICIAL_SITE_URL = "https://www.jiit.ac.in/"
# The site serves a reduced page (or blocks) for unknown clients; present as a desktop browser.
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class CollegeSiteError(Exception):
    """The page could not be fetched. ``retryable`` tells a transient failure from a permanent one."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    html: str


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
        if not self.url.lower().startswith(("http://", "https://")):
            raise CollegeSiteError(
                f"OFFICIAL_SITE_URL must be an http(s) URL (got {self.url[:40]!r})", retryable=False
            )
        headers = {"User-Agent": self.user_agent, "Accept": _ACCEPT, "Accept-Language": "en-IN,en;q=0.9"}
        last_error: CollegeSiteError | None = None
        with httpx.Client(timeout=self.timeout_seconds, headers=headers, follow_redirects=True) as client:
            for attempt in range(max(1, self.attempts)):
                if attempt:
                    time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
                try:
                    return self._fetch_once(client)
                except CollegeSiteError as error:
                    if not error.retryable:
                        raise
                    last_error = error
        assert last_error is not None
        raise last_error

    def _fetch_once(self, client: httpx.Client) -> FetchedPage:
        try:
            with client.stream("GET", self.url) as response:
                status = response.status_code
                if status in _RETRYABLE_STATUS:
                    raise CollegeSiteError(
                        f"{self.url} answered HTTP {status}", status=status, retryable=True
                    )
                if status >= 400:
                    raise CollegeSiteError(
                        f"{self.url} answered HTTP {status}: check OFFICIAL_SITE_URL",
                        status=status,
                        retryable=False,
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise CollegeSiteError(
                            f"{self.url} sent more than {self.max_bytes} bytes; not a web page",
                            status=status,
                            retryable=False,
                        )
                encoding = response.charset_encoding or "utf-8"
                try:
                    html = bytes(body).decode(encoding, errors="replace")
                except LookupError:
                    html = bytes(body).decode("utf-8", errors="replace")
                return FetchedPage(url=str(response.url), status=status, html=html)
        except httpx.TimeoutException:
            raise CollegeSiteError(
                f"{self.url} did not answer within {self.timeout_seconds:g} s", retryable=True
            ) from None
        except httpx.TransportError as error:
            raise CollegeSiteError(
                f"cannot reach {self.url}: {type(error).__name__}", retryable=True
            ) from None
