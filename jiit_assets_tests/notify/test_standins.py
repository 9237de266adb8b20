"""The stand-ins reject what the real services reject, so tests against them mean something."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from jiit_assets.defs.delivery.webpush_resource import load_private_key
from jiit_assets_tests.standins.telegram import DEFAULT_TOKEN, EntityError, parse_telegram_html


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<b>Acme</b> &amp; <i>Co</i>", "Acme & Co"),
        ('<a href="https://jiit.ac.in">site</a> &lt;3 &#8377;12 LPA', "site <3 ₹12 LPA"),
        ('<span class="tg-spoiler">x</span><pre><code class="language-py">y</code></pre>', "xy"),
    ],
)
def test_telegram_html_is_parsed_like_telegram(markup, text):
    assert parse_telegram_html(markup) == text


@pytest.mark.parametrize(
    "markup",
    [
        "<script>x</script>",
        "<b>unclosed",
        "<b><i>x</b></i>",
        "CGPA < 7",
        "AT&T",
        "a > b",
        "</b>",
        "<span>x</span>",
    ],
)
def test_telegram_html_rejects_what_telegram_rejects(markup):
    with pytest.raises(EntityError):
        parse_telegram_html(markup)


def test_telegram_standin_envelope_limits_and_blocks(telegram_standin):
    api = f"{telegram_standin.url}/bot{DEFAULT_TOKEN}"
    telegram_standin.strict_rate_limits = True
    telegram_standin.blocked_chats.add("77")
    with httpx.Client() as client:
        assert client.post(f"{telegram_standin.url}/bot1:wrong/getMe").json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        assert client.post(f"{api}/getMe").json()["result"]["is_bot"] is True
        ok = client.post(f"{api}/sendMessage", json={"chat_id": 5, "text": "<b>hi</b>", "parse_mode": "HTML"})
        assert ok.json()["ok"] is True and ok.json()["result"]["text"] == "hi"
        flood = client.post(f"{api}/sendMessage", json={"chat_id": 5, "text": "again"})
        assert flood.status_code == 429
        assert flood.json()["parameters"]["retry_after"] >= 1
        assert flood.json()["description"].startswith("Too Many Requests: retry after")
        blocked = client.post(f"{api}/sendMessage", data={"chat_id": "77", "text": "x"})
        assert blocked.status_code == 403 and "blocked by the user" in blocked.json()["description"]
        too_long = client.post(f"{api}/sendMessage", json={"chat_id": 6, "text": "𝐀" * 2049})  # 4098 UTF-16
        assert too_long.json()["description"] == "Bad Request: message is too long"
        bad = client.post(f"{api}/sendMessage", json={"chat_id": 8, "text": "<u>x", "parse_mode": "HTML"})
        assert bad.json()["description"].startswith("Bad Request: can't parse entities:")
        page = client.get(telegram_standin.url + "/")
        assert "hi" in page.text
    assert [m.text for m in telegram_standin.messages] == ["hi"]


@pytest.fixture
def vapid_key(vapid_keys):
    return Vapid02(load_private_key(vapid_keys.private))


def push(subscription, key, claims=None, **options):
    claims = claims or {"sub": "mailto:placement.cell@jiit.ac.in"}
    return webpush(subscription, data=json.dumps({"title": "x"}), vapid_private_key=key, vapid_claims=claims,
                   timeout=5, **{"ttl": 60, **options})  # fmt: skip


def test_push_standin_decrypts_payloads_signed_by_the_subscribed_key(push_standin, vapid_key, vapid_keys):
    subscription = push_standin.new_subscription(application_server_key=vapid_keys.public)
    assert push(subscription, vapid_key).status_code == 201
    [received] = push_standin.received_for(subscription["endpoint"])
    assert received.payload == {"title": "x"} and received.ttl == 60

    other = Vapid02(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(WebPushException, match="403"):
        push(subscription, other)  # not the applicationServerKey the browser subscribed with


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        ({"sub": "mailto:placement.cell@jiit.ac.in", "aud": "https://fcm.googleapis.com"}, 401),
        ({"sub": "mailto:placement.cell@jiit.ac.in", "exp": int(time.time()) + 3 * 86400}, 401),
        (
            {"sub": "mailto:placement.cell@jiit.ac.in", "exp": int(time.time()) - 10},
            201,
        ),  # pywebpush renews it
    ],
)
def test_push_standin_checks_vapid_claims(push_standin, vapid_key, claims, status):
    subscription = push_standin.new_subscription()
    if status == 201:
        assert push(subscription, vapid_key, dict(claims)).status_code == 201
    else:
        with pytest.raises(WebPushException, match=str(status)):
            push(subscription, vapid_key, dict(claims))


def test_push_standin_requires_aes128gcm_and_ttl_and_answers_gone(push_standin, vapid_key):
    subscription = push_standin.new_subscription()
    with pytest.raises(WebPushException, match="415"):
        push(subscription, vapid_key, content_encoding="aesgcm")
    push_standin.expire(subscription["endpoint"], 410)
    with pytest.raises(WebPushException, match="410"):
        push(subscription, vapid_key)
