"""The three jobs: hourly update, noon official scrape, notification fan-out."""

from __future__ import annotations

import dagster as dg

# dagster.yaml limits runs carrying this tag to one at a time, so two notification runs never
# overlap (the sensor, a manual launch and a re-execution all carry it).
NOTIFICATION_CONCURRENCY_TAG = "jiit/notification"

update_job = dg.define_asset_job(
    name="update_job",
    selection=dg.AssetSelection.groups("superset", "email", "notices", "analytics"),
    description=(
        "Fetch SuperSet notices and jobs and the placement mailbox, store them, and queue new or "
        "edited notices for delivery. Runs hourly."
    ),
    tags={"jiit/job": "update"},
)

official_placement_job = dg.define_asset_job(
    name="official_placement_job",
    selection=dg.AssetSelection.groups("official"),
    description="Scrape the official placement statistics from the college website.",
    tags={"jiit/job": "official"},
)

notification_job = dg.define_asset_job(
    name="notification_job",
    selection=dg.AssetSelection.groups("delivery"),
    description="Deliver every pending notice on Telegram and Web Push, exactly once per recipient.",
    tags={"jiit/job": "notification", NOTIFICATION_CONCURRENCY_TAG: "1"},
)

JOBS = [update_job, official_placement_job, notification_job]
