"""The Telegram stand-in's incoming side behaves like the Bot API where a poller can tell."""

from __future__ import annotations

import threading

import httpx
import pytest

from jiit_assets_tests.standins.telegram import DEFAULT_TOKEN

ASHA = {"id": 424242, "first_name": "Asha", "username": "asha"}


@pytest.fixture
def api(telegram_standin):
    return f"{telegram_standin.url}/bot{DEFAULT_TOKEN}"


def incoming(standin, body):
    return httpx.post(f"{standin.url}/standin/incoming", json=body)


def test_injected_messages_look_like_telegram_updates(telegram_standin, api):
    answer = incoming(telegram_standin, {"chat_id": 424242, "text": "/start", "from": ASHA})
    assert answer.status_code == 200 and answer.json()["ok"] is True
    incoming(
        telegram_standin,
        {"chat_id": -100777, "text": "/stats@jiit_bot", "from": ASHA, "chat_type": "supergroup"},
    )
    [private, group] = httpx.post(f"{api}/getUpdates", json={}).json()["result"]
    assert (
        private["update_id"] == answer.json()["update_id"] and group["update_id"] == private["update_id"] + 1
    )
    assert private["message"]["chat"] == {
        "id": 424242,
        "type": "private",
        "first_name": "Asha",
        "username": "asha",
    }
    assert private["message"]["from"]["is_bot"] is False
    assert private["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert group["message"]["chat"]["type"] == "supergroup" and "title" in group["message"]["chat"]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"chat_id": "abc", "text": "/start", "from": ASHA},
        {"chat_id": 1, "text": "", "from": ASHA},
        {"chat_id": 1, "text": "x" * 4097, "from": ASHA},
        {"chat_id": 1, "text": "/start"},
        {"chat_id": 1, "text": "/start", "from": {"id": 1}},
        {"chat_id": 1, "text": "/start", "from": ASHA, "chat_type": "channel"},
    ],
)
def test_malformed_injections_are_refused(telegram_standin, body):
    answer = incoming(telegram_standin, body)
    assert answer.status_code == 400 and answer.json()["ok"] is False and answer.json()["error"]
    assert telegram_standin.updates.pending == 0


def test_offsets_acknowledge_and_limit_pages(telegram_standin, api):
    ids = [
        incoming(telegram_standin, {"chat_id": 5, "text": f"m{i}", "from": ASHA}).json()["update_id"]
        for i in range(3)
    ]
    assert [
        u["update_id"] for u in httpx.post(f"{api}/getUpdates", json={"limit": 2}).json()["result"]
    ] == ids[:2]
    # Without a new offset nothing is acknowledged.
    assert len(httpx.post(f"{api}/getUpdates", json={}).json()["result"]) == 3
    assert [
        u["update_id"] for u in httpx.post(f"{api}/getUpdates", json={"offset": ids[1]}).json()["result"]
    ] == ids[1:]
    assert httpx.post(f"{api}/getUpdates", json={"offset": ids[2] + 1}).json()["result"] == []
    assert telegram_standin.updates.pending == 0


def test_a_long_poll_returns_when_a_message_arrives(telegram_standin, api):
    timer = threading.Timer(0.3, incoming, (telegram_standin, {"chat_id": 5, "text": "/help", "from": ASHA}))
    timer.start()
    answer = httpx.post(f"{api}/getUpdates", json={"timeout": 20}, timeout=30).json()
    timer.join()
    assert [u["message"]["text"] for u in answer["result"]] == ["/help"]


def test_a_webhook_makes_get_updates_conflict(telegram_standin, api):
    assert (
        httpx.post(f"{api}/setWebhook", json={"url": "http://insecure.example/hook"}).json()["error_code"]
        == 400
    )
    assert (
        httpx.post(f"{api}/setWebhook", json={"url": "https://bot.example.org/hook"}).json()["result"] is True
    )
    assert httpx.post(f"{api}/getWebhookInfo").json()["result"]["url"] == "https://bot.example.org/hook"
    conflict = httpx.post(f"{api}/getUpdates", json={})
    assert conflict.status_code == 409 and conflict.json()["description"].startswith(
        "Conflict: can't use getUpdates"
    )
    assert httpx.post(f"{api}/deleteWebhook").json()["description"] == "Webhook was deleted"
    assert httpx.post(f"{api}/getUpdates", json={}).json()["ok"] is True


def test_a_second_poller_ends_the_first_with_409(telegram_standin, api):
    answers = {}

    def first():
        answers["first"] = httpx.post(f"{api}/getUpdates", json={"timeout": 10}, timeout=20)

    thread = threading.Thread(target=first)
    thread.start()
    while not telegram_standin.requests["getUpdates"]:
        threading.Event().wait(0.05)
    threading.Event().wait(0.2)
    second = httpx.post(f"{api}/getUpdates", json={}).json()
    thread.join()
    assert second == {"ok": True, "result": []}
    assert answers["first"].status_code == 409
    assert "terminated by other getUpdates request" in answers["first"].json()["description"]
