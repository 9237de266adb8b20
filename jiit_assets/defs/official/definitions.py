"""The official part: the college website's placement figures, snapshotted every noon."""

import dagster as dg

from jiit_assets.defs.official.assets import official_placement_stats
from jiit_assets.defs.official.automation import noon_official_placement_schedule, official_placement_job

defs = dg.Definitions(
    assets=[official_placement_stats],
    jobs=[official_placement_job],
    schedules=[noon_official_placement_schedule],
)
