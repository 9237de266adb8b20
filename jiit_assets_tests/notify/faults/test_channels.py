"""Channel faults: each channel fails, retries and recovers on its own, and configured chats are never gone."""

from __future__ import annotations

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import DELIVERIES, NOTICES, USERS
from jiit_assets_tests.fixtures.notify import (
    CHANNEL_CHAT,
    add_subscriptions,
    add_users,
    queued_notice,
    store_notices,
)
from jiit_assets_tests.notify.faults.common import run_delivery


def test_telegram_getme_failing_is_retryable_and_does_not_stop_web_push(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    [subscription] = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    telegram_standin.fail_for(3600, 502, methods=("getMe",))
    telegram = TelegramResource(**{**telegram_resource.model_dump(), "start_attempts": 2})

    run = run_delivery(mongo, telegram, web_push_resource)

    assert not run.success
    assert "getMe" in run.failure and telegram_resource.bot_token not in run.failure
    assert "rejected" not in run.failure  # an outage, not a refused bot
    assert telegram_standin.requests["getMe"] == 2  # retried within the run
    assert len(push_standin.received_for(subscription["endpoint"])) == 1
    notice = mongo.collection(NOTICES).find_one()
    assert notice["delivery"] == {"telegram": "pending", "web_push": "sent"} and notice["pending"] is True
    assert run.metadata["web_pushes_sent"] == 1 and "telegram" in run.metadata["failing_channels"]

    telegram_standin.outage.clear()  # Telegram is back
    recovered = run_delivery(mongo, telegram, web_push_resource)

    assert recovered.success
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 1
    assert len(push_standin.received_for(subscription["endpoint"])) == 1
    assert mongo.collection(NOTICES).find_one()["pending"] is False


def test_getme_timeouts_are_an_outage_too(mongo, telegram_standin, telegram_resource):
    store_notices(mongo, queued_notice("n1"))
    telegram = TelegramResource(
        **{**telegram_resource.model_dump(), "start_attempts": 1, "read_timeout_seconds": 0.2}
    )
    telegram_standin.method_delays["getme"] = 0.6  # answers after the client gave up
    run = run_delivery(mongo, telegram, WebPushResource())
    assert not run.success and "did not answer getMe" in run.failure
    assert mongo.collection(NOTICES).find_one()["delivery"]["telegram"] == "pending"


def test_a_vapid_mistake_does_not_stop_telegram_and_web_push_recovers_once_fixed(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    [subscription] = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    wrong = WebPushResource(**{**web_push_resource.model_dump(), "vapid_public_key": "not-the-public-key"})

    run = run_delivery(mongo, telegram_resource, wrong)

    assert not run.success and "VAPID_PUBLIC_KEY" in run.failure
    assert vapid_keys.private not in run.failure
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 1
    assert mongo.collection(NOTICES).find_one()["delivery"] == {"telegram": "sent", "web_push": "pending"}

    fixed = run_delivery(mongo, telegram_resource, web_push_resource)
    assert fixed.success
    assert len(push_standin.received_for(subscription["endpoint"])) == 1
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 1
    assert mongo.collection(NOTICES).find_one()["pending"] is False


def test_a_configured_chat_that_refuses_the_bot_fails_visibly_and_gets_the_notice_once_rights_return(
    mongo, telegram_standin, telegram_resource
):
    store_notices(mongo, queued_notice("n1", age_minutes=1), queued_notice("n2", title="Acme results"))
    add_users(
        mongo,
        {"_id": "u1", "chat_id": 701, "is_active": True},
        {"_id": "u2", "chat_id": 702, "is_active": True},
    )
    telegram_standin.blocked_chats.update(
        {CHANNEL_CHAT, "702"}
    )  # bot removed from the channel; 702 blocked it

    run = run_delivery(mongo, telegram_resource, WebPushResource())

    assert not run.success and f"configured chat {CHANNEL_CHAT}" in run.failure
    assert telegram_resource.bot_token not in run.failure
    channel_entries = list(mongo.collection(DELIVERIES).find({"recipient": CHANNEL_CHAT}))
    assert {entry["state"] for entry in channel_entries} == {"retry"}
    assert telegram_standin.responses[403] == 2  # the channel once, the blocking subscriber once
    assert mongo.collection(USERS).find_one({"_id": "u2"})["is_active"] is False  # subscribers do go
    assert mongo.collection(NOTICES).count_documents({"pending": True, "delivery.telegram": "pending"}) == 2

    telegram_standin.blocked_chats.discard(CHANNEL_CHAT)  # an admin adds the bot back
    recovered = run_delivery(mongo, telegram_resource, WebPushResource())

    assert recovered.success
    assert [m.text.split("\n")[0] for m in telegram_standin.messages_for(CHANNEL_CHAT)] == [
        "Shortlist: Acme Corp — Software Engineer",
        "Acme results",
    ]
    assert len(telegram_standin.messages_for("701")) == 2
    assert telegram_standin.messages_for("702") == []
    assert mongo.collection(NOTICES).count_documents({"pending": True}) == 0
