"""The browser subscription service behind ``jiit-assets serve``: a Starlette ASGI app.

Routes: ``GET /`` (the subscription page), ``GET /app.css``, ``GET /app.js``, ``GET /sw.js`` (the service worker),
``GET /icon.png``, ``GET /api/push/vapid-key``, ``POST /api/push/subscribe``, ``POST
/api/push/unsubscribe`` (the older system's paths and bodies, so the campus web app can call them)
``GET /health``, and the deadline calendars ``GET /calendar.ics`` (every open deadline) and ``GET
/calendar/<token>.ics`` (the deadlines of the jobs one subscriber's profile targets; 404 for a
token that is unknown, replaced or whose subscription is gone; see reminders/feeds.py).

Everything a client sends is untrusted: writes need ``Content-Type: application/json``, a body
under ``max_body_bytes`` and a known set of fields (see subscription_store.py); each client
address gets ``rate_limit`` writes (a ``limits`` moving window); cross-origin calls are allowed
only from ``cors_origins``, and a write carrying any other ``Origin`` is refused outright (a
browser form on another site cannot subscribe or unsubscribe a visitor). Errors are JSON
``{"success": false, "error": …}`` with a 4xx status, and nothing is stored on an error. Logs never
contain endpoints or keys: an endpoint is a capability URL anyone could push to.
"""

from __future__ import annotations

import html
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jiit_assets.defs.notices.rules import DEFAULT_JOB_URL_BASE
from jiit_assets.defs.reminders.feeds import CalendarFeeds, Owner, feed_path
from jiit_assets.defs.subscribers.profile import ProfileError
from jiit_assets.defs.subscribers.push_subscription import (
    EndpointPolicy,
    SubscriptionError,
    decode_key,
    endpoint_policy_from_env,
)
from jiit_assets.defs.subscribers.subscription_store import (
    parse_subscribe,
    parse_unsubscribe,
    remove_subscription,
    store_subscription,
)
from jiit_assets.lib.models import NoticeType

LOGGER = logging.getLogger("jiit_assets.serve")
CORS_ORIGINS_VARIABLE = "SUBSCRIBE_CORS_ORIGINS"
RATE_LIMIT_VARIABLE = "SUBSCRIBE_RATE_LIMIT"
DEFAULT_RATE_LIMIT = "20/minute"
DEFAULT_MAX_BODY_BYTES = 8 * 1024  # a subscription with a full profile is under 2 KB
STATIC = resources.files("jiit_assets.defs.subscribers").joinpath("static")
# The page and its script come from this origin only; no inline script, no third-party code.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

Document = dict[str, Any]
DATABASE_DOWN = "the subscription store is unavailable; nothing was changed, try again in a minute."


class ServeConfigError(ValueError):
    """The service's settings are unusable; the message names the variable."""


@dataclass(frozen=True)
class WebSettings:
    vapid_public_key: str  # empty: Web Push not configured (501 on the key and subscribe)
    policy: EndpointPolicy
    cors_origins: tuple[str, ...] = ()
    rate_limit: str = DEFAULT_RATE_LIMIT  # writes per client address, in `limits` notation
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        key = env.get("VAPID_PUBLIC_KEY", "").strip()
        if key:
            try:
                ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), decode_key("p256dh", key))
            except ValueError:
                raise ServeConfigError(
                    "VAPID_PUBLIC_KEY is not an uncompressed P-256 public key in base64url "
                    "(`jiit-assets vapid generate` prints a pair)."
                ) from None
        origins = tuple(
            o.strip().rstrip("/") for o in env.get(CORS_ORIGINS_VARIABLE, "").split(",") if o.strip()
        )
        for origin in origins:
            if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
                raise ServeConfigError(
                    f"{CORS_ORIGINS_VARIABLE}: {origin!r} is not an origin like https://app.example.in."
                )
        rate_limit = env.get(RATE_LIMIT_VARIABLE, "").strip() or DEFAULT_RATE_LIMIT
        try:
            parse(rate_limit)
        except ValueError:
            raise ServeConfigError(
                f"{RATE_LIMIT_VARIABLE}: {rate_limit!r} is not like '20/minute'."
            ) from None
        try:
            policy = endpoint_policy_from_env(env)
        except SubscriptionError as error:
            raise ServeConfigError(str(error)) from None
        return cls(vapid_public_key=key, policy=policy, cors_origins=origins, rate_limit=rate_limit)


