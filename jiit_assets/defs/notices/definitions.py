"""The notices part: the one delivery queue, refreshed by the hourly update."""

import dagster as dg

from jiit_assets.defs.notices.assets import notices, pending_notices_are_deliverable
from jiit_assets.defs.notices.automation import (
    discard_held_notices_job,
    hourly_update_schedule,
    queue_after_failed_update,
    queue_job,
    release_held_notices_job,
    update_job,
)
from jiit_assets.defs.notices.checks import no_notices_held, one_document_per_source_notice

defs = dg.Definitions(
    assets=[notices],
    asset_checks=[pending_notices_are_deliverable, one_document_per_source_notice, no_notices_held],
    jobs=[update_job, queue_job, release_held_notices_job, discard_held_notices_job],
    schedules=[hourly_update_schedule],
    sensors=[queue_after_failed_update],
)
