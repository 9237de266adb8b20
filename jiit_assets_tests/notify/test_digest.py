"""Daily digests end to end: FerretDB, the ledger and the Telegram/push stand-ins, with frozen time.

The digest phase is a plain function taking ``now``; the ``deliveries`` asset's time-of-day clock
(``assets.run_clock``) is frozen where a whole run is exercised.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import pytest

from jiit_assets.defs.delivery import assets as delivery_assets
from jiit_assets.defs.delivery.digest import POINTER_FIELD, digest_entry_id, list_notices
from jiit_assets.defs.delivery.digest_phase import DigestReport, telegram_digests
from jiit_assets.defs.delivery.ledger_writer import LedgerWriter
from jiit_assets.defs.delivery.outcome import ChannelProblem
from jiit_assets.defs.delivery.sensors import digest_sensor, digest_tick
from jiit_assets.defs.subscribers.profile import parse_settings
from jiit_assets.defs.subscribers.targeting import NoticeTargeting
from jiit_assets.lib.models import Student
from jiit_assets.lib.schema import DELIVERIES, DELIVERY_INTENTS, DIGEST_ITEMS, ENRICHED_JOBS, NOTICES, USERS
from jiit_assets.lib.text import IST
from jiit_assets_tests.fixtures.notify import (
    CHANNEL_CHAT,
    add_subscriptions,
    add_users,
    queued_notice,
    store_notices,
)
from jiit_assets_tests.notify.faults.common import run_delivery

LOG = logging.getLogger("test_digest")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 in IST, as an aware UTC datetime."""
    return datetime(2026, 12, day, hour, minute, tzinfo=IST).astimezone(UTC)


def subscriber(chat: int, **settings: Any) -> dict[str, Any]:
    profile = parse_settings(settings).to_document()
    return {"_id": str(chat), "chat_id": chat, "user_id": chat, "is_active": True, "profile": profile}


def listed(mongo, source_id: str, title: str, at: datetime) -> None:
    """A notice a delivery run handled at ``at`` (listed for digests then)."""
    document = queued_notice(source_id, title=title).to_document()
    targeting = NoticeTargeting.load([document], mongo.collection(ENRICHED_JOBS))
    list_notices(mongo.collection(DIGEST_ITEMS), [document], targeting, at)


def digests(mongo, telegram, now: datetime) -> tuple[DigestReport, ChannelProblem]:
    problem = ChannelProblem()
    deliveries, intents = mongo.collection(DELIVERIES), mongo.collection(DELIVERY_INTENTS)
    with LedgerWriter(deliveries, intents, owner="digest-test") as writer:
        report = telegram_digests(mongo.db(), telegram, writer, problem, LOG, now)
    return report, problem


def texts(standin, chat: int | str) -> list[str]:
    return [message.text for message in standin.messages_for(chat)]


def pointer(mongo, chat: int) -> dict[str, Any]:
    return mongo.collection(USERS).find_one({"_id": str(chat)})[POINTER_FIELD]


