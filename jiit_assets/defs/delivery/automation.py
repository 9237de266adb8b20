"""The delivery job: every pending notice, on every configured channel, exactly once per recipient."""

from __future__ import annotations

import dagster as dg

# dagster.yaml limits runs carrying this tag to one at a time, so two delivery runs never overlap
# (the sensor, a manual launch and a re-execution all carry it). The delivery lease in MongoDB is
# the backstop for runs launched from another Dagster instance.
DELIVERY_CONCURRENCY_TAG = "jiit/delivery"
# Run monitoring (enabled in dagster.yaml) ends a delivery run still going after this long: a full
# fan-out of 1,500 subscribers x 18 notices at Telegram's 30/s takes about 15 minutes.
MAX_RUNTIME_SECONDS = 2 * 3600

delivery_job = dg.define_asset_job(
    name="delivery_job",
    selection=dg.AssetSelection.groups("delivery"),
    description="Deliver every pending notice on Telegram and Web Push, exactly once per recipient.",
    tags={
        "jiit/job": "delivery",
        DELIVERY_CONCURRENCY_TAG: "1",
        "dagster/max_runtime": str(MAX_RUNTIME_SECONDS),
    },
)
