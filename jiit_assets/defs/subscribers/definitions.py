"""The subscribers part: students subscribe and set their profile by messaging the Telegram bot."""

import dagster as dg

from jiit_assets.defs.subscribers.sensors import telegram_commands_sensor

defs = dg.Definitions(sensors=[telegram_commands_sensor])