def test_digests_split_at_their_cutoffs_across_the_ist_day_boundary(
    mongo, telegram_standin, telegram_resource
) -> None:
    add_users(mongo, subscriber(701, digest="daily"), subscriber(702, digest="daily", digest_hour=0))
    listed(mongo, "n-evening", "Acme shortlist", ist(1, 19))
    report, _ = digests(mongo, telegram_resource, ist(1, 19, 59))
    assert (report.planned, report.sent) == (1, 1)  # 702's digest of Dec 1; 701's hour has not come
    report, _ = digests(mongo, telegram_resource, ist(1, 20, 1))
    assert (report.planned, report.sent) == (1, 1)  # 701's first digest
    listed(mongo, "n-late", "Globex late notice", ist(1, 23, 50))
    listed(mongo, "n-midnight", "Initech after midnight", ist(2, 0, 10))
    # 702's Dec 2 digest (hour 0), planned at 00:05: the 23:50 notice, not the 00:10 one.
    assert digests(mongo, telegram_resource, ist(2, 0, 5))[0].sent == 1
    assert digests(mongo, telegram_resource, ist(2, 19, 59))[0].planned == 0
    assert digests(mongo, telegram_resource, ist(2, 20, 5))[0].sent == 1  # 701's Dec 2 digest
    assert digests(mongo, telegram_resource, ist(3, 0, 5))[0].sent == 1  # 702's Dec 3 digest

    first, second = texts(telegram_standin, 701)
    assert "December 1, 2026" in first and "Acme shortlist" in first and "Globex" not in first
    # After the 20:00 digest: both later notices are in the next day's digest, once.
    assert "December 2, 2026" in second and "Globex late notice" in second and "Initech" in second
    assert "Acme" not in second
    dec1, dec2, dec3 = texts(telegram_standin, 702)
    assert "Acme shortlist" in dec1 and "Globex" not in dec1
    assert "Globex late notice" in dec2 and "Initech" not in dec2
    assert "Initech after midnight" in dec3 and "Globex" not in dec3
    entry = mongo.collection(DELIVERIES).find_one(
        {"_id": digest_entry_id(date(2026, 12, 2), "telegram", "702")}
    )
    assert entry["state"] == "sent" and entry["items"] == ["superset:n-late"]
    assert entry["cutoff"].replace(tzinfo=UTC) == ist(2, 0, 5)
    assert telegram_standin.messages_for(CHANNEL_CHAT) == []  # configured chats get no digests


def test_a_digest_is_sent_once_across_runs_and_restarts(mongo, telegram_standin, telegram_resource) -> None:
    add_users(mongo, subscriber(711, digest="daily"))
    listed(mongo, "n-1", "Acme shortlist", ist(1, 18))
    assert digests(mongo, telegram_resource, ist(1, 20, 5))[0].sent == 1
    assert digests(mongo, telegram_resource, ist(1, 20, 35))[0].planned == 0
    users = mongo.collection(USERS)
    # A restart after the ledger entry was written but before the pointer moved: the stored
    # entry is found by its `_id` and nothing is sent again.
    users.update_one({"_id": "711"}, {"$unset": {POINTER_FIELD: ""}})
    report, _ = digests(mongo, telegram_resource, ist(1, 21))
    assert (report.planned, report.sent) == (1, 0) and pointer(mongo, 711)["open"] is False
    # A restart after the send but before the pointer was closed: closed without a send.
    users.update_one({"_id": "711"}, {"$set": {f"{POINTER_FIELD}.open": True}})
    assert digests(mongo, telegram_resource, ist(1, 22))[0].sent == 0
    assert pointer(mongo, 711)["open"] is False
    assert len(texts(telegram_standin, 711)) == 1


def test_an_outage_during_the_digest_delays_it_and_recovery_sends_exactly_one(
    mongo, telegram_standin, telegram_resource
) -> None:
    add_users(mongo, subscriber(721, digest="daily"))
    listed(mongo, "n-1", "Acme shortlist", ist(1, 18))
    telegram_standin.fail_for(600, 503, methods=("sendMessage",))
    report, _ = digests(mongo, telegram_resource, ist(1, 20, 1))
    assert (report.planned, report.sent, report.still_open) == (1, 0, 1)
    entry = mongo.collection(DELIVERIES).find_one(
        {"_id": digest_entry_id(date(2026, 12, 1), "telegram", "721")}
    )
    assert entry["state"] == "retry" and "Service Unavailable" in entry["reason"]
    assert pointer(mongo, 721)["open"] is True
    assert digests(mongo, telegram_resource, ist(1, 20, 2))[0].still_open == 1
    telegram_standin.outage.clear()
    listed(mongo, "n-2", "Globex notice after the cutoff", ist(1, 20, 30))
    assert digests(mongo, telegram_resource, ist(1, 21, 1))[0].sent == 1
    assert digests(mongo, telegram_resource, ist(1, 22, 1))[0].planned == 0
    (sent,) = texts(telegram_standin, 721)
    assert "Acme shortlist" in sent and "Globex" not in sent  # the stored digest, unchanged
    assert pointer(mongo, 721)["open"] is False
    # The notice after the cutoff is in the next day's digest.
    digests(mongo, telegram_resource, ist(2, 20, 1))
    assert "Globex notice after the cutoff" in texts(telegram_standin, 721)[1]


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the delivery run's time-of-day clock; returns a setter."""
    clock = {"now": ist(1, 20, 30)}
    monkeypatch.setattr(delivery_assets, "run_clock", lambda: clock["now"])

    def set_now(now: datetime) -> None:
        clock["now"] = now

    return set_now


