"""The campus_app part: our canonical documents served in the shapes the existing web app reads."""

import dagster as dg

from jiit_assets.defs.campus_app.assets import CAMPUS_APP_ASSETS
from jiit_assets.defs.campus_app.automation import campus_app_job, campus_app_schedule

defs = dg.Definitions(assets=CAMPUS_APP_ASSETS, jobs=[campus_app_job], schedules=[campus_app_schedule])
