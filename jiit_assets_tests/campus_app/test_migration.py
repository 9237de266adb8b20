"""Taking over an older installation: migrate its database, then run ours without re-sending anything."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest
from pymongo.database import Database

from jiit_assets.cli import main
from jiit_assets.defs.campus_app.migration import migrate_legacy
from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.superset.assets import enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.notice_store import notice_content_hash
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets_tests.campus_app.legacy_db import DATA, LegacyFixture, build_legacy_database
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT
from jiit_assets_tests.standins.superset import SupersetStandin
from jiit_assets_tests.standins.telegram import TelegramStandin

# The stand-in's portal notices are from 2025: with this window our run would send every one of
# them, so anything it does not send was recognised as already sent.
EVERYTHING_IS_RECENT = {"ops": {"notices": {"config": {"backlog_days": 100_000}}}}
OURS = ("enriched_jobs", "email_placement_offers", "official_placement_stats", "users", "notices")


@pytest.fixture
def legacy(mongo: MongoResource) -> Iterator[tuple[Database[dict[str, Any]], LegacyFixture]]:
    name = f"legacy_{uuid.uuid4().hex[:10]}"
    database = mongo.client[name]
    try:
        yield database, build_legacy_database(database)
    finally:
        mongo.client.drop_database(name)


def counts(mongo: MongoResource) -> dict[str, int]:
    return {name: mongo.db()[name].count_documents({}) for name in (*OURS, "raw_superset_notices")}


def test_dry_run_counts_everything_and_writes_nothing(mongo: MongoResource, legacy: Any) -> None:
    database, fixture = legacy
    report = migrate_legacy(database, lambda name: mongo.db()[name], dry_run=True).as_dict()
    assert mongo.db().list_collection_names() == []
    collections = report["collections"]
    assert collections["Users"] == {"read": 5, "new": 4, "present": 0, "invalid": 1}
    assert collections["PlacementOffers"]["new"] == 2  # "Acme Corp" and "Acme Corp." are one company
    assert collections["Notices"]["new"] == len(fixture.portal_sent) + 1 + 4
    assert collections["Notices"]["invalid"] == 1
    assert report["notices_by_delivery_state"] == {
        "sent": len(fixture.portal_sent) + 2,
        "pending": 1,
        "skipped": 2,
    }


def test_migration_imports_once_and_the_first_hourly_run_resends_nothing(
    mongo: MongoResource,
    legacy: Any,
    superset_standin: SupersetStandin,
    superset_resource: SupersetResource,
    telegram_standin: TelegramStandin,
    telegram_resource: TelegramResource,
) -> None:
    database, fixture = legacy
    first = migrate_legacy(database, mongo.collection, dry_run=False).as_dict()
    stored = counts(mongo)
    assert stored["notices"] == first["collections"]["Notices"]["new"]
    check_imported(mongo, fixture)

    # Twice: nothing new, nothing changed.
    second = migrate_legacy(database, mongo.collection, dry_run=False).as_dict()
    assert all(c["new"] == 0 for c in second["collections"].values()), second
    assert counts(mongo) == stored

    resources = {
        "mongo": mongo,
        "superset": superset_resource,
        "telegram": telegram_resource,
        "web_push": WebPushResource(),
    }
    hourly = [raw_superset_notices, enriched_jobs, notices, deliveries]
    assert dg.materialize(hourly, resources=resources, run_config=EVERYTHING_IS_RECENT).success

    delivered = {entry["notice_id"] for entry in mongo.collection("deliveries").find({}, {"notice_id": 1})}
    expected = {f"superset:{identifier}" for identifier in fixture.portal_never_seen}
    expected.add(f"email:legacy-{fixture.email_unsent_recent}")
    assert delivered == expected
    queue = {n["_id"]: n for n in mongo.collection("notices").find({"_id": {"$in": sorted(expected)}})}
    sent_chunks = sum(len(queue[notice_id]["telegram_html"]) for notice_id in expected)
    recipients = 1 + len(fixture.active_chats)  # the channel and every active migrated subscriber
    assert len(telegram_standin.messages) == sent_chunks * recipients
    for chat in fixture.inactive_chats:
        assert telegram_standin.messages_for(chat) == []
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == sent_chunks
    # Nothing the portal still lists was taken for an edit.
    assert mongo.collection("notices").count_documents({"revision": {"$gt": 1}}) == 0


def check_imported(mongo: MongoResource, fixture: LegacyFixture) -> None:
    queue = mongo.collection("notices")
    for identifier in fixture.portal_sent:
        notice = queue.find_one({"_id": f"superset:{identifier}"})
        assert notice is not None and notice["delivery"] == {"telegram": "sent", "web_push": "sent"}
        assert notice["pending"] is False and notice["sent_to_telegram"] is True
    old = queue.find_one({"_id": f"superset:{fixture.portal_unsent_old}"})
    assert old is not None and old["delivery"]["telegram"] == "skipped"
    recent = queue.find_one({"_id": f"email:legacy-{fixture.email_unsent_recent}"})
    assert (
        recent is not None
        and recent["pending"] is True
        and recent["legacy_id"] == fixture.email_unsent_recent
    )
    assert (
        queue.find_one({"_id": f"email:legacy-{fixture.email_unsent_old}"})["delivery"]["telegram"]
        == "skipped"
    )  # type: ignore[index]
    sent_mail = queue.find_one({"_id": f"email:legacy-{fixture.email_sent}"})
    assert sent_mail is not None and sent_mail["pending"] is False
    assert sent_mail["delivery"] == {"telegram": "sent", "web_push": "sent"}
    assert (
        queue.find_one({"_id": f"placement_offer:legacy-{fixture.placement_sent}"})["type"]
        == "placement_offer"
    )  # type: ignore[index]
    # The portal copies carry the hash our portal fetch computes, so they are not news to it.
    standin_notices = {n["identifier"]: n for n in _standin_notices()}
    for raw in mongo.collection("raw_superset_notices").find({}):
        assert raw["notice_state"] == "queued"
        assert raw["content_hash"] == notice_content_hash(standin_notices[raw["_id"]])
    users = {u["_id"]: u for u in mongo.collection("users").find({})}
    assert {int(k) for k, u in users.items() if u["is_active"]} == fixture.active_chats
    assert {int(k) for k, u in users.items() if not u["is_active"]} == fixture.inactive_chats
    assert all(isinstance(u["chat_id"], int) for u in users.values())
    acme = mongo.collection("email_placement_offers").find_one({"_id": "acme"})
    assert acme is not None and [s["name"] for s in acme["students_selected"]] == [
        "Asha Verma",
        "Rohan Gupta",
    ]
    assert "@" not in json.dumps(acme, default=str)  # no student e-mail address, no sender
    jobs = list(mongo.collection("enriched_jobs").find({}))
    assert all(isinstance(job["createdAt"], int) and None not in job["hiring_flow"] for job in jobs)
    assert sum(not job["enriched"] for job in jobs) == 1
    snapshots = list(mongo.collection("official_placement_stats").find({}).sort("scrape_timestamp", -1))
    assert len(snapshots) == 2 and snapshots[0]["batches"][0]["placement_pointers"] == ["700+ offers"]


def _standin_notices() -> list[dict[str, Any]]:
    return [entry["notice"] for entry in json.loads((DATA / "notices.json").read_text())]


def test_the_command_line_prints_counts_and_honours_dry_run(
    mongo: MongoResource, mongo_uri: str, legacy: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    database, _ = legacy
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    monkeypatch.setenv("MONGODB_DATABASE", mongo.database)
    assert main(["migrate", "legacy", "--from-database", database.name, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] is True and dry["collections"]["Jobs"]["new"] == 6
    assert mongo.db().list_collection_names() == []
    assert main(["migrate", "legacy", "--from-database", database.name]) == 0
    real = json.loads(capsys.readouterr().out)
    assert real["collections"]["Jobs"] == dry["collections"]["Jobs"]
    assert counts(mongo)["enriched_jobs"] == 6

    assert main(["migrate", "legacy", "--from-database", f"{database.name}_missing"]) == 1
    assert "holds none of" in capsys.readouterr().err
