"""The hourly update: fetch every source, then refresh the notices queue from what arrived.

It lives with the queue because the queue is what the update exists to refresh; the delivery
sensor sends whatever it queued.
"""

from __future__ import annotations

import dagster as dg

from jiit_assets.lib.vocabulary import TIMEZONE

update_job = dg.define_asset_job(
    name="update_job",
    selection=dg.AssetSelection.groups("superset", "email", "notices", "analytics"),
    description=(
        "Fetch SuperSet notices and jobs and the placement mailbox, store them, and queue new or "
        "edited notices for delivery. Runs hourly."
    ),
    tags={"jiit/job": "update"},
)

hourly_update_schedule = dg.ScheduleDefinition(
    name="hourly_update_schedule",
    job=update_job,
    cron_schedule="0 * * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "At minute 0 of every hour (IST): fetch SuperSet and the mailbox, queue new notices. "
        "The unsent-notices sensor delivers what this queues."
    ),
    tags={"jiit/trigger": "hourly_update_schedule"},
)
