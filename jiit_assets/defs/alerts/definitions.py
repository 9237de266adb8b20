"""The alerts part: run failures, recoveries and stale sources told to the operator chats."""

import dagster as dg

from jiit_assets.defs.alerts.sensors import operator_alerts_sensor

defs = dg.Definitions(sensors=[operator_alerts_sensor])
