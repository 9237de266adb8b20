"""The delivery part: pending notices sent on Telegram and Web Push, exactly once per recipient."""

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.automation import delivery_job
from jiit_assets.defs.delivery.sensors import digest_sensor, unsent_notices_sensor

defs = dg.Definitions(
    assets=[deliveries], jobs=[delivery_job], sensors=[unsent_notices_sensor, digest_sensor]
)
