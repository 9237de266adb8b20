"""The deliveries asset against the Telegram and push stand-ins and a real FerretDB."""

from __future__ import annotations

import html
import time
from typing import Any

import dagster as dg
import pytest

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import topic_for
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.lib.models import NoticeContent, NoticeType, QueuedNotice
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import OutboxEntry, enqueue
from jiit_assets.lib.schema import DELIVERIES, NOTICES, PUSH_SUBSCRIPTIONS, USERS
from jiit_assets_tests.fixtures.notify import (
    CHANNEL_CHAT,
    add_subscriptions,
    add_users,
    queued_notice,
    split_paragraphs,
    store_notices,
)


def deliver(mongo: MongoResource, telegram: TelegramResource, web_push: WebPushResource) -> dict[str, Any]:
    result = dg.materialize(
        [deliveries], resources={"mongo": mongo, "telegram": telegram, "web_push": web_push}
    )
    assert result.success
    materialization = result.asset_materializations_for_node("deliveries")[0]
    return {key: value.value for key, value in materialization.metadata.items()}


def test_new_notices_reach_every_recipient_once_per_channel(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    long_text = "\n".join(
        f"Round {i}: candidates report to LT-{i % 5} with their ID cards." for i in range(160)
    )
    short, long = (
        queued_notice("n1", age_minutes=5),
        queued_notice("n2", title="Acme schedule", text=long_text),
    )
    assert len(long.rendered.telegram_html) > 1
    store_notices(mongo, short, long)
    add_users(
        mongo,
        {"_id": "u1", "user_id": 501, "chat_id": 501, "is_active": True},
        {"_id": "u2", "user_id": 502, "is_active": True},
        {"_id": "u3", "user_id": 503, "chat_id": 503, "is_active": False},
    )
    subscriptions = add_subscriptions(mongo, push_standin, 2, vapid_keys.public)

    metadata = deliver(mongo, telegram_resource, web_push_resource)

    for chat in (CHANNEL_CHAT, "501", "502"):
        texts = [message.text for message in telegram_standin.messages_for(chat)]
        # Oldest notice first, then every chunk of the long one, in order.
        assert texts[0].startswith("Shortlist: Acme Corp")
        assert "\n".join(texts[1:]) == "Acme schedule\n\n" + long_text
    assert telegram_standin.messages_for("503") == []
    for subscription in subscriptions:
        pushes = push_standin.received_for(subscription["endpoint"])
        assert sorted(push.payload["notice_id"] for push in pushes) == ["superset:n1", "superset:n2"]
        assert all(push.ttl == 24 * 3600 and push.urgency == "normal" for push in pushes)
        assert {push.topic for push in pushes} == {topic_for("superset:n1"), topic_for("superset:n2")}
        assert pushes[0].payload["url"].startswith("https://")
    for notice in mongo.collection(NOTICES).find():
        assert notice["delivery"] == {"telegram": "sent", "web_push": "sent"}
        assert notice["pending"] is False and notice["sent_to_telegram"] is True
    assert mongo.collection(DELIVERIES).count_documents({}) == 2 * (3 + 2)
    assert metadata["sent"] == 4 and metadata["failed"] == 0
    assert "superset:n2" in metadata["results"]
    # Every entry is closed with what a re-run needs: all chunks confirmed, nothing in flight.
    chunks = {
        "superset:n1": len(short.rendered.telegram_html),
        "superset:n2": len(long.rendered.telegram_html),
    }
    for entry in mongo.collection(DELIVERIES).find():
        expected = chunks[entry["notice_id"]] if entry["channel"] == "telegram" else 1
        assert (entry["state"], entry["chunks_done"], entry["inflight"]) == ("sent", expected, None)
        assert entry["completed_at"] is not None
        if entry["channel"] == "telegram":
            assert len(entry["message_ids"]) == expected

    # A second run (or a re-executed one) sends nothing more.
    before = len(telegram_standin.messages), len(push_standin.received)
    store_notices(mongo)  # nothing new
    mongo.collection(NOTICES).update_many({}, {"$set": {"pending": True, "delivery.telegram": "pending"}})
    enqueue(
        mongo.db(),
        [
            OutboxEntry(doc["_id"], doc["revision"], doc["created_at"])
            for doc in mongo.collection(NOTICES).find({})
        ],
    )
    deliver(mongo, telegram_resource, web_push_resource)
    assert (len(telegram_standin.messages), len(push_standin.received)) == before


def test_unconfigured_channels_are_skipped_not_retried(mongo, telegram_standin):
    store_notices(mongo, queued_notice("n1"))
    metadata = deliver(mongo, TelegramResource(api_base_url=telegram_standin.url), WebPushResource())
    notice = mongo.collection(NOTICES).find_one({"_id": "superset:n1"})
    assert notice["delivery"] == {"telegram": "skipped", "web_push": "skipped"}
    assert notice["delivery_reasons"] == {"telegram": "not configured", "web_push": "not configured"}
    assert notice["pending"] is False
    assert metadata["skipped"] == 2
    assert telegram_standin.messages == []


def test_429_bursts_are_absorbed_without_loss(mongo, telegram_standin, telegram_resource):
    telegram_standin.strict_rate_limits = True  # Telegram's real limits: 1/s per private chat
    text = "\n".join(f"Line {i} of the drive schedule." for i in range(400))
    notice = queued_notice("n1", text=text, chunks=split_paragraphs(html.escape(text), limit=4000))
    store_notices(mongo, notice)
    add_users(mongo, *({"_id": f"u{i}", "chat_id": 600 + i, "is_active": True} for i in range(3)))
    # The client does no pacing at all, so the stand-in answers 429 with retry_after.
    metadata = deliver(mongo, telegram_resource, WebPushResource())
    chunks = len(notice.rendered.telegram_html)
    assert chunks >= 3
    assert metadata["rate_limited_429s_absorbed"] > 0
    assert telegram_standin.responses[429] == metadata["rate_limited_429s_absorbed"]
    for chat in ("600", "601", "602", CHANNEL_CHAT):
        assert "\n".join(m.text for m in telegram_standin.messages_for(chat)) == text
    assert mongo.collection(NOTICES).find_one()["delivery"]["telegram"] == "sent"


def test_blocked_chats_are_deactivated_and_gone_subscriptions_deleted(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    store_notices(mongo, queued_notice("n1", age_minutes=2), queued_notice("n2", title="Acme results"))
    add_users(
        mongo,
        {"_id": "u1", "chat_id": 701, "is_active": True},
        {"_id": "u2", "chat_id": 702, "is_active": True},
    )
    telegram_standin.blocked_chats.add("702")
    live, expired, missing = add_subscriptions(mongo, push_standin, 3, vapid_keys.public)
    push_standin.expire(expired["endpoint"], 410)
    push_standin.expire(missing["endpoint"], 404)

    metadata = deliver(mongo, telegram_resource, web_push_resource)

    assert mongo.collection(USERS).find_one({"_id": "u2"})["is_active"] is False
    assert mongo.collection(USERS).find_one({"_id": "u1"})["is_active"] is True
    assert len(telegram_standin.messages_for("701")) == 2
    # The blocked chat was asked once; the second notice was not attempted.
    assert telegram_standin.responses[403] == 1
    assert [s["endpoint"] for s in mongo.collection(PUSH_SUBSCRIPTIONS).find()] == [live["endpoint"]]
    assert len(push_standin.received_for(live["endpoint"])) == 2
    assert metadata["deactivated_chats"] == 1 and metadata["deleted_subscriptions"] == 2
    for notice in mongo.collection(NOTICES).find():
        assert notice["delivery"] == {"telegram": "sent", "web_push": "sent"}
    assert mongo.collection(DELIVERIES).count_documents({"state": "gone"}) == 2 + 4


def test_hostile_text_arrives_intact_and_readable(mongo, telegram_standin, push_standin, telegram_resource,
                                                 web_push_resource, vapid_keys):  # fmt: skip
    paragraph = (
        'Eligibility: CGPA < 7 & no backlogs. <script>alert("x")</script> <b>unclosed <i>tags & "quotes"'
    )
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(100))
    assert len(text) > 10_000
    notice = queued_notice("n1", title="<b>Acme & Co</b>", text=text)
    store_notices(mongo, notice)
    subscription = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)[0]

    deliver(mongo, telegram_resource, web_push_resource)

    messages = telegram_standin.messages_for(CHANNEL_CHAT)
    assert len(messages) == len(notice.rendered.telegram_html) > 2
    assert all(m.parse_mode == "HTML" for m in messages)  # escaped properly: no fallback needed
    assert "\n".join(m.text for m in messages) == "<b>Acme & Co</b>\n\n" + text
    push = push_standin.received_for(subscription["endpoint"])[0]
    assert push.payload["title"] == "<b>Acme & Co</b>"
    assert push.payload["body"] == text[:300]


