"""Web Push specifics: several push services, oversized bodies, 429s."""

from __future__ import annotations

import time

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import MAX_PAYLOAD_BYTES, encode_payload, topic_for
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import NOTICES
from jiit_assets_tests.fixtures.notify import add_subscriptions, queued_notice, store_notices
from jiit_assets_tests.standins.push import start_push_standin


def run(mongo, web_push_resource):
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": TelegramResource(), "web_push": web_push_resource},
    )
    assert result.success
    return result.asset_materializations_for_node("deliveries")[0].metadata


def test_each_push_service_gets_claims_for_its_own_origin(mongo, push_standin, web_push_resource, vapid_keys):
    second_service = start_push_standin()
    try:
        first = add_subscriptions(mongo, push_standin, 2, vapid_keys.public)
        second = add_subscriptions(mongo, second_service, 2, vapid_keys.public)
        store_notices(mongo, queued_notice("n1"))
        both = f"{push_standin.url},{second_service.url}"
        run(mongo, WebPushResource(**{**web_push_resource.model_dump(), "extra_push_origins": both}))
        # Each stand-in verifies `aud` against its own origin: a claims dict shared between pushes
        # (pywebpush writes `aud` into it) would fail on the second service.
        for service, subscriptions in ((push_standin, first), (second_service, second)):
            for subscription in subscriptions:
                [push] = service.received_for(subscription["endpoint"])
                assert push.claims["aud"] == service.url
                assert push.claims["exp"] <= time.time() + 24 * 3600
        assert second_service.responses[201] == 2
    finally:
        second_service.stop()


def test_oversized_body_is_shortened_to_one_record(mongo, push_standin, web_push_resource, vapid_keys):
    subscription = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)[0]
    notice = queued_notice("n1", text="Shortlisted: " + "Ananya Sharma (9921103001), " * 400)
    document = notice.to_document()
    document["push"]["body"] = notice.content.text  # what a careless renderer might produce
    mongo.collection(NOTICES).insert_one(document)
    assert len(encode_payload(document["push"]).encode()) <= MAX_PAYLOAD_BYTES
    run(mongo, web_push_resource)
    [push] = push_standin.received_for(subscription["endpoint"])
    assert push.payload["notice_id"] == "superset:n1" and push.payload["url"] == notice.content.url
    assert push.payload["body"].endswith("…") and notice.content.text.startswith(push.payload["body"][:-1])


def test_rate_limited_and_failing_push_services_are_retried(
    mongo, push_standin, web_push_resource, vapid_keys
):
    push_standin.retry_after_seconds = 0
    subscription = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)[0]
    store_notices(mongo, queued_notice("n1"))
    push_standin.fail_next(1, 429)
    push_standin.fail_next(1, 503)
    metadata = run(mongo, web_push_resource)
    pushes = push_standin.received_for(subscription["endpoint"])
    assert len(pushes) == 1 and pushes[0].topic == topic_for("superset:n1")
    assert metadata["rate_limited_429s_absorbed"].value == 1
    assert mongo.collection(NOTICES).find_one()["delivery"]["web_push"] == "sent"
