"""When the web app's collections are refreshed: a quarter-hourly job over the campus_app group."""

from __future__ import annotations

import dagster as dg

from jiit_assets.lib.vocabulary import TIMEZONE

campus_app_job = dg.define_asset_job(
    name="campus_app_job",
    selection=dg.AssetSelection.groups("campus_app"),
    description="Refresh the campus web app's Jobs, Notices, PlacementOffers and OfficialPlacementData.",
    tags={"jiit/job": "campus_app"},
)

campus_app_schedule = dg.ScheduleDefinition(
    name="campus_app_schedule",
    job=campus_app_job,
    # Every 15 minutes, so new notices and their `sent_to_telegram` reach the web app soon after
    # the hourly update and the deliveries that follow it; an unchanged run writes nothing.
    cron_schedule="5,20,35,50 * * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 15 minutes: bring the campus web app's collections up to date with ours.",
)
