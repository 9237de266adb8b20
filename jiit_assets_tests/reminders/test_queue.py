"""Deadline reminders queued into `notices` against FerretDB, with the clock frozen per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from jiit_assets.defs.reminders.assets import deadline_reminders
from jiit_assets.defs.reminders.queue import CANCELLED_NOTE, refresh_reminders
from jiit_assets.defs.reminders.rules import DEFAULT_OFFSETS
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.targeting import TargetNotice, wants
from jiit_assets.lib.outbox import read_pending
from jiit_assets.lib.schema import ENRICHED_JOBS, NOTICES

NOW = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def put_job(mongo, closes: datetime | None, job_id: str = "JP-1") -> None:
    document = {
        "id": job_id,
        "company": "Acme",
        "job_profile": "SDE",
        "deadline": ms(closes) if closes else None,
        "eligibility_courses": ["B.Tech - Computer Science and Engineering"],
        "package": 1_200_000,
    }
    mongo.collection(ENRICHED_JOBS).replace_one({"_id": job_id}, document, upsert=True)


def run(mongo, now: datetime):
    return refresh_reminders(
        mongo.collection(NOTICES).database,
        now,
        DEFAULT_OFFSETS,
        lambda job_id: f"https://campus.example/jobs/{job_id}",
    )


def reminder_id(closes: datetime, hours: int, job_id: str = "JP-1") -> str:
    return f"reminder:{job_id}:{hours}h:{int(closes.timestamp())}"


def test_due_reminders_are_queued_once_across_runs(mongo) -> None:
    closes = NOW + timedelta(hours=20)
    put_job(mongo, closes)
    first = run(mongo, NOW)
    assert first.queued == [reminder_id(closes, 24)] and first.open_deadlines == 1
    assert [r.reminder_id for r in first.next_due] == [f"JP-1:3h:{int(closes.timestamp())}"]
    notice = mongo.collection(NOTICES).find_one({"_id": reminder_id(closes, 24)})
    assert notice["type"] == "reminder" and notice["job_id"] == "JP-1" and notice["pending"] is True
    assert notice["delivery"] == {"telegram": "pending", "web_push": "pending"}
    assert "Acme" in notice["telegram_html"][0]
    # Delivery finds it through the outbox, like every queued notice.
    assert [entry.notice_id for entry in read_pending(mongo.db())] == [reminder_id(closes, 24)]
    again = run(mongo, NOW + timedelta(minutes=15))
    assert again.queued == [] and again.already_queued == 1
    later = run(mongo, closes - timedelta(hours=2))
    assert later.queued == [reminder_id(closes, 3)] and later.already_queued == 1
    assert mongo.collection(NOTICES).count_documents({"type": "reminder"}) == 2
    assert run(mongo, closes + timedelta(minutes=1)).queued == []


def test_a_moved_deadline_cancels_the_pending_reminder_and_gets_its_own(mongo) -> None:
    closes = NOW + timedelta(hours=20)
    put_job(mongo, closes)
    run(mongo, NOW)
    moved = NOW + timedelta(hours=40)
    put_job(mongo, moved)
    report = run(mongo, NOW + timedelta(minutes=15))
    assert report.queued == [] and report.cancelled == [reminder_id(closes, 24)]
    old = mongo.collection(NOTICES).find_one({"_id": reminder_id(closes, 24)})
    assert old["pending"] is False and old["delivery"]["telegram"] == "skipped"
    assert old["delivery_note"] == CANCELLED_NOTE
    assert read_pending(mongo.db()) == []  # cancelled: no longer awaiting delivery
    assert run(mongo, moved - timedelta(hours=23)).queued == [reminder_id(moved, 24)]


def test_a_removed_or_passed_deadline_sends_nothing(mongo) -> None:
    closes = NOW + timedelta(hours=2)
    put_job(mongo, closes)
    put_job(mongo, NOW - timedelta(hours=1), "JP-PAST")
    first = run(mongo, NOW)
    assert set(first.queued) == {reminder_id(closes, 3), reminder_id(closes, 24)}
    put_job(mongo, None)
    report = run(mongo, NOW + timedelta(minutes=15))
    assert sorted(report.cancelled) == sorted(first.queued) and report.open_deadlines == 0
    assert mongo.collection(NOTICES).count_documents({"pending": True}) == 0
    # Sent reminders are history: a later cancellation never touches them.
    put_job(mongo, closes, "JP-2")
    sent = run(mongo, NOW).queued
    mongo.collection(NOTICES).update_many(
        {"_id": {"$in": sent}}, {"$set": {"pending": False, "delivery.telegram": "sent"}}
    )
    mongo.collection(ENRICHED_JOBS).delete_one({"_id": "JP-2"})
    assert run(mongo, NOW).cancelled == []


def test_reminders_follow_the_job_targeting_and_the_reminders_switch(mongo) -> None:
    job = {
        "id": "JP-1",
        "eligibility_courses": ["B.Tech - Computer Science and Engineering"],
        "package": 900_000,
    }
    notice = TargetNotice.of({"_id": "reminder:JP-1:24h:1", "type": "reminder", "job_id": "JP-1"}, job)
    assert notice.reminder and notice.package_lpa == 9.0
    assert wants(notice, None) and wants(notice, Profile(branch="CSE"))
    assert not wants(notice, Profile(branch="ECE"))
    assert not wants(notice, Profile(branch="CSE", reminders=False))
    assert not wants(notice, Profile(min_ctc_lpa=10))
    assert wants(notice, Profile(categories=frozenset({"job_posting"})))


def test_the_asset_queues_and_shows_what_is_due_next_in_ist(mongo, monkeypatch) -> None:
    monkeypatch.setenv("REMINDER_OFFSETS_HOURS", "48,2")
    closes = datetime.now(UTC) + timedelta(hours=30)
    put_job(mongo, closes)
    result = dg.materialize([deadline_reminders], resources={"mongo": mongo})
    assert result.success
    metadata = result.asset_materializations_for_node("deadline_reminders")[0].metadata
    assert metadata["queued"].value == 1 and metadata["offsets_hours"].value == "48,2"
    assert "IST" in str(metadata["next_due"].value) and "Acme" in str(metadata["next_due"].value)
    monkeypatch.setenv("REMINDER_OFFSETS_HOURS", "soon")
    assert not dg.materialize([deadline_reminders], resources={"mongo": mongo}, raise_on_error=False).success
