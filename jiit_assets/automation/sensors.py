"""Sensors. (unsent_notices_sensor is added with notification delivery.)"""

from __future__ import annotations

import dagster as dg

SENSORS: list[dg.SensorDefinition] = []
