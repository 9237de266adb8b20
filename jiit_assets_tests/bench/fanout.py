"""What the two fan-out benchmarks share: one pending notice and the delivery asset run in-process."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import DELIVERIES, NOTICES
from jiit_assets_tests.bench.common import QUIET_RUN_CONFIG
from jiit_assets_tests.bench.data import (
    FIXTURE_JOBS,
    QueueDocuments,
    job_document,
    portal_jobs,
    portal_notices,
)

RECIPIENTS = 2_000


def store_pending_notice(mongo: MongoResource, prefix: str) -> dict[str, Any]:
    """One realistic pending notice (a rendered portal shortlist that fits one Telegram message)."""
    now = datetime.now(UTC)
    jobs = [job_document(job, now) for job in portal_jobs(len(FIXTURE_JOBS), "fan", include_fixtures=True)]
    queue = QueueDocuments(jobs)
    for item in portal_notices(40, prefix, now, include_fixtures=False):
        document = queue.document(item.notice, now, pending=True)
        if len(document["telegram_html"]) == 1 and document["type"] == "shortlisting":
            mongo.collection(NOTICES).insert_one(document)
            return document
    raise RuntimeError("no single-message shortlist among the fixture notices")


def deliver(
    mongo: MongoResource, telegram: TelegramResource, web_push: WebPushResource
) -> tuple[float, dict[str, Any]]:
    """Materialize ``deliveries``; wall seconds and the materialization's metadata."""
    start = time.perf_counter()
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": telegram, "web_push": web_push},
        run_config=QUIET_RUN_CONFIG,
    )
    seconds = time.perf_counter() - start
    if not result.success:
        raise RuntimeError("deliveries failed")
    [materialization] = result.asset_materializations_for_node("deliveries")
    return seconds, {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}


def ledger_states(mongo: MongoResource, notice_id: str, channel: str) -> dict[str, int]:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"notice_id": notice_id, "channel": channel}},
        {"$group": {"_id": "$state", "n": {"$sum": 1}}},
    ]
    return {str(row["_id"]): int(row["n"]) for row in mongo.collection(DELIVERIES).aggregate(pipeline)}
