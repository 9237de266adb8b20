"""The bot token and the VAPID private key never reach a log line, run metadata or an error."""

from __future__ import annotations

import logging

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_subscriptions, queued_notice, store_notices


def test_no_secret_in_logs_or_metadata(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys, caplog
):
    caplog.set_level(logging.DEBUG)
    store_notices(mongo, queued_notice("n1", chunks=("<b>broken", "fine")))
    add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    telegram_standin.fail_next(1, 502)
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": telegram_resource, "web_push": web_push_resource},
    )
    assert result.success
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 2
    # httpx logs every request URL, which contains the token: it must arrive scrubbed.
    assert any("/bot<bot-token>/sendMessage" in record.getMessage() for record in caplog.records)
    texts = [record.getMessage() for record in caplog.records]
    texts += [str(event) for event in result.all_events]
    texts += [
        str(value) for value in result.asset_materializations_for_node("deliveries")[0].metadata.values()
    ]
    for secret in (telegram_resource.bot_token, vapid_keys.private):
        assert not [text for text in texts if secret in text]


def test_rejected_token_error_does_not_quote_it(mongo, telegram_standin, caplog):
    caplog.set_level(logging.DEBUG)
    store_notices(mongo, queued_notice("n1"))
    wrong = "987654321:AAH-wrong-token_value"
    resource = TelegramResource(bot_token=wrong, chat_ids=CHANNEL_CHAT, api_base_url=telegram_standin.url)
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": resource, "web_push": WebPushResource()},
        raise_on_error=False,
    )
    assert not result.success
    error = str(result.get_step_failure_events()[0].step_failure_data.error)
    assert "Telegram rejected the bot" in error
    assert wrong not in error and wrong not in caplog.text
    assert telegram_standin.messages == []


def test_malformed_vapid_key_error_does_not_quote_it(mongo, telegram_standin):
    store_notices(mongo, queued_notice("n1"))
    bad_key = "not-a-key-but-still-secret-material-0123456789"
    resource = WebPushResource(vapid_private_key=bad_key, vapid_subject="mailto:placement.cell@jiit.ac.in")
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": TelegramResource(), "web_push": resource},
        raise_on_error=False,
    )
    assert not result.success
    error = str(result.get_step_failure_events()[0].step_failure_data.error)
    assert "VAPID_PRIVATE_KEY is not a P-256 private key" in error and bad_key not in error
