"""The SuperSet part: portal notices and job profiles, fetched and stored as the portal returns them."""

import dagster as dg

from jiit_assets.defs.superset.assets import enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.checks import one_document_per_job, one_document_per_portal_notice

defs = dg.Definitions(
    assets=[raw_superset_notices, enriched_jobs],
    asset_checks=[one_document_per_job, one_document_per_portal_notice],
)
