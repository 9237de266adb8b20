"""The notices part: the one delivery queue, refreshed by the hourly update."""

import dagster as dg

from jiit_assets.defs.notices.assets import notices, pending_notices_are_deliverable
from jiit_assets.defs.notices.automation import hourly_update_schedule, update_job
from jiit_assets.defs.notices.checks import one_document_per_source_notice

defs = dg.Definitions(
    assets=[notices],
    asset_checks=[pending_notices_are_deliverable, one_document_per_source_notice],
    jobs=[update_job],
    schedules=[hourly_update_schedule],
)
