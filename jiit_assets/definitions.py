"""The jiit-assets code location: every asset, check, job, schedule, sensor and resource."""

from __future__ import annotations

import warnings
from typing import Any

import dagster as dg

from jiit_assets.assets import analytics, checks, deliveries, email, notices, official, superset
from jiit_assets.automation.jobs import JOBS
from jiit_assets.automation.schedules import SCHEDULES
from jiit_assets.automation.sensors import SENSORS
from jiit_assets.config import env_or_default, env_or_empty, is_set
from jiit_assets.resources.college_site import DEFAULT_OFFICIAL_SITE_URL, CollegeSiteResource
from jiit_assets.resources.imap import ImapResource
from jiit_assets.resources.mongo import (
    DEFAULT_MONGODB_DATABASE,
    DEFAULT_MONGODB_URI,
    MongoIOManager,
    MongoResource,
)
from jiit_assets.resources.superset import DEFAULT_BASE_URL as DEFAULT_SUPERSET_BASE_URL
from jiit_assets.resources.superset import DEFAULT_PUBLIC_KEY_PEM as DEFAULT_SUPERSET_PUBLIC_KEY_PEM
from jiit_assets.resources.superset import SupersetResource
from jiit_assets.resources.telegram import DEFAULT_API_BASE_URL as DEFAULT_TELEGRAM_API_BASE_URL
from jiit_assets.resources.telegram import TelegramResource
from jiit_assets.resources.webpush import WebPushResource

ASSET_MODULES = [superset, email, notices, official, analytics, deliveries, checks]


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
    )
    resources["web_push"] = WebPushResource(
        vapid_private_key=env_or_empty("VAPID_PRIVATE_KEY"),
        vapid_public_key=env_or_empty("VAPID_PUBLIC_KEY"),
        vapid_subject=env_or_empty("VAPID_SUBJECT"),
    )
    return resources


with warnings.catch_warnings():
    # Code references let the UI open each asset's source file at the right line (a beta API).
    warnings.simplefilter("ignore", dg.BetaWarning)
    ASSETS = dg.with_source_code_references(dg.load_assets_from_modules(ASSET_MODULES))

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=build_resources(),
)
