"""Hostile or broken push subscriptions: each affects only its own recipient, and no URL or body leaks."""

from __future__ import annotations

import base64

from jiit_assets.defs.delivery.push_endpoints import EndpointPolicy, key_refusal
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import DELIVERIES, NOTICES, PUSH_SUBSCRIPTIONS
from jiit_assets_tests.fixtures.notify import add_subscriptions, queued_notice, store_notices
from jiit_assets_tests.notify.faults.common import run_delivery

CAPABILITY = "s3cret-capability-token"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def broken_subscriptions(push_url: str, good_keys: dict[str, str]) -> list[dict[str, object]]:
    """Stored as a careless subscription API would store them (no validation)."""
    return [
        {"_id": "bad-b64", "endpoint": f"{push_url}/push/{CAPABILITY}-1", "keys": {**good_keys, "p256dh": "%%%not*base64!!"}},
        {"_id": "off-curve", "endpoint": f"{push_url}/push/{CAPABILITY}-2", "keys": {**good_keys, "p256dh": b64(b"\x04" + b"\x01" * 64)}},
        {"_id": "bad-port", "endpoint": f"http://127.0.0.1:99999/push/{CAPABILITY}-3", "keys": good_keys},
        {"_id": "short-auth", "endpoint": f"{push_url}/push/{CAPABILITY}-4", "keys": {**good_keys, "auth": b64(b"x" * 5)}},
    ]  # fmt: skip


def test_malformed_subscriptions_fail_alone_with_scrubbed_reasons(
    mongo, push_standin, web_push_resource, vapid_keys
):
    good = add_subscriptions(mongo, push_standin, 3, vapid_keys.public)
    mongo.collection(PUSH_SUBSCRIPTIONS).insert_many(broken_subscriptions(push_standin.url, good[0]["keys"]))
    store_notices(mongo, queued_notice("n1"))
    # The stand-in and the 99999 port are allowed explicitly, so the keys and the URL are what fails.
    resource = WebPushResource(
        **{
            **web_push_resource.model_dump(),
            "extra_push_origins": f"{push_standin.url},http://127.0.0.1:99999",
        }
    )

    run = run_delivery(mongo, TelegramResource(), resource)

    assert run.success
    for subscription in good:
        assert len(push_standin.received_for(subscription["endpoint"])) == 1
    entries = {e["recipient"]: e for e in mongo.collection(DELIVERIES).find()}
    for broken in ("bad-b64", "off-curve", "bad-port", "short-auth"):
        assert entries[broken]["state"] == "failed", broken
        assert CAPABILITY not in entries[broken]["reason"] and "://" not in entries[broken]["reason"]
    assert "base64url" in entries["bad-b64"]["reason"] and "curve" in entries["off-curve"]["reason"]
    assert CAPABILITY not in run.metadata["errors"]
    assert {e["state"] for r, e in entries.items() if not r.startswith(("bad", "off", "short"))} == {"sent"}
    assert mongo.collection(NOTICES).find_one()["pending"] is False  # settled; no endless re-runs

    again = run_delivery(mongo, TelegramResource(), resource)
    assert again.success and again.metadata["notices"] == 0


def test_endpoints_off_the_allow_list_are_never_fetched(mongo, push_standin, web_push_resource, vapid_keys):
    [subscription] = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    before = sum(push_standin.responses.values())
    strict = WebPushResource(**{**web_push_resource.model_dump(), "extra_push_origins": ""})

    run = run_delivery(mongo, TelegramResource(), strict)

    assert run.success and run.metadata["failed"] == 1
    assert sum(push_standin.responses.values()) == before  # no request reached the loopback service
    entry = mongo.collection(DELIVERIES).find_one()
    assert entry["state"] == "failed" and entry["reason"] == "subscription endpoint is not https"
    assert push_standin.received_for(subscription["endpoint"]) == []


def test_the_allow_list_accepts_only_https_push_services_and_explicit_origins():
    policy = EndpointPolicy(origins=("http://127.0.0.1:8104",))
    assert policy.refusal("https://fcm.googleapis.com/fcm/send/abc") is None
    assert policy.refusal("https://web.push.apple.com/QG9k") is None
    assert policy.refusal("http://127.0.0.1:8104/push/x") is None
    refused = {
        "http://fcm.googleapis.com/fcm/send/abc": "not https",
        "https://127.0.0.1/push/x": "allowed push service",
        "https://10.0.0.7/push/x": "allowed push service",
        "https://fcm.googleapis.com.evil.example/x": "allowed push service",
        "https://fcm.googleapis.com:8443/x": "allowed push service",
        "http://127.0.0.1:8105/push/x": "not https",
        "https://fcm.googleapis.com:99999/x": "not a valid URL",
        "file:///etc/passwd": "no host",
    }
    for endpoint, reason in refused.items():
        assert reason in (policy.refusal(endpoint) or ""), endpoint


def test_key_checks_name_the_problem_without_quoting_the_key():
    point = b64(b"\x04" + b"\x01" * 64)
    assert key_refusal(point, b64(b"a" * 16)) == "subscription key p256dh is not a point on the P-256 curve"
    assert key_refusal("***", b64(b"a" * 16)) == "subscription key p256dh is not base64url"


def test_push_answers_keep_the_status_never_the_body(mongo, push_standin, web_push_resource, vapid_keys):
    add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    store_notices(mongo, queued_notice("n1"))
    push_standin.error_body = b'{"error": "payload rejected for token ' + CAPABILITY.encode() + b'"}'
    push_standin.fail_next(1, 400)

    run = run_delivery(mongo, TelegramResource(), web_push_resource)

    entry = mongo.collection(DELIVERIES).find_one()
    assert entry["reason"] == "push service answered 400 (Bad Request)"
    assert CAPABILITY not in run.metadata["errors"]
