"""Schedules, in India Standard Time like the placement office."""

from __future__ import annotations

import dagster as dg

from jiit_assets.automation.jobs import official_placement_job, update_job

TIMEZONE = "Asia/Kolkata"

hourly_update_schedule = dg.ScheduleDefinition(
    name="hourly_update_schedule",
    job=update_job,
    cron_schedule="0 * * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "At minute 0 of every hour (IST): fetch SuperSet and the mailbox, queue new notices. "
        "The notification sensor delivers what this queues."
    ),
    tags={"jiit/trigger": "hourly_update_schedule"},
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

SCHEDULES = [hourly_update_schedule, noon_official_placement_schedule]
