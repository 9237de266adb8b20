"""The analytics part: placement statistics computed from the stored offers."""

import dagster as dg

from jiit_assets.defs.analytics.assets import placement_stats

defs = dg.Definitions(assets=[placement_stats])
