"""The reminders part: deadline reminders queued every 15 minutes (the calendar feeds are served by serve)."""

import dagster as dg

from jiit_assets.defs.reminders.assets import deadline_reminders
from jiit_assets.defs.reminders.automation import reminders_job, reminders_schedule

defs = dg.Definitions(assets=[deadline_reminders], jobs=[reminders_job], schedules=[reminders_schedule])
