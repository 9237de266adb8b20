"""The calendar feeds of `jiit-assets serve` against FerretDB, read back with icalendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import httpx
import icalendar
import pytest

from jiit_assets.defs.notices.render import telegram_length
from jiit_assets.defs.reminders.calendar import calendar_feed, open_deadlines
from jiit_assets.defs.reminders.feeds import CalendarFeeds, Owner, with_calendar_link
from jiit_assets.defs.subscribers.commands import CommandHandler
from jiit_assets.defs.subscribers.incoming import IncomingMessage
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.push_subscription import EndpointPolicy
from jiit_assets.defs.subscribers.store import SubscriberStore
from jiit_assets.defs.subscribers.web import WebSettings, create_app
from jiit_assets.lib.schema import ENRICHED_JOBS, PLACEMENT_STATS, PUSH_SUBSCRIPTIONS, USERS
from jiit_assets_tests.standins.__main__ import demo_deadlines
from jiit_assets_tests.subscribers.support import browser_subscription, running_app

NOW = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
CHAT = 424242
BASE = "https://alerts.jiit.example.in"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def job(job_id: str, days: float, courses: list[str], company: str = "Acme") -> dict:
    return {
        "_id": job_id,
        "id": job_id,
        "company": company,
        "job_profile": "SDE",
        "deadline": ms(NOW + timedelta(days=days)),
        "eligibility_courses": courses,
        "package": 1_200_000,
    }


@pytest.fixture
def feeds(mongo):
    mongo.collection(ENRICHED_JOBS).insert_many(
        [
            job("CSE-1", 2, ["B.Tech - Computer Science and Engineering"]),
            job("ECE-1", 3, ["B.Tech - Electronics and Communication Engineering"], "Globex"),
            job("OLD-1", -1, ["B.Tech - Computer Science and Engineering"], "Initech"),
        ]
    )
    database = mongo.collection(USERS).database
    return CalendarFeeds(database, lambda job_id: f"https://campus.example/jobs/{job_id}", lambda: NOW)


def uids(feed: bytes) -> set[str]:
    return {str(event["uid"]) for event in icalendar.Calendar.from_ical(feed).walk("VEVENT")}


def subscriber(mongo, chat_id: int = CHAT, profile: Profile | None = None, active: bool = True) -> None:
    document = {"_id": str(chat_id), "chat_id": chat_id, "is_active": active}
    if profile is not None:
        document["profile"] = profile.to_document()
    mongo.collection(USERS).insert_one(document)


def handler(mongo, feeds, public_url: str = BASE) -> CommandHandler:
    store = SubscriberStore(mongo.collection(USERS))
    return CommandHandler(store, mongo.collection(PLACEMENT_STATS), "bot", feeds, public_url)


def say(text: str, update_id: int = 1) -> IncomingMessage:
    return IncomingMessage(update_id, CHAT, "private", text, CHAT, "asha", "Asha")


def test_public_and_personal_feeds_over_http(mongo, feeds, vapid_keys) -> None:
    subscriber(mongo, profile=Profile(branch="CSE"))
    token = feeds.issue(Owner.TELEGRAM, str(CHAT))
    assert token is not None
    settings = WebSettings(vapid_public_key=vapid_keys.public, policy=EndpointPolicy())
    app = create_app(settings, mongo.collection(PUSH_SUBSCRIPTIONS), feeds)
    with running_app(app) as url, httpx.Client(base_url=url) as client:
        public = client.get("/calendar.ics")
        assert public.status_code == 200 and public.headers["content-type"].startswith("text/calendar")
        assert uids(public.content) == {"deadline-CSE-1@jiit-assets", "deadline-ECE-1@jiit-assets"}
        personal = client.get(f"/calendar/{token}.ics")
        assert personal.status_code == 200
        assert uids(personal.content) == {"deadline-CSE-1@jiit-assets"}
        assert client.get(f"/calendar/{'x' * 32}.ics").status_code == 404
        assert client.get("/calendar/short.ics").status_code == 404
        body = {**browser_subscription(), "profile": {"branch": "ECE"}}
        answer = client.post("/api/push/subscribe", json=body)
        assert answer.status_code == 201
        path = answer.json()["calendar"]
        assert uids(client.get(path).content) == {"deadline-ECE-1@jiit-assets"}
        # The same browser subscribing again (an update) keeps its link.
        assert client.post("/api/push/subscribe", json=body).json()["calendar"] == path
        client.post("/api/push/unsubscribe", json={"endpoint": body["endpoint"]})
        assert client.get(path).status_code == 404


def test_revoked_replaced_and_unsubscribed_tokens_stop_resolving(mongo, feeds) -> None:
    subscriber(mongo)
    first = feeds.issue(Owner.TELEGRAM, str(CHAT))
    assert first is not None and feeds.issue(Owner.TELEGRAM, str(CHAT)) == first
    assert feeds.subscriber_feed(first) is not None
    second = feeds.issue(Owner.TELEGRAM, str(CHAT), replace=True)
    assert second not in (None, first)
    assert feeds.subscriber_feed(first) is None
    assert feeds.subscriber_feed(str(second)) is not None
    mongo.collection(USERS).update_one({"_id": str(CHAT)}, {"$set": {"is_active": False}})
    assert feeds.subscriber_feed(str(second)) is None
    assert feeds.issue(Owner.TELEGRAM, "999") is None  # no such subscriber: no token


def test_calendar_command_shows_then_revokes_the_link(mongo, feeds) -> None:
    commands = handler(mongo, feeds)
    assert "send /start" in str(commands.handle(say("/calendar")).reply)
    commands.handle(say("/start", 2))
    shown = str(commands.handle(say("/calendar", 3)).reply)
    assert f"{BASE}/calendar/" in shown
    assert str(commands.handle(say("/calendar", 4)).reply) == shown
    revoked = str(commands.handle(say("/calendar revoke", 5)).reply)
    assert "no longer works" in revoked and revoked.split("\n")[1] != shown.split("\n")[1]
    token = revoked.split("\n")[1].rsplit("/", 1)[1].removesuffix(".ics")
    assert uids(feeds.subscriber_feed(token) or b"") == {
        "deadline-CSE-1@jiit-assets",
        "deadline-ECE-1@jiit-assets",
    }
    unpublished = handler(mongo, feeds, public_url="")
    assert "not published" in str(unpublished.handle(say("/calendar", 6)).reply)


def test_job_postings_get_an_add_to_calendar_link_only_when_a_public_url_is_set() -> None:
    chunks = ("<b>Acme</b> is hiring",)
    linked = with_calendar_link(chunks, "job_posting", BASE)
    assert linked == (f'<b>Acme</b> is hiring\n\n📅 <a href="{BASE}/calendar.ics">Add to calendar</a>',)
    assert with_calendar_link(chunks, "job_posting", "") == chunks
    assert with_calendar_link(chunks, "shortlisting", BASE) == chunks
    full = ("x" * 4090,)
    split = with_calendar_link(full, "job_posting", BASE)
    assert len(split) == 2 and all(telegram_length(chunk) <= 4096 for chunk in split)


def test_the_demo_moves_the_fixture_deadlines_into_the_future() -> None:
    fixtures = json.loads(
        resources.files("jiit_assets_tests.standins")
        .joinpath("data", "superset", "jobs.json")
        .read_text("utf-8")
    )
    fixed = {
        item["listing"]["jobProfileIdentifier"]: item["listing"]["jobProfileApplicationDeadline"]
        for item in fixtures
    }
    moved = demo_deadlines(fixed, NOW)
    assert min(moved.values()) > ms(NOW) and min(moved.values()) <= ms(NOW + timedelta(days=1))
    gaps = {job_id: moved[job_id] - fixed[job_id] for job_id in fixed}
    assert len(set(gaps.values())) == 1 and next(iter(gaps.values())) % 86_400_000 == 0
    assert demo_deadlines(fixed, NOW + timedelta(hours=1)) == moved  # same day, same deadlines
    jobs = [
        {"id": job_id, "company": "Acme", "job_profile": "SDE", "deadline": value}
        for job_id, value in moved.items()
    ]
    feed = calendar_feed(
        open_deadlines(jobs, NOW), lambda job_id: f"https://campus.example/jobs/{job_id}", "JIIT"
    )
    assert len(uids(feed)) == len(fixed)


def test_profile_accepts_reminders_quiet_hours_and_digest(mongo, feeds) -> None:
    commands = handler(mongo, feeds)
    commands.handle(say("/start"))
    reply = str(commands.handle(say("/profile reminders=off quiet_hours=on", 2)).reply)
    assert "Deadline reminders: <b>off</b>" in reply and "Quiet hours (23:00-07:00 IST): <b>on</b>" in reply
    stored = Profile.from_document(mongo.collection(USERS).find_one({"_id": str(CHAT)})["profile"])
    assert stored.reminders is False and stored.quiet_hours is True
    reply = str(commands.handle(say("/profile digest=daily digest_hour=21", 3)).reply)
    assert "Delivery: <b>daily digest only</b>" in reply and "Daily digest at: <b>21:00 IST</b>" in reply
    assert "❌ digest_hour: give an hour from 0 to 23" in str(
        commands.handle(say("/profile digest_hour=24", 4)).reply
    )
