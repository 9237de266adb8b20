"""`jiit-assets serve`: the browser subscription service (page, service worker, push API).

Settings come from the environment (``.env`` is not read here; `make demo` exports it): the
database (MONGODB_URI / MONGODB_DATABASE), VAPID_PUBLIC_KEY, WEB_PUSH_ALLOWED_HOSTS,
WEB_PUSH_EXTRA_ORIGINS, SUBSCRIBE_CORS_ORIGINS, SUBSCRIBE_RATE_LIMIT and, behind a reverse proxy,
SUBSCRIBE_TRUSTED_PROXIES (the proxy addresses whose X-Forwarded-For names the client for the
rate limit). It binds to 127.0.0.1 by default: put an https reverse proxy in front of it for
students, since browsers only allow push on https pages (and on localhost).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import uvicorn

from jiit_assets.defs.subscribers.web import ServeConfigError, WebSettings, create_app
from jiit_assets.lib.mongo import (
    DEFAULT_MONGODB_DATABASE,
    DEFAULT_MONGODB_URI,
    MongoConfigError,
    MongoResource,
)
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8105


def register(commands: Any) -> None:
    """Add ``serve`` to an argparse subparsers object."""
    serve = commands.add_parser("serve", help="run the browser subscription page and push API")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a port number")
    try:
        settings = WebSettings.from_env()
    except ServeConfigError as error:
        raise ValueError(str(error)) from None
    mongo = MongoResource(
        uri=os.environ.get("MONGODB_URI", "").strip() or DEFAULT_MONGODB_URI,
        database=os.environ.get("MONGODB_DATABASE", "").strip() or DEFAULT_MONGODB_DATABASE,
    )
    try:
        mongo.ping()  # fail at start, with the URI's password left out, when the database is down
    except MongoConfigError as error:
        raise ValueError(str(error.description)) from None
    collection = mongo.collection(PUSH_SUBSCRIPTIONS)
    proxies = os.environ.get("SUBSCRIBE_TRUSTED_PROXIES", "").strip()
    print(f"Subscription page: http://{args.host}:{args.port}/", flush=True)
    if not settings.vapid_public_key:
        print(
            "Web Push is not configured (VAPID_PUBLIC_KEY is empty): the page cannot subscribe.", flush=True
        )
    uvicorn.run(
        create_app(settings, collection),
        host=args.host,
        port=args.port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
        log_level="info",
    )
    return 0
