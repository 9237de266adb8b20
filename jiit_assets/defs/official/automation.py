"""The noon snapshot of the official placement figures, in India Standard Time."""

from __future__ import annotations

import dagster as dg

from jiit_assets.lib.vocabulary import TIMEZONE

official_placement_job = dg.define_asset_job(
    name="official_placement_job",
    selection=dg.AssetSelection.groups("official"),
    description="Scrape the official placement statistics from the college website.",
    tags={"jiit/job": "official"},
)

noon_official_placement_schedule = dg.ScheduleDefinition(
    name="noon_official_placement_schedule",
    job=official_placement_job,
    cron_schedule="0 12 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 12:00 IST: snapshot the official placement figures from the college website.",
    tags={"jiit/trigger": "noon_official_placement_schedule"},
)
