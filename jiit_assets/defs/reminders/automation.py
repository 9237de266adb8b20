"""Every 15 minutes: queue the deadline reminders that came due (the delivery sensor sends them)."""

from __future__ import annotations

import dagster as dg

from jiit_assets.defs.reminders.assets import deadline_reminders
from jiit_assets.lib.vocabulary import TIMEZONE

reminders_job = dg.define_asset_job(
    name="reminders_job",
    selection=[deadline_reminders],
    description="Queue due deadline reminders and cancel those whose deadline moved or passed.",
    tags={"jiit/job": "reminders"},
)

reminders_schedule = dg.ScheduleDefinition(
    name="reminders_schedule",
    job=reminders_job,
    cron_schedule="*/15 * * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every 15 minutes (IST): queue the deadline reminders now due, so a reminder goes out at "
        "most 15 minutes after its time; the unsent-notices sensor delivers them."
    ),
    tags={"jiit/trigger": "reminders_schedule"},
)
