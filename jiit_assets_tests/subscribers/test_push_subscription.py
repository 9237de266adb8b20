"""validate_subscription: what may be stored and pushed to, and the clear reason when not."""

from __future__ import annotations

import base64

import pytest

from jiit_assets.defs.delivery.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS, key_refusal
from jiit_assets.defs.delivery.webpush_fanout import subscription_id as delivery_subscription_id
from jiit_assets.defs.subscribers.push_subscription import (
    EndpointPolicy,
    SubscriptionError,
    endpoint_policy_from_env,
    subscription_id,
    validate_subscription,
)
from jiit_assets_tests.subscribers.support import b64, browser_subscription, off_curve_point

POLICY = EndpointPolicy()


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("fcm.googleapis.com", "/fcm/send/"),
        ("updates.push.services.mozilla.com", "/wpush/v2/"),
        ("db5p.notify.windows.com", "/w/?token="),
        ("web.push.apple.com", "/QG"),
    ],
)
def test_subscriptions_of_the_browsers_push_services_pass(host, path):
    data = browser_subscription(host, path)
    valid = validate_subscription(data, POLICY)
    assert valid.endpoint == data["endpoint"]
    assert valid.keys() == data["keys"]
    assert valid.id == subscription_id(data["endpoint"])
    # What is stored is what the sender will use: its own checks agree.
    assert POLICY.refusal(valid.endpoint) is None and key_refusal(valid.p256dh, valid.auth) is None


def test_the_stored_id_is_the_one_the_delivery_ledger_uses():
    endpoint = browser_subscription()["endpoint"]
    assert subscription_id(endpoint) == delivery_subscription_id(endpoint)


def test_keys_in_padded_or_standard_base64_are_stored_as_base64url():
    data = browser_subscription()
    raw = base64.urlsafe_b64decode(data["keys"]["p256dh"] + "=")
    data["keys"]["p256dh"] = base64.b64encode(raw).decode()  # '+', '/' and '=' padding
    valid = validate_subscription(data, POLICY)
    assert valid.p256dh == b64(raw)


def _with(**changes):
    data = browser_subscription()
    for name, value in changes.items():
        if name in ("p256dh", "auth"):
            data["keys"] = {**data["keys"], name: value}
        else:
            data[name] = value
    return data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("not an object", "a JSON object with endpoint and keys"),
        (_with(endpoint=""), "endpoint: a push service URL"),
        (_with(endpoint=12), "endpoint: a push service URL"),
        (_with(endpoint="http://fcm.googleapis.com/fcm/send/x"), "must be an https URL"),
        (_with(endpoint="ftp://fcm.googleapis.com/x"), "must be an https URL"),
        (_with(endpoint="https://127.0.0.1/push/x"), "addresses and local host names"),
        (_with(endpoint="https://[::1]/push/x"), "addresses and local host names"),
        (_with(endpoint="https://10.0.0.7/push/x"), "addresses and local host names"),
        (_with(endpoint="https://169.254.169.254/latest"), "addresses and local host names"),
        (_with(endpoint="https://2130706433/x"), "addresses and local host names"),
        (_with(endpoint="https://localhost/x"), "addresses and local host names"),
        (_with(endpoint="https://push.corp.internal/x"), "addresses and local host names"),
        (_with(endpoint="https://fcm.googleapis.com:99999/fcm/send/x"), "port is not a number"),
        (_with(endpoint="https://fcm.googleapis.com:0/fcm/send/x"), "port is not a number"),
        (_with(endpoint="https://fcm.googleapis.com:8443/fcm/send/x"), "default https port"),
        (_with(endpoint="https://user:pw@fcm.googleapis.com/x"), "user names or passwords"),
        (_with(endpoint="https://fcm.googleapis.com.evil.example/x"), "not a known push service"),
        (_with(endpoint="https://evilnotify.windows.com/x"), "not a known push service"),
        (_with(endpoint="https://fcm.googleapis.com/x y"), "spaces or control characters"),
        (_with(endpoint="https://fcm.googleapis.com/" + "a" * 2100), "longer than 2048"),
        (_with(keys=None), "keys: an object"),
        (_with(keys={"p256dh": "x", "auth": "y", "extra": 1}), "unknown field 'extra'"),
        (_with(p256dh="not base64 at all!"), "keys.p256dh: not base64url"),
        (_with(p256dh=None), "keys.p256dh: required"),
        (_with(p256dh=b64(b"\x04" + b"\x00" * 40)), "uncompressed P-256 public key (65 bytes)"),
        (_with(p256dh=b64(b"\x02" + b"\x11" * 64)), "uncompressed P-256 public key (65 bytes)"),
        (_with(p256dh=off_curve_point()), "not a point on the P-256 curve"),
        (_with(auth=b64(b"\x00" * 15)), "keys.auth: must be 16 bytes (got 15)"),
        (_with(auth=b64(b"\x00" * 32)), "keys.auth: must be 16 bytes (got 32)"),
        (_with(auth="a"), "keys.auth: not base64url"),
    ],
)
def test_hostile_subscriptions_are_refused_with_the_reason(data, reason):
    with pytest.raises(SubscriptionError) as raised:
        validate_subscription(data, POLICY)
    assert reason in str(raised.value)
    if isinstance(data, dict) and isinstance(data.get("endpoint"), str) and len(data["endpoint"]) > 30:
        # the endpoint is a capability URL: never repeated in an error
        assert data["endpoint"] not in str(raised.value)


def test_policy_from_the_environment():
    default = endpoint_policy_from_env({})
    assert default.hosts == DEFAULT_PUSH_SERVICE_HOSTS and default.origins == ()
    policy = endpoint_policy_from_env(
        {"WEB_PUSH_ALLOWED_HOSTS": "push.example.in, *.push.example.in", "WEB_PUSH_EXTRA_ORIGINS": ""}
    )
    assert validate_subscription(browser_subscription("a.push.example.in", "/"), policy)
    with pytest.raises(SubscriptionError, match="not a known push service"):
        validate_subscription(browser_subscription(), policy)  # the list replaces the defaults
    with pytest.raises(SubscriptionError, match="WEB_PUSH_ALLOWED_HOSTS"):
        endpoint_policy_from_env({"WEB_PUSH_ALLOWED_HOSTS": "https://fcm.googleapis.com/"})
    with pytest.raises(SubscriptionError, match="WEB_PUSH_EXTRA_ORIGINS"):
        endpoint_policy_from_env({"WEB_PUSH_EXTRA_ORIGINS": "127.0.0.1"})


def test_a_local_stand_in_passes_only_where_its_exact_origin_is_configured(push_standin):
    minted = push_standin.new_subscription()
    with pytest.raises(SubscriptionError, match="must be an https URL"):
        validate_subscription(minted, POLICY)
    policy = endpoint_policy_from_env({"WEB_PUSH_EXTRA_ORIGINS": push_standin.url})
    assert validate_subscription(minted, policy).endpoint == minted["endpoint"]
    other_port = minted["endpoint"].replace(f":{push_standin.url.rsplit(':', 1)[1]}/", ":1/")
    with pytest.raises(SubscriptionError, match="must be an https URL"):
        validate_subscription({**minted, "endpoint": other_port}, policy)
