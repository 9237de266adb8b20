"""The jiit-assets code location: every part's definitions merged, with the shared resources.

Each part under ``jiit_assets/defs/`` exports its own ``defs``; they are merged explicitly here
rather than discovered, so a reader sees every part in one list and a part cannot be loaded by
accident. Resources are configured from the environment once, here, for all parts; secrets stay
``dg.EnvVar`` references, so the UI shows their names, never their values.
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from jiit_assets.defs.alerts import definitions as alerts
from jiit_assets.defs.alerts.resources import DEFAULT_WEBSERVER_URL, OperatorAlertsResource
from jiit_assets.defs.analytics import definitions as analytics
from jiit_assets.defs.campus_app import definitions as campus_app
from jiit_assets.defs.campus_app.resources import CampusAppResource
from jiit_assets.defs.delivery import definitions as delivery
from jiit_assets.defs.delivery.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS
from jiit_assets.defs.delivery.telegram_resource import DEFAULT_API_BASE_URL as DEFAULT_TELEGRAM_API_BASE_URL
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.email import definitions as email
from jiit_assets.defs.email.resources import ImapResource
from jiit_assets.defs.notices import definitions as notices
from jiit_assets.defs.official import definitions as official
from jiit_assets.defs.official.resources import DEFAULT_OFFICIAL_SITE_URL, CollegeSiteResource
from jiit_assets.defs.reminders import definitions as reminders
from jiit_assets.defs.subscribers import definitions as subscribers
from jiit_assets.defs.superset import definitions as superset
from jiit_assets.defs.superset.portal_http import DEFAULT_BASE_URL as DEFAULT_SUPERSET_BASE_URL
from jiit_assets.defs.superset.portal_http import DEFAULT_PUBLIC_KEY_PEM as DEFAULT_SUPERSET_PUBLIC_KEY_PEM
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.config import env_or_default, env_or_empty, is_set
from jiit_assets.lib.mongo import (
    DEFAULT_MONGODB_DATABASE,
    DEFAULT_MONGODB_URI,
    MongoIOManager,
    MongoResource,
)


def build_resources() -> dict[str, Any]:
    """Resources configured from the environment; secrets stay EnvVar references in the UI."""
    mongo = MongoResource(
        uri=env_or_default("MONGODB_URI", DEFAULT_MONGODB_URI),
        database=env_or_default("MONGODB_DATABASE", DEFAULT_MONGODB_DATABASE),
    )
    resources: dict[str, Any] = {
        "mongo": mongo,
        "io_manager": MongoIOManager(mongo=mongo),
    }
    resources["campus_app"] = CampusAppResource(mongo=mongo, database=env_or_empty("CAMPUS_APP_DATABASE"))
    resources["superset"] = SupersetResource(
        credentials=env_or_empty("SUPERSET_CREDENTIALS"),
        base_url=env_or_default("SUPERSET_BASE_URL", DEFAULT_SUPERSET_BASE_URL),
        public_key_pem=env_or_default("SUPERSET_PUBLIC_KEY_PEM", DEFAULT_SUPERSET_PUBLIC_KEY_PEM),
    )
    resources["imap"] = ImapResource(
        host=env_or_empty("IMAP_HOST"),
        port=dg.EnvVar.int("IMAP_PORT") if is_set("IMAP_PORT") else 993,
        user=env_or_empty("IMAP_USER"),
        password=env_or_empty("IMAP_PASSWORD"),
        folder=env_or_default("IMAP_FOLDER", "INBOX"),
        tls_mode=env_or_default("IMAP_TLS_MODE", "ssl"),
    )
    resources["college_site"] = CollegeSiteResource(
        url=env_or_default("OFFICIAL_SITE_URL", DEFAULT_OFFICIAL_SITE_URL)
    )
    resources["telegram"] = TelegramResource(
        bot_token=env_or_empty("TELEGRAM_BOT_TOKEN"),
        chat_ids=env_or_empty("TELEGRAM_CHAT_ID"),
        api_base_url=env_or_default("TELEGRAM_API_BASE_URL", DEFAULT_TELEGRAM_API_BASE_URL),
        legacy_users_collection=env_or_empty("LEGACY_USERS_COLLECTION"),
        subscribe_public_url=env_or_empty("SUBSCRIBE_PUBLIC_URL"),
    )
    resources["web_push"] = WebPushResource(
        vapid_private_key=env_or_empty("VAPID_PRIVATE_KEY"),
        vapid_public_key=env_or_empty("VAPID_PUBLIC_KEY"),
        vapid_subject=env_or_empty("VAPID_SUBJECT"),
        allowed_push_hosts=env_or_default("WEB_PUSH_ALLOWED_HOSTS", ",".join(DEFAULT_PUSH_SERVICE_HOSTS)),
        extra_push_origins=env_or_default("WEB_PUSH_EXTRA_ORIGINS", ""),
    )
    resources["operator_alerts"] = OperatorAlertsResource(
        admin_chat_ids=env_or_empty("TELEGRAM_ADMIN_CHAT_ID"),
        webserver_url=env_or_default("DAGSTER_WEBSERVER_URL", DEFAULT_WEBSERVER_URL),
        stale_after_hours=float(os.environ.get("SOURCE_STALE_AFTER_HOURS") or 3),
    )
    return resources


PARTS = [superset, email, official, notices, reminders, analytics, delivery, alerts, subscribers, campus_app]


defs = dg.Definitions.merge(*(part.defs for part in PARTS), dg.Definitions(resources=build_resources()))
