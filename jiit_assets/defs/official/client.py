"""The college website (www.jiit.ac.in): one GET of the page that carries the placement figures.

Transient failures (timeouts, connection resets, 5xx, 429) are retried with exponential backoff;
a 4xx is a clear, non-retryable error (the URL is wrong or the page was removed). The body is read
as a stream and cut off above ``max_bytes``, so a misconfigured URL pointing at a huge file cannot
exhaust memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import tenacity

from jiit_assets.lib.vocabulary import SourceError

# The site serves a reduced page (or blocks) for unknown clients; present as a desktop browser.
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class CollegeSiteError(SourceError):
    """The page could not be fetched."""


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    html: str


@dataclass(frozen=True)
class PageRequest:
    url: str
    timeout_seconds: float = 15.0
    attempts: int = 3
    backoff_seconds: float = 2.0
    max_bytes: int = 5_000_000
    user_agent: str = DESKTOP_USER_AGENT


def fetch_page(request: PageRequest) -> FetchedPage:
    """GET the page; raises :class:`CollegeSiteError` after the last failed attempt."""
    if not request.url.lower().startswith(("http://", "https://")):
        raise CollegeSiteError(
            f"OFFICIAL_SITE_URL must be an http(s) URL (got {request.url[:40]!r})", retryable=False
        )
    headers = {"User-Agent": request.user_agent, "Accept": _ACCEPT, "Accept-Language": "en-IN,en;q=0.9"}
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max(1, request.attempts)),
        wait=tenacity.wait_exponential(multiplier=request.backoff_seconds),
        retry=tenacity.retry_if_exception(lambda error: isinstance(error, SourceError) and error.retryable),
        reraise=True,
    )
    with httpx.Client(timeout=request.timeout_seconds, headers=headers, follow_redirects=True) as client:
        return retrying(_fetch_once, client, request)


def _fetch_once(client: httpx.Client, request: PageRequest) -> FetchedPage:
    try:
        with client.stream("GET", request.url) as response:
            _raise_for_status(request.url, response.status_code)
            body = _read_capped(response, request.max_bytes, request.url)
            encoding = response.charset_encoding or "utf-8"
            try:
                html = body.decode(encoding, errors="replace")
            except LookupError:
                html = body.decode("utf-8", errors="replace")
            return FetchedPage(url=str(response.url), status=response.status_code, html=html)
    except httpx.TimeoutException:
        raise CollegeSiteError(
            f"{request.url} did not answer within {request.timeout_seconds:g} s", retryable=True
        ) from None
    except httpx.TransportError as error:
        raise CollegeSiteError(
            f"cannot reach {request.url}: {type(error).__name__}", retryable=True
        ) from None


def _raise_for_status(url: str, status: int) -> None:
    if status in _RETRYABLE_STATUS:
        raise CollegeSiteError(f"{url} answered HTTP {status}", retryable=True)
    if status >= 400:
        raise CollegeSiteError(f"{url} answered HTTP {status}: check OFFICIAL_SITE_URL", retryable=False)


def _read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise CollegeSiteError(f"{url} sent more than {max_bytes} bytes; not a web page", retryable=False)
    return bytes(body)