def test_daily_subscribers_get_only_the_digest_and_both_mode_gets_both(
    mongo, telegram_standin, telegram_resource, web_push_resource, frozen
) -> None:
    add_users(
        mongo,
        subscriber(731),  # instant (the default)
        subscriber(732, digest="daily"),
        subscriber(733, digest="both", enrollment="22103045"),
        subscriber(734, digest="daily", enrollment="22103046"),
    )
    notice = queued_notice("n-1", title="Shortlist: Acme Corp online test")
    # The shortlist lists 734 by enrollment number: a personal mention of its own.
    notice.content = replace(notice.content, students=(Student("Asha Verma", "22103046"),))
    (notice_id,) = store_notices(mongo, notice)
    for _ in range(2):
        assert run_delivery(mongo, telegram_resource, web_push_resource).success
    assert len(texts(telegram_standin, 731)) == 1
    (digest,) = texts(telegram_standin, 732)
    assert (
        digest.startswith("📋 Placement digest for December 1, 2026")
        and "Shortlist: Acme Corp online test" in digest
    )
    both = texts(telegram_standin, 733)
    assert len(both) == 2 and sum("Placement digest" in text for text in both) == 1
    # A personal mention stays instant for a daily subscriber; the notice itself is in the digest.
    personal = texts(telegram_standin, 734)
    assert len(personal) == 2 and sum("Placement digest" in text for text in personal) == 1
    covered = mongo.collection(DELIVERIES).find_one({"_id": f"{notice_id}:r1:telegram:732"})
    assert covered["state"] == "digested"
    assert mongo.collection(NOTICES).find_one({"_id": notice_id})["delivery"]["telegram"] == "sent"


def test_quiet_hours_hold_web_push_until_seven_ist(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys, frozen
) -> None:
    quiet, awake = add_subscriptions(mongo, push_standin, 2, vapid_keys.public)
    subscriptions = mongo.collection("push_subscriptions")
    first_id = subscriptions.find_one({"endpoint": quiet["endpoint"]})["_id"]
    profile = parse_settings({"quiet_hours": "on"}).to_document()
    subscriptions.update_one({"_id": first_id}, {"$set": {"profile": profile}})
    store_notices(mongo, queued_notice("n-1"))
    frozen(ist(1, 23, 30))
    assert run_delivery(mongo, telegram_resource, web_push_resource).success
    assert push_standin.received_for(quiet["endpoint"]) == []
    assert len(push_standin.received_for(awake["endpoint"])) == 1
    assert mongo.collection(NOTICES).find_one({})["delivery"]["web_push"] == "pending"
    frozen(ist(2, 6, 59))
    assert run_delivery(mongo, telegram_resource, web_push_resource).success
    assert push_standin.received_for(quiet["endpoint"]) == []
    frozen(ist(2, 7, 0))
    assert run_delivery(mongo, telegram_resource, web_push_resource).success
    assert len(push_standin.received_for(quiet["endpoint"])) == 1
    assert len(push_standin.received_for(awake["endpoint"])) == 1
    assert mongo.collection(NOTICES).find_one({})["delivery"]["web_push"] == "sent"


