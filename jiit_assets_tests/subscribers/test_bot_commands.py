"""telegram_commands_sensor against the Telegram stand-in and FerretDB: every command, exactly once."""

from __future__ import annotations

import json

import dagster as dg
import httpx
import pytest

from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.sensors import CommandsCursor, telegram_commands_sensor
from jiit_assets.lib.schema import PLACEMENT_STATS, USERS
from jiit_assets_tests.standins.telegram import TelegramStandin

ASHA = {"id": 424242, "first_name": "Asha", "username": "asha"}
BOT = "jiit_placement_standin_bot"  # the stand-in's getMe username


def say(standin: TelegramStandin, text: str, chat_id: int = 424242, sender=None, **extra) -> int:
    update = standin.inject({"chat_id": chat_id, "text": text, "from": sender or ASHA, **extra})
    return int(update["update_id"])


def tick(mongo, telegram_resource, cursor=None):
    with dg.build_sensor_context(
        resources={"mongo": mongo, "telegram": telegram_resource}, cursor=cursor
    ) as context:
        result = telegram_commands_sensor(context)
        return result, context.cursor


def replies(standin: TelegramStandin, chat_id: int = 424242) -> list[str]:
    return [message.text for message in standin.messages_for(chat_id)]


def user(mongo, chat_id: int = 424242):
    return mongo.collection(USERS).find_one({"_id": str(chat_id)})


def test_start_subscribes_with_the_older_bots_fields(mongo, telegram_standin, telegram_resource):
    update_id = say(telegram_standin, "/start")
    result, cursor = tick(mongo, telegram_resource)
    document = user(mongo)
    assert document["is_active"] is True
    assert {key: document[key] for key in ("chat_id", "user_id", "username", "first_name", "last_name")} == {
        "chat_id": 424242, "user_id": 424242, "username": "asha", "first_name": "Asha", "last_name": None,
    }  # fmt: skip
    assert document["created_at"] and document["updated_at"]
    [reply] = replies(telegram_standin)
    assert reply.startswith("Hello Asha! 👋 You are subscribed")
    assert json.loads(cursor)["offset"] == update_id + 1
    assert "commands /start ×1; 1 subscribers added, 0 removed" in result.skip_message
    assert "1 subscribers added" in json.loads(cursor)["last_tick"]

    say(telegram_standin, "/start")
    tick(mongo, telegram_resource, cursor)
    assert replies(telegram_standin)[-1].startswith("Hi Asha! You are already subscribed")
    assert mongo.collection(USERS).count_documents({}) == 1