def test_entity_parse_error_falls_back_to_plain_text(mongo, telegram_standin, telegram_resource):
    broken = "<b>Acme</b> CGPA < 7 & <u>backlogs</b>"
    store_notices(mongo, queued_notice("n1", chunks=(broken, "<i>Second part</i>")))
    metadata = deliver(mongo, telegram_resource, WebPushResource())
    messages = telegram_standin.messages_for(CHANNEL_CHAT)
    assert [(m.parse_mode, m.text) for m in messages] == [
        (None, "Acme CGPA < 7 & backlogs"),
        ("HTML", "Second part"),
    ]
    assert metadata["plain_text_fallbacks"] == 1
    assert mongo.collection(NOTICES).find_one()["delivery"]["telegram"] == "sent"


def test_server_errors_are_retried_without_duplicates(mongo, telegram_standin, telegram_resource):
    store_notices(mongo, queued_notice("n1"))
    telegram_standin.fail_next(2, 500)
    deliver(mongo, telegram_resource, WebPushResource())
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 1
    entry = mongo.collection(DELIVERIES).find_one()
    assert entry["state"] == "sent" and entry["attempts"] == 3


def test_persistent_failures_are_given_up_only_after_the_window(mongo, telegram_standin, telegram_resource):
    # Five runs of 503s inside the window keep the recipient pending; the same failure on a notice
    # queued longer ago than the window fails it for good.
    store_notices(mongo, queued_notice("n1"), queued_notice("old", age_minutes=25 * 60))
    resource = TelegramResource(**{**telegram_resource.model_dump(), "max_attempts": 1})
    for _ in range(5):
        telegram_standin.fail_next(2, 503)
        deliver(mongo, resource, WebPushResource())
        mongo.collection(NOTICES).update_many({"_id": "superset:old"}, {"$set": {"pending": False}})
        notice = mongo.collection(NOTICES).find_one({"_id": "superset:n1"})
        assert notice["delivery"]["telegram"] == "pending" and notice["pending"] is True
    old = mongo.collection(NOTICES).find_one({"_id": "superset:old"})
    assert old["delivery"]["telegram"] == "failed"
    entry = mongo.collection(DELIVERIES).find_one({"notice_id": "superset:old"})
    assert entry["state"] == "failed" and "gave up" in entry["reason"]
    assert "Service Unavailable" in entry["reason"]
    assert telegram_standin.messages == []


