"""Helpers of the delivery fault suite: a settable clock, simulated elapsed time, runs that may fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import NOTICES


class SettableClock:
    """A monotonic-style clock in seconds that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Run:
    success: bool
    metadata: dict[str, Any]
    failure: str


def run_delivery(mongo: MongoResource, telegram: Any, web_push: Any, instance: Any = None) -> Run:
    """One ``deliveries`` materialization; its metadata whether it succeeded or failed."""
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": telegram, "web_push": web_push},
        raise_on_error=False,
        instance=instance,
    )
    failures = result.get_step_failure_events()
    if failures:
        data = failures[0].step_failure_data
        metadata = (
            {key: value.value for key, value in (data.user_failure_data.metadata or {}).items()}
            if data.user_failure_data
            else {}
        )
        return Run(False, metadata, str(data.error))
    materialization = result.asset_materializations_for_node("deliveries")[0]
    return Run(result.success, {key: value.value for key, value in materialization.metadata.items()}, "")


def queued_minutes_ago(mongo: MongoResource, minutes: float) -> None:
    """Move every notice's queue time back: as if ``minutes`` had passed since it was queued."""
    when = datetime.now(UTC) - timedelta(minutes=minutes)
    mongo.collection(NOTICES).update_many({}, {"$set": {"created_at": when, "updated_at": when}})
