"""Personal mentions: a subscriber listed in a shortlist or an offer hears it personally, once."""

from __future__ import annotations

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.subscribers.mentions import mention_of, mention_text
from jiit_assets.defs.subscribers.profile import parse_settings
from jiit_assets.lib.models import NoticeContent, NoticeType, QueuedNotice, Student
from jiit_assets.lib.schema import DELIVERIES, NOTICES, PUSH_SUBSCRIPTIONS
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_subscriptions, add_users, store_notices
from jiit_assets_tests.notify.faults.common import SettableClock, run_delivery

SHORTLIST_TEXT = "Online test on Monday 8 December, 10:00, in LT-1. Carry your ID card.\n\nAll the best."


def shortlist(revision: int = 1) -> QueuedNotice:
    content = NoticeContent(
        source="superset",
        source_id="sl-acme",
        type=NoticeType.SHORTLISTING,
        title="Shortlist: Acme Corp online test",
        text=SHORTLIST_TEXT,
        company="Acme Corp",
        role="Software Development Engineer",
        students=(
            Student("Asha Verma", "22103045"),
            Student("Rahul Jain", "9922103111"),
            Student("Asha Verma", None),  # a namesake without a number matches nobody
        ),
        url="https://jiit-placement-updates.tashif.codes/notices/sl-acme",
    )
    return QueuedNotice(
        content=content, rendered=render_notice(content, revision=revision), revision=revision
    )


def subscriber(chat: int, enrollment: str | None = None, **settings):
    document = {"_id": str(chat), "chat_id": chat, "user_id": chat, "is_active": True}
    if enrollment or settings:
        document["profile"] = parse_settings({"enrollment": enrollment or "", **settings}).to_document()
    return document


def deliver(mongo, telegram, web_push):
    result = dg.materialize(
        [deliveries], resources={"mongo": mongo, "telegram": telegram, "web_push": web_push}
    )
    assert result.success


def personal(standin, chat):
    return [m.text for m in standin.messages_for(chat) if m.text.startswith("You are on the shortlist")]


def test_mention_texts_say_what_happened_and_what_comes_next():
    document = shortlist().to_document()
    assert mention_text(document) == (
        "You are on the shortlist of Acme Corp for Software Development Engineer: "
        "Online test on Monday 8 December, 10:00, in LT-1. Carry your ID card."
    )
    offer = {**document, "type": "placement_offer", "role": None, "text": "Joining in July 2027."}
    assert mention_text(offer) == "Congratulations! You have an offer from Acme Corp: Joining in July 2027."
    mention = mention_of(document)
    assert mention is not None and mention.enrollments == {"22103045", "9922103111"}
    assert mention.notice_id == "superset:sl-acme#you"
    assert mention_of({**document, "students": [{"name": "Asha Verma", "enrollment_number": None}]}) is None


def test_listed_subscribers_get_a_personal_message_once_per_channel(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    store_notices(mongo, shortlist())
    add_users(
        mongo,
        subscriber(701, "22103045"),
        subscriber(702, "99221-03111", categories="job_posting"),  # muted shortlists: still told personally
        subscriber(703, "22103046"),  # not listed
        subscriber(704),  # no enrollment number
    )
    [listed, other] = add_subscriptions(mongo, push_standin, 2, vapid_keys.public)
    mongo.collection(PUSH_SUBSCRIPTIONS).update_one(
        {"endpoint": listed["endpoint"]},
        {"$set": {"profile": parse_settings({"enrollment": "22103045"}).to_document()}},
    )

    deliver(mongo, telegram_resource, web_push_resource)

    assert len(personal(telegram_standin, 701)) == len(personal(telegram_standin, 702)) == 1
    assert personal(telegram_standin, 703) == personal(telegram_standin, 704) == []
    assert personal(telegram_standin, CHANNEL_CHAT) == []
    assert len(telegram_standin.messages_for(701)) == 2  # the broadcast and the mention
    assert len(telegram_standin.messages_for(702)) == 1  # only the mention
    assert [p.payload["type"] for p in push_standin.received_for(listed["endpoint"])] == [
        "shortlisting",
        "personal_mention",
    ]
    assert [p.payload["type"] for p in push_standin.received_for(other["endpoint"])] == ["shortlisting"]
    ledger = mongo.collection(DELIVERIES)
    assert ledger.count_documents({"notice_id": "superset:sl-acme#you"}) == 3
    assert mongo.collection(NOTICES).find_one()["delivery"] == {"telegram": "sent", "web_push": "sent"}

    # An edit re-sends the broadcast (a new revision) but never the mention.
    store_notices(mongo, shortlist(revision=2))
    deliver(mongo, telegram_resource, web_push_resource)
    assert len(personal(telegram_standin, 701)) == 1
    assert len(telegram_standin.messages_for(701)) == 3
    assert len(push_standin.received_for(listed["endpoint"])) == 3


def test_a_mention_waiting_out_an_outage_keeps_its_notice_pending_then_arrives_once(
    mongo, telegram_standin, telegram_resource
):
    # No configured chat, and the one subscriber does not want the broadcast: the mention is all
    # there is to send on Telegram, so only it can keep the notice pending.
    store_notices(mongo, shortlist())
    add_users(mongo, subscriber(702, "9922103111", categories="job_posting"))
    resource = TelegramResource(
        **{**telegram_resource.model_dump(), "chat_ids": "", "max_attempts": 1, "start_attempts": 1}
    )
    clock = SettableClock()
    telegram_standin.outage.clock = clock
    telegram_standin.fail_for(3600, 502, methods=("sendMessage",))

    first = run_delivery(mongo, resource, WebPushResource())

    assert first.success and first.metadata["still_pending"] == 1
    notice = mongo.collection(NOTICES).find_one()
    assert notice["pending"] and notice["delivery"]["telegram"] == "pending"
    [entry] = mongo.collection(DELIVERIES).find()
    assert entry["notice_id"] == "superset:sl-acme#you" and entry["state"] == "retry"
    assert telegram_standin.messages_for(702) == []

    clock.advance(3601)
    second = run_delivery(mongo, resource, WebPushResource())

    assert second.success
    assert len(personal(telegram_standin, 702)) == 1 and len(telegram_standin.messages_for(702)) == 1
    notice = mongo.collection(NOTICES).find_one()
    assert not notice["pending"] and notice["delivery"]["telegram"] == "sent"
    assert [d["state"] for d in mongo.collection(DELIVERIES).find()] == ["sent"]  # never `not_wanted`