def test_stop_status_and_start_again(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/status")
    say(telegram_standin, "/start")
    say(telegram_standin, "/stop")
    say(telegram_standin, "/status")
    say(telegram_standin, "/stop")
    result, cursor = tick(mongo, telegram_resource)
    texts = replies(telegram_standin)
    assert texts[0].startswith("❌ You are not subscribed. Send /start")
    assert texts[2].startswith("You are unsubscribed")
    assert texts[3].startswith("❌ You are not subscribed (you stopped")
    assert texts[4] == "You are not subscribed. Send /start to subscribe."
    assert user(mongo)["is_active"] is False
    assert "1 subscribers added, 1 removed" in result.skip_message

    say(telegram_standin, "/start")
    say(telegram_standin, "/status")
    tick(mongo, telegram_resource, cursor)
    assert replies(telegram_standin)[-2].startswith("Welcome back, Asha!")
    assert replies(telegram_standin)[-1].startswith("✅ You are subscribed since")
    assert user(mongo)["is_active"] is True


def test_profile_set_show_clear_and_bad_values(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/profile branch=CSE")  # before /start
    say(telegram_standin, "/start")
    say(
        telegram_standin,
        "/profile branch=B.Tech CSE batch=2027 enrollment=221-030-45 mute=Acme Corp, Globex min_ctc=6.5",
    )
    say(telegram_standin, "/profile")
    say(telegram_standin, "/profile batch=1999")
    say(telegram_standin, "/profile categories=jobs")
    say(telegram_standin, "/profile min_ctc=lots")
    say(telegram_standin, "/profile digest=weekly")
    say(telegram_standin, "/profile CSE 2027")
    _, cursor = tick(mongo, telegram_resource)
    texts = replies(telegram_standin)
    assert texts[0] == "You are not subscribed yet: send /start first."
    assert texts[2].startswith("✅ Profile saved.") and "Batch: 2027" in texts[2]
    assert "Muted companies: acme, globex" in texts[3] and "Minimum CTC: 6.5 LPA" in texts[3]
    assert (
        texts[4].startswith("❌ batch: 1999 is not a graduation year") and "Nothing was changed" in texts[4]
    )
    assert texts[5].startswith("❌ categories: unknown jobs; choose from")
    assert texts[6].startswith("❌ min_ctc: give a number of lakhs per annum")
    assert texts[7].startswith("❌ digest: choose instant, daily or both.")
    assert texts[8].startswith("❌ write settings as key=value")
    profile = Profile.from_document(user(mongo)["profile"])
    assert profile == Profile(
        branch="B.Tech CSE", batch=2027, enrollment="22103045", min_ctc_lpa=6.5,
        muted_companies=frozenset({"acme", "globex"}),
    )  # fmt: skip

    say(telegram_standin, "/profile clear")
    tick(mongo, telegram_resource, cursor)
    assert Profile.from_document(user(mongo)["profile"]) == Profile()


def test_stats_help_and_other_text(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/stats")
    tick(mongo, telegram_resource)
    assert replies(telegram_standin)[0].startswith("No placement statistics yet")
    mongo.collection(PLACEMENT_STATS).insert_one(
        {
            "_id": "latest",
            "overall": {"students_placed": 412, "total_eligible_students": 1153, "placement_percentage": 35.73,
                        "total_offers": 450, "companies": 61, "average_package": 9.87,
                        "median_package": 7.5, "highest_package": 48.0},
            "branches": [{"branch": "CSE", "students_placed": 300, "total_students": 612,
                          "placement_percentage": 49.02, "average_package": 11.2,
                          "median_package": 8.0, "highest_package": 48.0}],
        }
    )  # fmt: skip
    say(telegram_standin, "/stats")
    say(telegram_standin, "/help")
    say(telegram_standin, "when is the Acme test? <b>")
    say(telegram_standin, "/frobnicate")
    tick(mongo, telegram_resource)
    stats, help_text, other, unknown = replies(telegram_standin)[1:]
    assert "Students placed: 412 of 1153 (35.73%)" in stats
    assert "Average ₹9.87 L · median ₹7.50 L · highest ₹48.00 L" in stats
    assert "• CSE: 300/612 (49.02%) · avg ₹11.20 L" in stats
    assert help_text.startswith("JIIT placement alerts\n/start – subscribe")
    assert other == help_text and unknown == help_text
    assert mongo.collection(USERS).count_documents({}) == 0


def test_names_are_html_escaped(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/start", sender={"id": 424242, "first_name": "<b>Asha & co</b>"})
    tick(mongo, telegram_resource)
    [message] = telegram_standin.messages_for(424242)
    assert message.text.startswith("Hello <b>Asha & co</b>! 👋")  # shown literally, not as markup
    assert message.parse_mode == "HTML"


def test_groups_answer_only_commands_addressed_to_the_bot(mongo, telegram_standin, telegram_resource):
    group = -100555
    for text in ("/start", "hello everyone", "/start@other_bot", f"/start@{BOT}", f"/status@{BOT.upper()}"):
        say(telegram_standin, text, chat_id=group, chat_type="supergroup")
    result, _ = tick(mongo, telegram_resource)
    texts = replies(telegram_standin, group)
    assert len(texts) == 2
    assert texts[0].startswith("Hello Asha!") and texts[1].startswith("✅ You are subscribed")
    assert user(mongo, group)["chat_type"] == "supergroup"
    assert "3 ignored updates" in result.skip_message


def test_a_repeated_update_changes_nothing(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/start")
    say(telegram_standin, "/stop")
    _, cursor = tick(mongo, telegram_resource)
    # The tick's cursor is lost (e.g. the daemon died before storing it): Telegram, never told the
    # offset, hands out the same updates again.
    again, _ = tick(mongo, telegram_resource, cursor=None)
    assert "2 repeated" in again.skip_message
    assert len(replies(telegram_standin)) == 2
    assert user(mongo)["is_active"] is False
    # With the stored cursor the updates are acknowledged and never seen again.
    tick(mongo, telegram_resource, cursor)
    final, _ = tick(mongo, telegram_resource, cursor=None)
    assert final.skip_message == "No new messages to the bot."


def test_a_blocked_bot_deactivates_the_subscriber(mongo, telegram_standin, telegram_resource):
    say(telegram_standin, "/start")
    _, cursor = tick(mongo, telegram_resource)
    telegram_standin.blocked_chats.add("424242")
    say(telegram_standin, "/status")
    result, cursor = tick(mongo, telegram_resource, cursor)
    document = user(mongo)
    assert document["is_active"] is False
    assert document["deactivated_reason"].startswith("blocked the bot")
    assert "0 subscribers added, 1 removed" in result.skip_message
    # The update is finished: the next tick does not try the reply again.
    assert tick(mongo, telegram_resource, cursor)[0].skip_message == "No new messages to the bot."


def test_an_unreachable_telegram_keeps_the_update_for_the_next_tick(
    mongo, telegram_standin, telegram_resource
):
    say(telegram_standin, "/start")
    telegram_standin.fail_next(telegram_resource.max_attempts, status=502)
    result, cursor = tick(mongo, telegram_resource)
    assert "must wait" in result.skip_message
    assert json.loads(cursor)["offset"] is None
    assert user(mongo)["is_active"] is True  # the effect is stored already
    tick(mongo, telegram_resource, cursor)
    assert len(replies(telegram_standin)) == 1  # replied once, not handled twice
    assert mongo.collection(USERS).count_documents({}) == 1


def test_a_webhook_is_a_clear_tick_error(mongo, telegram_standin, telegram_resource):
    api = f"{telegram_standin.url}/bot{telegram_resource.bot_token}"
    assert httpx.post(f"{api}/setWebhook", json={"url": "https://bot.example.org/hook/s3cret"}).json()["ok"]
    say(telegram_standin, "/start")
    with pytest.raises(Exception, match="409 Conflict") as raised:
        tick(mongo, telegram_resource, CommandsCursor(offset=5).dump())
    message = str(raised.value)
    assert "a webhook is set for this bot token (updates go to bot.example.org)" in message
    assert "s3cret" not in message and telegram_resource.bot_token not in message
    assert user(mongo) is None
    httpx.post(f"{api}/deleteWebhook")
    tick(mongo, telegram_resource)
    assert user(mongo)["is_active"] is True


def test_telegram_not_configured_reads_nothing(mongo):
    from jiit_assets.defs.delivery.telegram_resource import TelegramResource

    result, cursor = tick(mongo, TelegramResource())
    assert result.skip_message.startswith("Telegram is not configured")
    assert cursor is None


def test_sensor_is_running_by_default_and_registered():
    from jiit_assets.definitions import defs

    assert telegram_commands_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert (telegram_commands_sensor.minimum_interval_seconds or 30) <= 15
    assert telegram_commands_sensor in list(defs.sensors or [])