class ClientError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"success": False, "error": message}, status_code=status, headers=dict(headers or {}))


def page_html() -> str:
    """The subscription page, with one checkbox per notice type (the profile's categories)."""
    boxes = "\n".join(
        f'        <label class="check"><input type="checkbox" name="categories" value="{kind}" checked> '
        f"{html.escape(kind.replace('_', ' ').capitalize().replace(' noc', ' NOC'))}</label>"
        for kind in NoticeType
    )
    return STATIC.joinpath("index.html").read_text("utf-8").replace("<!--CATEGORIES-->", boxes)


def _static(name: str, media_type: str, extra: Mapping[str, str] | None = None) -> Callable[..., Any]:
    content = page_html().encode("utf-8") if name == "index.html" else STATIC.joinpath(name).read_bytes()

    async def endpoint(request: Request) -> Response:
        del request
        return Response(content, media_type=media_type, headers={**PAGE_HEADERS, **(extra or {})})

    return endpoint


CALENDAR_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


class CalendarApi:
    """The two calendar routes; feeds are built per request from ``enriched_jobs``."""

    def __init__(self, feeds: CalendarFeeds) -> None:
        self.feeds = feeds

    async def public(self, request: Request) -> Response:
        del request
        try:
            feed = await run_in_threadpool(self.feeds.public_feed)
        except PyMongoError as error:
            LOGGER.warning("calendar feed failed: %s", type(error).__name__)
            return Response("503\n", status_code=503, media_type="text/plain", headers={"Retry-After": "30"})
        return Response(feed, media_type="text/calendar; charset=utf-8", headers=CALENDAR_HEADERS)

    async def personal(self, request: Request) -> Response:
        token = str(request.path_params.get("token", ""))
        try:
            feed = await run_in_threadpool(self.feeds.subscriber_feed, token)
        except PyMongoError as error:  # never the token in a log: it is the feed's only secret
            LOGGER.warning("personal calendar feed failed: %s", type(error).__name__)
            return Response("503\n", status_code=503, media_type="text/plain", headers={"Retry-After": "30"})
        if feed is None:
            return Response("404\n", status_code=404, media_type="text/plain")
        return Response(feed, media_type="text/calendar; charset=utf-8", headers=CALENDAR_HEADERS)


