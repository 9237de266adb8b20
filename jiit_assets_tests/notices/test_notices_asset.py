"""The notices asset against the real local database: queue once, never twice, edits, backlog, e-mail sources."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from jiit_assets.defs.notices.assets import notices, pending_notices_are_deliverable
from jiit_assets.defs.notices.queue import Outcome, load_superset, mark_done, plan_writes
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.mongo_writes import insert_new
from jiit_assets.lib.queue_requests import QueueRequest, read_requests, request_queueing
from jiit_assets_tests.notices.samples import JOBS, SAMPLES

NOW = datetime.now(UTC).replace(microsecond=0)


def _raw(notice: dict[str, Any], published: datetime, *, state: str | None = "pending") -> dict[str, Any]:
    """A raw_superset_notices document as the superset asset stores it."""
    document = dict(notice)
    published_ms = int(published.timestamp() * 1000)
    document.update(
        {
            "_id": notice["identifier"],
            "publishedAt": published_ms,
            "lastModifiedOn": published_ms,
            "first_seen_at": NOW,
            "last_modified_at": published,
            "published_at": published,
            # Only read by the one-time adoption of a database from before queue requests.
            "notice_state": state,
        }
    )
    document["content_hash"] = hashlib.sha256((document["title"] + document["content"]).encode()).hexdigest()
    return document


def _sample(identifier: str) -> dict[str, Any]:
    return next(sample.notice for sample in SAMPLES if sample.notice["identifier"] == identifier)


def _materialize(mongo: MongoResource, backlog_days: int = 7) -> dict[str, Any]:
    result = dg.materialize(
        [notices],
        resources={"mongo": mongo},
        run_config={"ops": {"notices": {"config": {"backlog_days": backlog_days}}}},
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("notices")
    return {key: value.value for key, value in materialization.metadata.items()}


def _seed(mongo: MongoResource, raw_documents: list[dict[str, Any]]) -> None:
    mongo.collection("enriched_jobs").insert_many([dict(job) for job in JOBS])
    if raw_documents:
        mongo.collection("raw_superset_notices").insert_many(
            [{k: v for k, v in doc.items() if k != "notice_state"} for doc in raw_documents]
        )
        _request(mongo, *(doc for doc in raw_documents if doc.get("notice_state") == "pending"))


def _request(mongo: MongoResource, *raw_documents: dict[str, Any]) -> None:
    """What the SuperSet asset does after storing a new or edited notice."""
    request_queueing(
        mongo.db(),
        [QueueRequest("raw_superset_notices", doc["_id"], doc.get("content_hash")) for doc in raw_documents],
    )


def _open_requests(mongo: MongoResource) -> set[Any]:
    return {request.source_id for request in read_requests(mongo.db(), "raw_superset_notices")}


def test_first_run_queues_recent_notices_and_skips_the_backlog(mongo: MongoResource) -> None:
    recent = [_raw(_sample(i), NOW - timedelta(days=1)) for i in ("n-sl-acme", "n-jp-acme-qa", "n-hk-sih")]
    old = [_raw(_sample(i), NOW - timedelta(days=40)) for i in ("n-an-policy", "n-wb-pm")]
    _seed(mongo, recent + old)

    metadata = _materialize(mongo)

    assert metadata["queued_new"] == 5
    assert metadata["skipped_backlog"] == 2
    assert metadata["unchanged"] == 0 and metadata["updated"] == 0
    assert metadata["by_type"] == {
        "announcement": 1,
        "hackathon": 1,
        "job_posting": 1,
        "shortlisting": 1,
        "webinar": 1,
    }
    assert metadata["by_source"] == {"superset": 5}
    assert "Shortlist for Online Test - Acme Corp" in metadata["preview"]

    queue = mongo.collection("notices")
    pending_ids = {doc["_id"] for doc in queue.find({"pending": True}, {"_id": 1})}
    assert pending_ids == {"superset:n-sl-acme", "superset:n-jp-acme-qa", "superset:n-hk-sih"}

    shortlist = queue.find_one({"_id": "superset:n-sl-acme"})
    assert shortlist is not None
    assert shortlist["delivery"] == {"telegram": "pending", "web_push": "pending"}
    assert shortlist["revision"] == 1
    assert shortlist["type"] == "shortlisting" and shortlist["category"] == "shortlisting"
    assert shortlist["job_id"] == "j-acme-sde"
    assert shortlist["students"][0] == {"name": "Pooja Agarwal", "enrollment_number": "9922103241"}
    assert shortlist["telegram_html"][0].startswith("🎉 <b>Shortlisting</b>")
    assert shortlist["push"]["url"] == "https://jiit-placement-updates.tashif.codes/jobs/j-acme-sde"
    content = NoticeContent.from_document(shortlist)
    assert shortlist["content_hash"] == content.content_hash()

    policy = queue.find_one({"_id": "superset:n-an-policy"})
    assert policy is not None
    assert policy["delivery"] == {"telegram": "skipped", "web_push": "skipped"}
    assert policy["pending"] is False
    assert "backlog" in policy["delivery_note"]

    assert _open_requests(mongo) == set()


def test_rerun_queues_nothing_and_keeps_delivery_state(mongo: MongoResource) -> None:
    _seed(mongo, [_raw(_sample("n-sl-acme"), NOW - timedelta(hours=2))])
    _materialize(mongo)
    queue = mongo.collection("notices")
    before = queue.find_one({"_id": "superset:n-sl-acme"})
    assert before is not None
    # The delivery job sent it on Telegram meanwhile.
    queue.update_one({"_id": "superset:n-sl-acme"}, {"$set": {"delivery.telegram": "sent"}})

    metadata = _materialize(mongo)
    assert (metadata["queued_new"], metadata["updated"], metadata["unchanged"]) == (0, 0, 0)

    # The portal reported the notice again (a new lastModifiedOn) with the same content.
    raw = mongo.collection("raw_superset_notices")
    raw.update_one({"_id": "n-sl-acme"}, {"$set": {"lastModifiedOn": 1}})
    _request(mongo, raw.find_one({"_id": "n-sl-acme"}))
    metadata = _materialize(mongo)
    assert (metadata["queued_new"], metadata["updated"], metadata["unchanged"]) == (0, 0, 1)

    after = queue.find_one({"_id": "superset:n-sl-acme"})
    assert after is not None
    assert after["delivery"] == {"telegram": "sent", "web_push": "pending"}
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] == before["updated_at"]
    assert after["revision"] == 1
    assert queue.count_documents({}) == 1
    assert _open_requests(mongo) == set()


def test_edited_notice_is_requeued_as_an_update_of_the_same_notice(mongo: MongoResource) -> None:
    raw = _raw(_sample("n-up-acme"), NOW - timedelta(days=20))
    _seed(mongo, [raw])
    assert _materialize(mongo)["skipped_backlog"] == 1  # history on the first run
    queue = mongo.collection("notices")
    first = queue.find_one({"_id": "superset:n-up-acme"})
    assert first is not None and first["delivery"] == {"telegram": "skipped", "web_push": "skipped"}

    edited_content = raw["content"].replace("21 July 2025, 2:00 PM", "23 July 2025, 10:00 AM")
    mongo.collection("raw_superset_notices").update_one(
        {"_id": "n-up-acme"},
        {
            "$set": {
                "content": edited_content,
                "content_hash": "edited-hash",
                "last_modified_at": NOW,  # edited today: news, although published long ago
            }
        },
    )
    _request(mongo, mongo.collection("raw_superset_notices").find_one({"_id": "n-up-acme"}))
    metadata = _materialize(mongo)
    assert (metadata["queued_new"], metadata["updated"], metadata["unchanged"]) == (0, 1, 0)

    second = queue.find_one({"_id": "superset:n-up-acme"})
    assert second is not None
    assert queue.count_documents({}) == 1
    assert second["revision"] == 2
    assert second["delivery"] == {"telegram": "pending", "web_push": "pending"}
    assert second["pending"] is True
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    assert second["telegram_html"][0].startswith("✏️ Updated")
    assert "23 July 2025, 10:00 AM" in second["text"]
    assert second["push"]["title"].startswith("✏️ Updated")

    # The same edit reported again changes nothing.
    _request(mongo, mongo.collection("raw_superset_notices").find_one({"_id": "n-up-acme"}))
    assert _materialize(mongo)["unchanged"] == 1
    assert queue.find_one({"_id": "superset:n-up-acme"})["revision"] == 2


def test_email_notices_and_offer_events_are_rendered_and_queued(mongo: MongoResource) -> None:
    notice = NoticeContent(
        source="email",
        source_id="3f2a9c",
        type=NoticeType.SHORTLISTING,
        title="Interview shortlist - Globex & Co",
        text="Report at 9 AM in LT-1. Students with CGPA < 7 need not attend.",
        facts=(("Company", "Globex & Co"), ("Round", "Technical Interview")),
        students=(Student("Asha Verma", "22103045"), Student("Rohan Gupta", None)),
        company="Globex & Co",
        author="Placement Office",
        published_at=NOW - timedelta(hours=1),
    )
    offer = NoticeContent(
        source="placement_offer",
        source_id="globex:2025-08-21T16:51",
        type=NoticeType.PLACEMENT_OFFER,
        title="Placement Update: Globex & Co",
        text="2 students have been placed at Globex & Co.\n\nPositions:\n- SDE: 2 offers — 12 LPA",
        company="Globex & Co",
        package_lpa=12.0,
        published_at=NOW - timedelta(minutes=30),
    )
    mongo.collection("email_notices").insert_one(
        {"_id": "3f2a9c", "notice_state": "pending", "notice_content": notice.to_document()}
    )
    mongo.collection("email_offer_events").insert_many(
        [
            {
                "_id": "globex:2025-08-21T16:51",
                "notice_state": "pending",
                "notice_content": offer.to_document(),
            },
            {"_id": "broken", "notice_state": "pending", "notice_content": {"title": "no type"}},
        ]
    )

    metadata = _materialize(mongo)
    assert metadata["queued_new"] == 2
    assert metadata["invalid"] == 1
    assert metadata["by_source"] == {"email": 1, "placement_offer": 1}

    queue = mongo.collection("notices")
    email_doc = queue.find_one({"_id": "email:3f2a9c"})
    assert email_doc is not None and email_doc["pending"] is True
    assert "Globex &amp; Co" in email_doc["telegram_html"][0]
    assert "CGPA &lt; 7" in email_doc["telegram_html"][0]
    assert "2. Rohan Gupta" in email_doc["telegram_html"][0]
    offer_doc = queue.find_one({"_id": "placement_offer:globex:2025-08-21T16:51"})
    assert offer_doc is not None and offer_doc["telegram_html"][0].startswith("🏆 <b>Placement Offers</b>")

    assert mongo.collection("email_notices").find_one({"_id": "3f2a9c"})["notice_state"] == "queued"
    events = {d["_id"]: d for d in mongo.collection("email_offer_events").find({})}
    assert events["globex:2025-08-21T16:51"]["notice_state"] == "queued"
    assert events["broken"]["notice_state"] == "invalid"
    assert "notice_content" in events["broken"]["notice_error"]

    assert _materialize(mongo)["queued_new"] == 0


def test_malformed_portal_notice_is_set_aside_and_the_rest_is_queued(mongo: MongoResource) -> None:
    good = _raw(_sample("n-jp-acme-qa"), NOW)
    bad = _raw(_sample("n-wb-pm"), NOW)
    bad["_id"] = bad["identifier"] = "n-bad"
    bad["title"] = {"en": "not a string"}
    _seed(mongo, [good, bad])

    metadata = _materialize(mongo)
    assert (metadata["queued_new"], metadata["invalid"]) == (1, 1)
    raw = {d["_id"]: d for d in mongo.collection("raw_superset_notices").find({})}
    assert raw["n-bad"]["notice_state"] == "invalid"
    assert "title" in raw["n-bad"]["notice_error"]
    assert mongo.collection("notices").count_documents({}) == 1


def test_crash_between_queueing_and_marking_reprocesses_idempotently(mongo: MongoResource) -> None:
    _seed(mongo, [_raw(_sample("n-sl-nimbus"), NOW)])
    _materialize(mongo)
    # As if the run died after writing the queue but before marking the source.
    _request(mongo, mongo.collection("raw_superset_notices").find_one({"_id": "n-sl-nimbus"}))
    metadata = _materialize(mongo)
    assert (metadata["queued_new"], metadata["updated"], metadata["unchanged"]) == (0, 0, 1)
    assert mongo.collection("notices").count_documents({}) == 1
    assert _open_requests(mongo) == set()


def test_only_pending_sources_are_read_and_an_edit_made_meanwhile_stays_pending(mongo: MongoResource) -> None:
    queued_already = _raw(_sample("n-hk-sih"), NOW, state="queued")
    _seed(mongo, [queued_already, _raw(_sample("n-wb-pm"), NOW)])
    assert _materialize(mongo)["queued_new"] == 1  # the queued one is not touched
    assert mongo.collection("notices").find_one({"_id": "superset:n-hk-sih"}) is None


def test_deliverability_check_flags_a_pending_notice_telegram_would_refuse(mongo: MongoResource) -> None:
    _seed(mongo, [_raw(_sample("n-an-long"), NOW), _raw(_sample("n-wb-pm"), NOW)])

    def run_check() -> dg.AssetCheckEvaluation:
        result = dg.materialize([notices, pending_notices_are_deliverable], resources={"mongo": mongo})
        [evaluation] = result.get_asset_check_evaluations()
        return evaluation

    evaluation = run_check()
    assert evaluation.passed
    assert evaluation.metadata["pending_checked"].value == 2
    mongo.collection("notices").update_one(
        {"_id": "superset:n-wb-pm"}, {"$set": {"telegram_html": ["x" * 4097]}}
    )
    evaluation = run_check()
    assert not evaluation.passed
    assert evaluation.metadata["examples"].value == {
        "superset:n-wb-pm": "a Telegram chunk is over 4096 units"
    }


def test_marking_in_bulk_keeps_each_documents_edit_guard(mongo: MongoResource) -> None:
    identifiers = ["n-sl-nimbus", "n-wb-pm", "n-hk-sih"]
    _seed(mongo, [_raw(_sample(identifier), NOW) for identifier in identifiers])
    outcome = Outcome()
    sources = load_superset(mongo.db(), "https://portal.example/jobs/", outcome)
    assert sorted(source.source_id for source in sources) == sorted(identifiers)
    # The portal edits one notice after this run read it and before it marks the sources.
    raw = mongo.collection("raw_superset_notices")
    raw.update_one({"_id": "n-wb-pm"}, {"$set": {"content": "Edited meanwhile", "content_hash": "edited"}})
    _request(mongo, raw.find_one({"_id": "n-wb-pm"}))
    mark_done(mongo.db(), sources, outcome, NOW)
    assert _open_requests(mongo) == {"n-wb-pm"}
    # The next run queues the edit.
    _materialize(mongo)
    assert _open_requests(mongo) == set()


def test_a_notice_queued_by_a_concurrent_run_meanwhile_is_kept(mongo: MongoResource) -> None:
    _seed(mongo, [_raw(_sample("n-sl-nimbus"), NOW), _raw(_sample("n-wb-pm"), NOW)])
    outcome = Outcome()
    sources = load_superset(mongo.db(), "https://portal.example/jobs/", outcome)
    writes = plan_writes(sources, {}, NOW, 7, outcome)
    assert len(writes.inserts) == 2 and not writes.updates
    queue = mongo.collection("notices")
    # Another run inserted one of them between this run's read of the queue and its insert.
    queue.insert_one({**writes.inserts[0], "revision": 1, "marker": "other run"})
    insert_new(queue, writes.inserts)
    assert queue.count_documents({}) == 2
    assert queue.find_one({"_id": writes.inserts[0]["_id"]})["marker"] == "other run"


def test_a_database_from_before_queue_requests_is_adopted_once(mongo: MongoResource) -> None:
    # Raw notices marked pending the old way, as an existing installation holds them.
    legacy = [_raw(_sample(i), NOW) for i in ("n-sl-acme", "n-wb-pm")]
    mongo.collection("enriched_jobs").insert_many([dict(job) for job in JOBS])
    mongo.collection("raw_superset_notices").insert_many(legacy)
    assert _materialize(mongo)["queued_new"] == 2
    assert _open_requests(mongo) == set()
    # Adopted once: the old marks are gone and a second run finds nothing to do.
    assert mongo.collection("raw_superset_notices").count_documents({"notice_state": "pending"}) == 0
    assert _materialize(mongo)["queued_new"] == 0
