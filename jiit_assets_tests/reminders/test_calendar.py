"""The deadline feed, read back with a real iCalendar parser as a calendar app would read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from jiit_assets.defs.reminders.calendar import calendar_feed, open_deadlines

NOW = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def job(job_id: str, deadline: object, company: str = "Acme Technologies", role: str = "SDE") -> dict:
    return {"id": job_id, "company": company, "job_profile": role, "deadline": deadline, "location": "Noida"}


def events(feed: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def feed_for(*jobs: dict) -> bytes:
    return calendar_feed(
        open_deadlines(jobs, NOW), lambda job_id: f"https://campus.example/jobs/{job_id}", "JIIT"
    )


def test_every_open_deadline_is_one_event_with_its_link_and_two_alarms() -> None:
    closes = NOW + timedelta(days=2)
    parsed = events(feed_for(job("JP-1", ms(closes)), job("JP-2", ms(NOW + timedelta(days=5)))))
    assert set(parsed) == {"deadline-JP-1@jiit-assets", "deadline-JP-2@jiit-assets"}
    event = parsed["deadline-JP-1@jiit-assets"]
    assert event.decoded("dtend") == closes
    assert str(event["summary"]) == "Apply: Acme Technologies – SDE"
    assert str(event["url"]) == "https://campus.example/jobs/JP-1"
    triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    assert [event.decoded("dtstart") + t for t in triggers] == [
        closes - timedelta(hours=24),
        closes - timedelta(hours=3),
    ]


def test_a_moved_deadline_updates_the_same_event_and_past_or_placeholder_ones_drop_out() -> None:
    before = events(feed_for(job("JP-1", ms(NOW + timedelta(days=2)))))["deadline-JP-1@jiit-assets"]
    after = events(feed_for(job("JP-1", ms(NOW + timedelta(days=3)))))["deadline-JP-1@jiit-assets"]
    assert int(after["sequence"]) > int(before["sequence"])
    gone = events(
        feed_for(
            job("past", ms(NOW - timedelta(hours=1))),
            job("none", None),
            job("year-9999", 253402300799000),
            job("huge", 99999999999999999999),
            job("text", "tomorrow"),
        )
    )
    assert gone == {}


def test_hostile_company_text_round_trips_without_breaking_the_calendar() -> None:
    company = "Evil; Corp,\nBEGIN:VEVENT\r\nUID:x"
    [event] = events(feed_for(job("JP-9", ms(NOW + timedelta(days=1)), company=company))).values()
    assert str(event["summary"]) == "Apply: Evil; Corp, BEGIN:VEVENT UID:x – SDE"
