"""Outages of a channel, then recovery: delivery is delayed, never cancelled, and nothing arrives twice.

The stand-ins fail for an hour of a settable clock; the sensor's back-off schedule (1, 2, 4 … min
after each run) decides when the runs happen, and each run sees the notice that much older.
"""

from __future__ import annotations

from collections import Counter

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import DELIVERIES, NOTICES
from jiit_assets_tests.fixtures.notify import (
    CHANNEL_CHAT,
    add_subscriptions,
    add_users,
    queued_notice,
    store_notices,
)
from jiit_assets_tests.notify.faults.common import SettableClock, queued_minutes_ago, run_delivery

# Minutes after the notice was queued at which the sensor's back-off launches runs.
RUN_TIMES = [0, 1, 3, 7, 15, 31, 63]
OUTAGE_SECONDS = 3600


def quick(resource: TelegramResource | WebPushResource) -> TelegramResource | WebPushResource:
    """One attempt per run, so the test spends no real time in back-off sleeps."""
    extra = {"start_attempts": 1} if isinstance(resource, TelegramResource) else {}
    return type(resource)(**{**resource.model_dump(), "max_attempts": 1, **extra})


def test_an_hour_long_telegram_outage_delays_delivery_and_then_delivers_each_message_once(
    mongo, telegram_standin, telegram_resource
):
    store_notices(mongo, queued_notice("n1", age_minutes=1), queued_notice("n2", title="Acme results"))
    add_users(mongo, *({"_id": f"u{i}", "chat_id": 900 + i, "is_active": True} for i in range(3)))
    clock = SettableClock()
    telegram_standin.outage.clock = clock
    telegram_standin.fail_for(OUTAGE_SECONDS, 502, methods=("sendMessage",))
    resource = quick(telegram_resource)

    previous = 0
    for minute in RUN_TIMES:
        clock.advance((minute - previous) * 60)
        previous = minute
        queued_minutes_ago(mongo, minute)
        run = run_delivery(mongo, resource, WebPushResource())
        outage = minute * 60 < OUTAGE_SECONDS
        pending = mongo.collection(NOTICES).count_documents({"pending": True})
        assert pending == (2 if outage else 0), f"minute {minute}"
        assert run.success
        assert mongo.collection(DELIVERIES).count_documents({"state": "failed"}) == 0

    sent = Counter((m.chat_id, m.text.split("\n")[0]) for m in telegram_standin.messages)
    assert set(sent.values()) == {1}
    assert {chat for chat, _ in sent} == {CHANNEL_CHAT, "900", "901", "902"} and len(sent) == 8
    assert telegram_standin.responses[502] > 0


def test_an_hour_long_push_service_outage_delays_delivery_and_then_delivers_each_push_once(
    mongo, push_standin, web_push_resource, vapid_keys
):
    subscriptions = add_subscriptions(mongo, push_standin, 4, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    clock = SettableClock()
    push_standin.outage.clock = clock
    push_standin.fail_for(OUTAGE_SECONDS, 503)
    resource = quick(web_push_resource)

    previous = 0
    for minute in RUN_TIMES:
        clock.advance((minute - previous) * 60)
        previous = minute
        queued_minutes_ago(mongo, minute)
        run = run_delivery(mongo, TelegramResource(), resource)
        assert run.success
        delivered = minute * 60 >= OUTAGE_SECONDS
        notice = mongo.collection(NOTICES).find_one()
        assert notice["delivery"]["web_push"] == ("sent" if delivered else "pending"), f"minute {minute}"

    for subscription in subscriptions:
        assert len(push_standin.received_for(subscription["endpoint"])) == 1


def test_an_outage_longer_than_the_give_up_window_fails_visibly(
    mongo, push_standin, web_push_resource, vapid_keys
):
    add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    push_standin.fail_for(OUTAGE_SECONDS, 503)  # the real clock: still failing during the test
    queued_minutes_ago(mongo, 25 * 60)

    run = run_delivery(mongo, TelegramResource(), quick(web_push_resource))

    assert run.success and run.metadata["failed"] == 1
    entry = mongo.collection(DELIVERIES).find_one()
    assert entry["state"] == "failed" and "gave up" in entry["reason"] and "503" in entry["reason"]
    assert mongo.collection(NOTICES).find_one()["delivery"]["web_push"] == "failed"
