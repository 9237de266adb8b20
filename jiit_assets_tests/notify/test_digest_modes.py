"""A subscriber changing digest mode: nothing lost, nothing repeated (FerretDB, Telegram stand-in).

Whole ``deliveries`` runs with the run's clock frozen; the mode is changed the way students change
it, through the subscriber store that ``/profile`` uses.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from jiit_assets.defs.delivery import assets as delivery_assets
from jiit_assets.defs.delivery.digest import digest_entry_id
from jiit_assets.defs.delivery.digest_modes import CATCH_UP_PREFIX
from jiit_assets.defs.subscribers.profile import parse_settings
from jiit_assets.defs.subscribers.push_subscription import endpoint_policy_from_env
from jiit_assets.defs.subscribers.store import SubscriberStore
from jiit_assets.defs.subscribers.subscription_store import parse_subscribe, store_subscription
from jiit_assets.defs.subscribers.timing import MODES_FIELD
from jiit_assets.lib.schema import DELIVERIES, PUSH_SUBSCRIPTIONS, USERS
from jiit_assets_tests.fixtures.notify import add_subscriptions, add_users, queued_notice, store_notices
from jiit_assets_tests.notify.faults.common import run_delivery
from jiit_assets_tests.notify.test_digest import ist, pointer, subscriber, texts


@pytest.fixture
def at(monkeypatch):
    """Freeze the run's clock (and the subscriber store's): ``at(moment)`` moves both."""
    clock = {"now": ist(1, 9)}
    monkeypatch.setattr(delivery_assets, "run_clock", lambda: clock["now"])

    def move(now: datetime) -> None:
        clock["now"] = now

    move.now = lambda: clock["now"]  # type: ignore[attr-defined]
    return move


class Campus:
    """Notices arriving, delivery runs and /profile switches, at frozen moments."""

    def __init__(self, mongo, telegram, web_push, at) -> None:
        self.mongo, self.telegram, self.web_push, self.at = mongo, telegram, web_push, at
        self.store = SubscriberStore(mongo.collection(USERS), now=at.now)

    def notice(self, when: datetime, source_id: str, title: str) -> None:
        """A notice arrives and a delivery run handles it at ``when``."""
        store_notices(self.mongo, queued_notice(source_id, title=title))
        self.run(when)

    def run(self, when: datetime) -> None:
        self.at(when)
        assert run_delivery(self.mongo, self.telegram, self.web_push).success

    def switch(self, when: datetime, chat: int, **settings: Any) -> None:
        self.at(when)
        current = self.store.find(chat)
        assert current is not None
        self.store.save_profile(chat, parse_settings(settings, base=current.profile))


@pytest.fixture
def campus(mongo, telegram_standin, telegram_resource, web_push_resource, at) -> Campus:
    return Campus(mongo, telegram_resource, web_push_resource, at)


def count(standin, chat: int, title: str) -> int:
    return sum(text.count(title) for text in texts(standin, chat))


def digest_entries(mongo, chat: int) -> list[dict[str, Any]]:
    entries = mongo.collection(DELIVERIES).find({"recipient": str(chat), "notice_id": {"$regex": "^digest:"}})
    return sorted(entries, key=lambda entry: entry["cutoff"])


def test_daily_to_instant_sends_one_catch_up_then_instant(mongo, telegram_standin, campus) -> None:
    add_users(mongo, subscriber(801, digest="daily"))
    campus.notice(ist(1, 18), "n-0", "Acme shortlist")
    campus.run(ist(1, 20, 5))  # Dec 1 digest
    campus.notice(ist(2, 10), "n-1", "Globex drive")
    campus.notice(ist(2, 12), "n-2", "Initech results")
    assert len(texts(telegram_standin, 801)) == 1  # daily-only: both wait for a digest
    campus.switch(ist(2, 15), 801, digest="instant")
    campus.notice(ist(2, 15, 1), "n-3", "Umbrella test")
    for when in (ist(2, 16), ist(2, 20, 5), ist(3, 20, 5)):
        campus.run(when)

    first, instant, catch_up = texts(telegram_standin, 801)
    assert "Acme shortlist" in first and "December 1" in first
    assert "Umbrella test" in instant and "Placement digest" not in instant
    assert "Globex drive" in catch_up and "Initech results" in catch_up and "Umbrella" not in catch_up
    for title in ("Acme shortlist", "Globex drive", "Initech results", "Umbrella test"):
        assert count(telegram_standin, 801, title) == 1
    regular, extra = digest_entries(mongo, 801)
    assert regular["_id"] == digest_entry_id(date(2026, 12, 1), "telegram", "801")
    assert extra["notice_id"].startswith(CATCH_UP_PREFIX) and extra["state"] == "sent"
    # The catch-up keeps the day of the last regular digest, and nothing more is due.
    assert pointer(mongo, 801)["day"] == "2026-12-01" and pointer(mongo, 801)["open"] is False


def test_instant_to_daily_lists_only_notices_after_the_switch(mongo, telegram_standin, campus) -> None:
    add_users(mongo, subscriber(811), subscriber(812, quiet_hours="on"))
    campus.notice(ist(1, 10), "n-1", "Acme shortlist")
    campus.switch(ist(1, 12), 811, digest="daily")
    campus.notice(ist(1, 14), "n-2", "Globex drive")
    campus.run(ist(1, 20, 5))
    instant, digest = texts(telegram_standin, 811)
    assert "Acme shortlist" in instant
    assert "Globex drive" in digest and "Acme" not in digest
    # Quiet hours hold an instant notice overnight; a switch to daily before 07:00 still sends
    # it at 07:00 (it arrived while instant) and leaves it out of the digest.
    campus.notice(ist(1, 23, 30), "n-3", "Initech night notice")
    campus.switch(ist(2, 6), 812, digest="daily")
    campus.run(ist(2, 7, 1))
    campus.run(ist(2, 20, 5))
    assert count(telegram_standin, 812, "Initech night notice") == 1
    assert not any("Placement digest" in text and "Initech" in text for text in texts(telegram_standin, 812))
    assert count(telegram_standin, 811, "Initech night notice") == 1  # in 811's Dec 2 digest
    for title in ("Acme shortlist", "Globex drive"):
        assert count(telegram_standin, 811, title) == 1 and count(telegram_standin, 812, title) == 1


def test_daily_to_both_and_both_to_daily(mongo, telegram_standin, campus) -> None:
    add_users(mongo, subscriber(821, digest="daily"), subscriber(822, digest="both"))
    campus.notice(ist(1, 10), "n-1", "Acme shortlist")
    campus.switch(ist(1, 12), 821, digest="both")
    campus.switch(ist(1, 12), 822, digest="daily")
    campus.notice(ist(1, 14), "n-2", "Globex drive")
    for when in (ist(1, 15), ist(1, 20, 5), ist(1, 21)):
        campus.run(when)
    # 821: what came while daily only waited for the digest; from "both" on, at once and in it.
    instant, digest = texts(telegram_standin, 821)
    assert "Globex drive" in instant and "Acme" not in instant
    assert "Acme shortlist" in digest and "Globex drive" in digest
    # 822: "both" sent the first at once; the digest lists both notices; no catch-up.
    instant, digest = texts(telegram_standin, 822)
    assert "Acme shortlist" in instant and "Globex" not in instant
    assert "Acme shortlist" in digest and "Globex drive" in digest
    assert [len(digest_entries(mongo, chat)) for chat in (821, 822)] == [1, 1]


def test_switching_back_and_forth_within_a_day(mongo, telegram_standin, campus) -> None:
    add_users(mongo, subscriber(831, digest="daily"))
    campus.run(ist(1, 20, 5))  # an empty Dec 1 digest: the pointer starts there
    campus.notice(ist(2, 10), "n-1", "Acme shortlist")
    # Instant for half an hour without a run in between: n-1 is still owed.
    campus.switch(ist(2, 11), 831, digest="instant")
    campus.switch(ist(2, 11, 30), 831, digest="daily")
    campus.notice(ist(2, 12), "n-2", "Globex drive")
    campus.switch(ist(2, 13), 831, digest="instant")
    campus.notice(ist(2, 13, 10), "n-3", "Initech results")  # at once, and the catch-up of n-1, n-2
    campus.switch(ist(2, 14), 831, digest="daily")
    campus.notice(ist(2, 15), "n-4", "Umbrella test")
    for when in (ist(2, 20, 5), ist(2, 21), ist(3, 20, 5)):
        campus.run(when)

    # Dec 3's digest is empty (nothing sent): three messages in all.
    instant, catch_up, digest = texts(telegram_standin, 831)
    assert "Initech results" in instant and "Placement digest" not in instant
    assert "Acme shortlist" in catch_up and "Globex drive" in catch_up and "Initech" not in catch_up
    assert "December 2" in digest and "Umbrella test" in digest and "Acme" not in digest
    for title in ("Acme shortlist", "Globex drive", "Initech results", "Umbrella test"):
        assert count(telegram_standin, 831, title) == 1
    assert pointer(mongo, 831)["day"] == "2026-12-03"


def test_a_switch_while_a_digest_is_open_after_an_outage(mongo, telegram_standin, campus) -> None:
    add_users(mongo, subscriber(841, digest="daily"))
    campus.notice(ist(1, 18), "n-1", "Acme shortlist")
    telegram_standin.fail_for(600, 503, methods=("sendMessage",))
    campus.at(ist(1, 20, 1))
    run_delivery(mongo, campus.telegram, campus.web_push)  # the digest is planned; its send fails
    assert pointer(mongo, 841)["open"] is True
    store_notices(mongo, queued_notice("n-2", title="Globex drive"))
    campus.at(ist(1, 20, 15))
    run_delivery(mongo, campus.telegram, campus.web_push)  # n-2 digested; the digest still open
    campus.switch(ist(1, 20, 30), 841, digest="instant")
    telegram_standin.outage.clear()
    campus.notice(ist(1, 20, 40), "n-3", "Initech results")  # at once; the open digest goes
    campus.run(ist(1, 21))  # then the catch-up of n-2
    campus.run(ist(2, 20, 5))

    instant, digest, catch_up = texts(telegram_standin, 841)
    assert "Acme shortlist" in digest and "Globex" not in digest  # the stored digest, unchanged
    assert "Initech results" in instant and "Placement digest" not in instant
    assert "Globex drive" in catch_up and "Acme" not in catch_up
    for title in ("Acme shortlist", "Globex drive", "Initech results"):
        assert count(telegram_standin, 841, title) == 1
    assert [entry["state"] for entry in digest_entries(mongo, 841)] == ["sent", "sent"]


def test_web_push_switch_from_the_page_daily_to_instant(
    mongo, push_standin, telegram_standin, web_push_resource, vapid_keys, campus
) -> None:
    (minted,) = add_subscriptions(mongo, push_standin, 1, vapid_keys.public)
    policy = endpoint_policy_from_env({"WEB_PUSH_EXTRA_ORIGINS": push_standin.url})

    def subscribe(when: datetime, digest: str) -> None:
        # What the subscription page sends: the whole subscription and profile, upserted.
        campus.at(when)
        request = parse_subscribe({**minted, "profile": {"digest": digest}}, policy)
        assert store_subscription(mongo.collection(PUSH_SUBSCRIPTIONS), request, now=when) is False

    subscribe(ist(1, 9), "daily")
    campus.notice(ist(1, 10), "n-1", "Acme shortlist")
    subscribe(ist(1, 11), "daily")  # the same mode again: no change is stamped
    subscribe(ist(1, 12), "instant")
    campus.notice(ist(1, 13), "n-2", "Globex drive")
    campus.run(ist(1, 20, 5))
    bodies = [push.payload for push in push_standin.received_for(minted["endpoint"])]
    assert len(bodies) == 2
    instant, catch_up = bodies
    assert instant.get("type") != "digest" and "Globex drive" in json.dumps(instant, ensure_ascii=False)
    assert catch_up["type"] == "digest" and "Acme shortlist" in catch_up["body"]
    assert catch_up["notice_id"].startswith(CATCH_UP_PREFIX) and "Globex" not in catch_up["body"]
    stored = mongo.collection(PUSH_SUBSCRIPTIONS).find_one({})
    assert [(c["before"], c["after"]) for c in stored[MODES_FIELD]] == [
        ("instant", "daily"),
        ("daily", "instant"),
    ]