class SubscriptionApi:
    """The API's handlers, bound to the settings and the ``push_subscriptions`` collection."""

    def __init__(
        self, settings: WebSettings, collection: Collection[Document], feeds: CalendarFeeds | None = None
    ) -> None:
        self.settings = settings
        self.collection = collection
        self.feeds = feeds
        self.limit: RateLimitItem = parse(settings.rate_limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def vapid_key(self, request: Request) -> Response:
        del request
        if not self.settings.vapid_public_key:
            return _error(501, "Web Push is not configured on this server (VAPID_PUBLIC_KEY is not set).")
        return JSONResponse({"publicKey": self.settings.vapid_public_key})

    async def subscribe(self, request: Request) -> Response:
        try:
            body = await self._checked_body(request)
            if not self.settings.vapid_public_key:
                raise ClientError(
                    501, "Web Push is not configured on this server (VAPID_PUBLIC_KEY is not set)."
                )
            parsed = parse_subscribe(body, self.settings.policy)
        except ClientError as error:
            return _error(error.status, str(error), error.headers)
        except (SubscriptionError, ProfileError) as error:
            return _error(400, str(error))
        try:
            created = await run_in_threadpool(store_subscription, self.collection, parsed)
        except PyMongoError as error:  # the class only: pymongo's text may name hosts
            LOGGER.warning("storing subscription %s failed: %s", parsed.subscription.id, type(error).__name__)
            return _error(503, DATABASE_DOWN, {"Retry-After": "30"})
        LOGGER.info("subscription %s %s", parsed.subscription.id, "added" if created else "updated")
        answer: Document = {"success": True, "id": parsed.subscription.id, "created": created}
        if parsed.profile is not None:
            answer["profile"] = parsed.profile.to_document()
        if self.feeds is not None:
            answer["calendar"] = await self._calendar_path(parsed.subscription.id)
        return JSONResponse(answer, status_code=201 if created else 200)

    async def unsubscribe(self, request: Request) -> Response:
        try:
            key = parse_unsubscribe(await self._checked_body(request))
        except ClientError as error:
            return _error(error.status, str(error), error.headers)
        except (SubscriptionError, ProfileError) as error:
            return _error(400, str(error))
        try:
            removed = await run_in_threadpool(remove_subscription, self.collection, key)
        except PyMongoError as error:
            LOGGER.warning("removing subscription %s failed: %s", key, type(error).__name__)
            return _error(503, DATABASE_DOWN, {"Retry-After": "30"})
        LOGGER.info("subscription %s %s", key, "removed" if removed else "was not stored")
        return JSONResponse({"success": True, "id": key, "removed": removed})

    async def _calendar_path(self, subscription_id: str) -> str | None:
        """The subscription's personal feed path (created on first subscribe, kept on updates)."""
        assert self.feeds is not None
        try:
            token = await run_in_threadpool(self.feeds.issue, Owner.PUSH, subscription_id)
        except PyMongoError as error:  # the subscription is stored; the link comes with the next call
            LOGGER.warning("calendar token for %s failed: %s", subscription_id, type(error).__name__)
            return None
        return feed_path(token) if token else None

    async def health(self, request: Request) -> Response:
        del request
        try:
            await run_in_threadpool(self.collection.database.command, "ping")
        except PyMongoError:
            return JSONResponse({"status": "unhealthy", "database": "unreachable"}, status_code=503)
        return JSONResponse(
            {"status": "healthy", "database": "ok", "web_push": bool(self.settings.vapid_public_key)}
        )

    async def _checked_body(self, request: Request) -> Any:
        """The parsed JSON body after the origin, rate, type and size checks (in that order)."""
        self._check_origin(request)
        client = request.client.host if request.client else "unknown"
        if not self.limiter.hit(self.limit, "push-api", client):
            reset, _ = self.limiter.get_window_stats(self.limit, "push-api", client)
            wait = max(1, int(reset - time.time()) + 1)
            raise ClientError(429, f"too many requests; try again in {wait} s.", {"Retry-After": str(wait)})
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ClientError(415, "send the body as application/json.")
        raw = await self._read_capped(request)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise ClientError(400, "the body is not valid JSON.") from None

    def _check_origin(self, request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is None:
            return  # not a browser's cross-site request (curl, a server, a same-origin GET)
        # Same site when the Origin names this host; the scheme is left out because behind a TLS
        # proxy the page is https while this server sees plain http.
        same_site = urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
        if not same_site and origin.rstrip("/") not in self.settings.cors_origins:
            raise ClientError(
                403, "this origin may not call the subscription API (see SUBSCRIBE_CORS_ORIGINS)."
            )

    async def _read_capped(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        too_large = ClientError(413, f"the body is larger than {limit} bytes.")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)


async def _http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        return _error(status, "no such API route or method." if status in (404, 405) else "request failed.")
    return Response(f"{status}\n", status_code=status, media_type="text/plain")


def create_app(
    settings: WebSettings, collection: Collection[Document], feeds: CalendarFeeds | None = None
) -> Starlette:
    """The ASGI app; ``collection`` is ``push_subscriptions`` (indexes already ensured).

    ``feeds`` defaults to the calendar feeds of the same database.
    """
    feeds = feeds or CalendarFeeds(collection.database, lambda job_id: f"{DEFAULT_JOB_URL_BASE}{job_id}")
    api = SubscriptionApi(settings, collection, feeds)
    calendar = CalendarApi(feeds)
    routes = [
        Route("/", _static("index.html", "text/html; charset=utf-8")),
        Route("/app.css", _static("app.css", "text/css; charset=utf-8")),
        Route("/app.js", _static("app.js", "text/javascript; charset=utf-8")),
        Route("/sw.js", _static("sw.js", "text/javascript; charset=utf-8", {"Service-Worker-Allowed": "/"})),
        Route("/icon.png", _static("icon.png", "image/png")),
        Route("/api/push/vapid-key", api.vapid_key, methods=["GET"]),
        Route("/api/push/subscribe", api.subscribe, methods=["POST"]),
        Route("/api/push/unsubscribe", api.unsubscribe, methods=["POST"]),
        Route("/health", api.health, methods=["GET"]),
        Route("/calendar.ics", calendar.public, methods=["GET"]),
        Route("/calendar/{token}.ics", calendar.personal, methods=["GET"]),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: _http_error})