def test_web_push_digests_go_once_per_subscription_and_day(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys, frozen
) -> None:
    (daily,) = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    profile = parse_settings({"digest": "daily", "digest_hour": "20"}).to_document()
    mongo.collection("push_subscriptions").update_one({}, {"$set": {"profile": profile}})
    store_notices(mongo, queued_notice("n-1", title="Shortlist: Acme Corp"))
    frozen(ist(1, 19))
    assert run_delivery(mongo, telegram_resource, web_push_resource).success
    assert push_standin.received_for(daily["endpoint"]) == []  # no instant push, digest not due
    frozen(ist(1, 20, 5))
    for _ in range(2):
        run = run_delivery(mongo, telegram_resource, web_push_resource)
        assert run.success
    (push,) = push_standin.received_for(daily["endpoint"])
    assert "Acme Corp" in push.payload["body"] and push.payload["type"] == "digest"


def test_digest_sensor_fires_once_per_due_ist_hour(
    mongo, telegram_standin, telegram_resource, web_push_resource
):
    add_users(mongo, subscriber(741, digest="daily"))
    db = mongo.db()
    with dg.instance_for_test() as instance:
        early = dg.build_sensor_context(instance=instance)
        assert isinstance(
            digest_tick(early, db, ist(1, 19, 59), telegram=True, web_push=False), dg.SkipReason
        )
        first = dg.build_sensor_context(instance=instance)
        result = digest_tick(first, db, ist(1, 20, 1), telegram=True, web_push=False)
        assert isinstance(result, dg.SensorResult)
        assert [r.run_key for r in result.run_requests or []] == ["digest-2026-12-01T20"]
        again = dg.build_sensor_context(instance=instance, cursor=first.cursor)
        assert isinstance(
            digest_tick(again, db, ist(1, 20, 30), telegram=True, web_push=False), dg.SkipReason
        )
        # Still unsent an hour later (say the run failed): one more request, for the new hour.
        later = dg.build_sensor_context(instance=instance, cursor=first.cursor)
        result = digest_tick(later, db, ist(1, 21, 1), telegram=True, web_push=False)
        assert [r.run_key for r in result.run_requests or []] == ["digest-2026-12-01T21"]
        # Once sent, nothing is due until the next day's hour.
        listed(mongo, "n-1", "Acme", ist(1, 18))
        digests(mongo, telegram_resource, ist(1, 21, 5))
        done = dg.build_sensor_context(instance=instance, cursor=later.cursor)
        assert isinstance(digest_tick(done, db, ist(1, 22, 1), telegram=True, web_push=False), dg.SkipReason)
        assert isinstance(digest_tick(done, db, ist(1, 22, 1), telegram=False, web_push=False), dg.SkipReason)
        # The sensor itself, with its resources: a subscriber whose digest hour is midnight is due now.
        add_users(mongo, subscriber(742, digest="daily", digest_hour=0))
        resources = {"mongo": mongo, "telegram": telegram_resource, "web_push": web_push_resource}
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            assert isinstance(digest_sensor(context), dg.SensorResult)
        assert digest_sensor.description and "Asia/Kolkata" in digest_sensor.description


def test_a_notice_is_listed_once_and_an_edit_keeps_its_place(mongo) -> None:
    listed(mongo, "n-1", "Acme shortlist", ist(1, 10))
    listed(mongo, "n-1", "Acme shortlist", ist(1, 11))
    edited = queued_notice("n-1", title="Acme shortlist (revised)", revision=2).to_document()
    targeting = NoticeTargeting.load([edited], mongo.collection(ENRICHED_JOBS))
    assert list_notices(mongo.collection(DIGEST_ITEMS), [edited], targeting, ist(1, 21)) == 1
    assert list_notices(mongo.collection(DIGEST_ITEMS), [edited], targeting, ist(1, 22)) == 0
    (stored,) = mongo.collection(DIGEST_ITEMS).find({})
    assert stored["title"] == "Acme shortlist (revised)" and stored["target"]["revision"] == 2
    # Still listed when it first arrived: an edit after a digest does not put it in a second one.
    assert stored["listed_at"].replace(tzinfo=UTC) == ist(1, 10)