def test_edited_notice_is_delivered_again_as_a_new_revision(mongo, telegram_standin, telegram_resource):
    store_notices(mongo, queued_notice("n1"))
    deliver(mongo, telegram_resource, WebPushResource())
    store_notices(mongo, queued_notice("n1", text="Venue changed to LT-3.", revision=2))
    deliver(mongo, telegram_resource, WebPushResource())
    texts = [m.text for m in telegram_standin.messages_for(CHANNEL_CHAT)]
    assert len(texts) == 2 and texts[1].endswith("Venue changed to LT-3.")
    assert {e["_id"] for e in mongo.collection(DELIVERIES).find()} == {
        f"superset:n1:r1:telegram:{CHANNEL_CHAT}",
        f"superset:n1:r2:telegram:{CHANNEL_CHAT}",
    }


@pytest.mark.parametrize("subject", ["mailto:admin@example.com", "https://localhost", "placement@jiit.ac.in"])
def test_placeholder_vapid_subjects_fail_the_run_but_not_telegram(mongo, telegram_standin, telegram_resource,
                                                                   vapid_keys, subject):  # fmt: skip
    store_notices(mongo, queued_notice("n1"))
    resource = WebPushResource(vapid_private_key=vapid_keys.private, vapid_subject=subject)
    result = dg.materialize(
        [deliveries],
        resources={"mongo": mongo, "telegram": telegram_resource, "web_push": resource},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "VAPID_SUBJECT" in str(failure) and vapid_keys.private not in str(failure)
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 1
    notice = mongo.collection(NOTICES).find_one()
    assert notice["delivery"] == {"telegram": "sent", "web_push": "pending"}


def test_a_notice_without_text_fails_visibly_instead_of_counting_as_sent(
    mongo, telegram_standin, telegram_resource
):
    store_notices(mongo, queued_notice("n1", chunks=()))
    metadata = deliver(mongo, telegram_resource, WebPushResource())
    assert mongo.collection(NOTICES).find_one()["delivery"]["telegram"] == "failed"
    assert mongo.collection(DELIVERIES).find_one()["reason"] == "notice has no Telegram text"
    assert metadata["failed"] == 1 and telegram_standin.messages == []


def test_read_timeouts_resend_at_least_once_and_report_possible_duplicates(
    mongo, telegram_standin, telegram_resource
):
    # Telegram accepts the message but the answer arrives after the client gave up: the message is
    # sent again (a lost placement alert is worse than a repeated one) and the repeat is reported.
    store_notices(mongo, queued_notice("n1"))
    resource = TelegramResource(**{**telegram_resource.model_dump(), "read_timeout_seconds": 0.3})
    telegram_standin.delay_next(1, 1.0)
    metadata = deliver(mongo, resource, WebPushResource())
    deadline = time.monotonic() + 10
    while len(telegram_standin.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the slow first request is still being answered
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 2
    assert metadata["possible_duplicates"] == 1
    entry = mongo.collection(DELIVERIES).find_one()
    assert entry["state"] == "sent" and entry["unconfirmed"] == 1


def test_hostile_notice_rendered_by_the_renderer_arrives_readable(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    paragraph = "CGPA < 7 & <script>alert(1)</script> </i><b>unbalanced & \"quoted\" 'text' — ₹12 LPA 🎉"
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(120))
    content = NoticeContent(
        source="email",
        source_id="hostile",
        type=NoticeType.ANNOUNCEMENT,
        title="<b>T&P</b> update",
        text=text,
    )
    notice = QueuedNotice(content=content, rendered=render_notice(content))
    store_notices(mongo, notice)
    subscription = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)[0]

    deliver(mongo, telegram_resource, web_push_resource)

    messages = telegram_standin.messages_for(CHANNEL_CHAT)
    assert len(messages) == len(notice.rendered.telegram_html) >= 3
    assert all(m.parse_mode == "HTML" for m in messages)  # no chunk needed the plain-text fallback
    readable = "\n".join(m.text for m in messages)
    assert "<b>T&P</b> update" in readable
    for i in range(120):
        assert f"{i}. {paragraph}" in readable
    [push] = push_standin.received_for(subscription["endpoint"])
    assert push.payload["notice_id"] == "email:hostile" and "<script>" in push.payload["body"]
