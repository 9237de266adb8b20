"""The hourly update: fetch every source, then refresh the notices queue from what arrived.

It lives with the queue because the queue is what the update exists to refresh; the delivery
sensor sends whatever it queued. When a source fails in an update run, Dagster skips the queue
step of that run; ``queue_after_failed_update`` then runs the queue alone on what the other
sources stored, so one failing source never holds back the others' notices. The release and
discard jobs are the operator's answer to notices held by the flood guard.
"""

from __future__ import annotations

import dagster as dg

from jiit_assets.lib.schema import NOTICES
from jiit_assets.lib.vocabulary import TIMEZONE

QUEUE_SELECTION = dg.AssetSelection.assets(NOTICES)

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

queue_job = dg.define_asset_job(
    name="queue_job",
    selection=QUEUE_SELECTION,
    description="Refresh the notices queue from what the sources already stored (no fetching).",
    tags={"jiit/job": "queue"},
)

release_held_notices_job = dg.define_asset_job(
    name="release_held_notices_job",
    selection=QUEUE_SELECTION,
    config={"ops": {NOTICES: {"config": {"release_held": True}}}},
    description="Send the notices the flood guard (or a missing date) held back, then refresh the queue.",
    tags={"jiit/job": "release"},
)

discard_held_notices_job = dg.define_asset_job(
    name="discard_held_notices_job",
    selection=QUEUE_SELECTION,
    config={"ops": {NOTICES: {"config": {"discard_held": True}}}},
    description="Store the held notices as skipped (never sent), then refresh the queue.",
    tags={"jiit/job": "release"},
)


@dg.run_failure_sensor(
    name="queue_after_failed_update",
    monitored_jobs=[update_job],
    request_job=queue_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When an update run fails (a source down, a login refused), queues what the other sources "
        "stored by running the notices queue alone; the failed source stays failed in its run."
    ),
)
def queue_after_failed_update(context: dg.RunFailureSensorContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"queue-after-{context.dagster_run.run_id}",
        tags={"jiit/after_failed_update": context.dagster_run.run_id},
    )
