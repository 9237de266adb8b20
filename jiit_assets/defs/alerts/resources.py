"""Where operator alerts go and how patient they are (TELEGRAM_ADMIN_CHAT_ID and friends)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import dagster as dg
from pydantic import Field

from jiit_assets.defs.delivery.telegram_resource import TelegramResource

DEFAULT_WEBSERVER_URL = "http://127.0.0.1:3000"


class OperatorAlertsResource(dg.ConfigurableResource):
    """Operator chats for run-failure, recovery and stale-source alerts, sent by the delivery bot."""

    admin_chat_ids: str = Field(default="", description="Comma-separated Telegram chats of the operators.")
    webserver_url: str = Field(
        default=DEFAULT_WEBSERVER_URL, description="Base URL of the Dagster UI, for run links."
    )
    stale_after_hours: float = Field(
        default=3.0, description="A source without a success for this long alerts."
    )
    alert_interval_minutes: float = Field(
        default=60.0, description="At most one alert per failing job in this time."
    )

    @property
    def is_configured(self) -> bool:
        return bool(self.chat_ids())

    def chat_ids(self) -> list[str]:
        return list(dict.fromkeys(part.strip() for part in self.admin_chat_ids.split(",") if part.strip()))

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.stale_after_hours)

    @property
    def alert_interval(self) -> timedelta:
        return timedelta(minutes=self.alert_interval_minutes)

    def run_url(self, run_id: str) -> str:
        return f"{self.webserver_url.rstrip('/')}/runs/{run_id}"

    def send(self, telegram: TelegramResource, messages: list[str]) -> None:
        """Every message to every operator chat; raises (after scrubbing the token) if one fails."""
        asyncio.run(self._send(telegram, messages))

    async def _send(self, telegram: TelegramResource, messages: list[str]) -> None:
        async with telegram.open_bot() as bot:
            for message in messages:
                for chat_id in self.chat_ids():
                    try:
                        await bot.send_message(
                            chat_id=chat_id, text=message, parse_mode="HTML", disable_web_page_preview=True
                        )
                    except Exception as error:
                        raise RuntimeError(
                            f"operator alert to chat {chat_id} failed: {telegram.scrub(str(error))[:200]}"
                        ) from None
