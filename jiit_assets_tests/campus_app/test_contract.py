"""The serving collections against the campus web app's expectations, field by field.

The documents are produced by running our assets on the stand-ins (SuperSet, the Dovecot mailbox
with the e-mail corpus, the college site, Telegram) into FerretDB, then the campus_app group; none
is written by hand. The checks restate what the web app reads: names, types, units and the
formats it parses out of ``formatted_message``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import dagster as dg
import pytest
from bson import ObjectId

from jiit_assets.defs.campus_app.assets import CAMPUS_APP_ASSETS
from jiit_assets.defs.campus_app.resources import CampusAppResource
from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.email.assets import email_ingestion
from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.official.assets import official_placement_stats
from jiit_assets.defs.official.resources import CollegeSiteResource
from jiit_assets.defs.superset.assets import enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.text import IST
from jiit_assets_tests.email.corpus_table import appendable
from jiit_assets_tests.fixtures.imap import DovecotServer, append_messages

# Every stand-in notice counts as new and is delivered at once: no backlog cut, no flood hold.
EVERYTHING_IS_RECENT = {"ops": {"notices": {"config": {"backlog_days": 100_000, "flood_limit": 100_000}}}}
SUPERSET_CATEGORIES = {"update", "shortlisting", "announcement", "hackathon", "webinar", "job posting"}
EMAIL_TYPES = {
    "update",
    "shortlisting",
    "announcement",
    "hackathon",
    "webinar",
    "job_posting",
    "internship_noc",
    "reminder",
    "placement_update",
}
# The web app's footer rule for a notice's display time.
FOOTER = re.compile(r"\*On:\* ([A-Z][a-z]+) (\d{1,2}), (\d{4}) at (\d{1,2}):(\d{2}) (AM|PM) IST$")
JOB_KEYS = {
    "_id", "id", "job_profile", "company", "placement_category_code", "placement_category", "content",
    "createdAt", "deadline", "eligibility_marks", "eligibility_courses", "allowed_genders",
    "job_description", "location", "package", "annum_months", "package_info", "required_skills",
    "hiring_flow", "placement_type", "documents", "saved_at", "updated_at",
}  # fmt: skip
NOTICE_KEYS = {
    "_id", "id", "title", "content", "author", "createdAt", "updatedAt", "source", "formatted_message",
    "matched_job_id", "job_company", "job_role", "job_location", "package", "package_breakdown",
    "saved_at", "sent_to_telegram", "sent_at",
}  # fmt: skip
NOTICE_KEYS_BY_SOURCE = {
    "Superset": NOTICE_KEYS | {"category"},
    "Email Notice Service": NOTICE_KEYS | {"type", "time_sent", "deadline", "links"},
    "Placement Offer Service": NOTICE_KEYS
    | {"type", "placement_offer_ref", "is_update", "new_students_count"},
}
OPTIONAL_NOTICE_KEYS = {"shortlisted_students", "students", "students_count"}
OFFER_KEYS = {
    "_id", "company", "roles", "job_location", "joining_date", "students_selected", "number_of_offers",
    "time_sent", "saved_at", "updated_at", "createdAt",
}  # fmt: skip
OFFICIAL_KEYS = {
    "_id",
    "content_hash",
    "scrape_timestamp",
    "main_heading",
    "intro_text",
    "recruiter_logos",
    "batches",
}
MS_2020 = 1_577_836_800_000


def is_ms(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and MS_2020 < value < 4_102_444_800_000


def marker(message: str, label: str) -> str | None:
    """What the web app's ``**Label:** value`` parser would read."""
    found = re.search(rf"\*\*{re.escape(label)}:\*\*[ \t]*(.+)", message)
    return found.group(1).strip() if found else None


@pytest.fixture
def pipeline(
    mongo: MongoResource,
    superset_resource: SupersetResource,
    college_site_resource: CollegeSiteResource,
    dovecot: DovecotServer,
    imap_folder: str,
    telegram_resource: TelegramResource,
) -> dict[str, Any]:
    append_messages(dovecot, imap_folder, appendable())
    resources: dict[str, Any] = {
        "mongo": mongo,
        "superset": superset_resource,
        "imap": dovecot.resource(imap_folder),
        "college_site": college_site_resource,
        "telegram": telegram_resource,
        "web_push": WebPushResource(),
        "campus_app": CampusAppResource(mongo=mongo),
    }
    ours = [
        raw_superset_notices,
        enriched_jobs,
        email_ingestion,
        official_placement_stats,
        notices,
        deliveries,
    ]
    assert dg.materialize(ours, resources=resources, run_config=EVERYTHING_IS_RECENT).success
    return resources


def serve(resources: dict[str, Any], checks: dict[str, bool] | None = None) -> dict[str, dict[str, Any]]:
    result = dg.materialize(CAMPUS_APP_ASSETS, resources=resources)
    assert result.success
    if checks is not None:
        for evaluation in result.get_asset_check_evaluations():
            checks[evaluation.asset_key.path[-1]] = evaluation.passed
    return {
        materialization.asset_key.path[-1]: {k: v.value for k, v in materialization.metadata.items()}
        for materialization in result.get_asset_materialization_events()
        for materialization in [materialization.materialization]
    }


def test_serving_collections_hold_what_the_web_app_reads(
    pipeline: dict[str, Any], mongo: MongoResource
) -> None:
    serve(pipeline)
    database = mongo.db()
    jobs = {job["id"]: job for job in database["Jobs"].find({})}
    assert jobs and len(jobs) == mongo.collection("enriched_jobs").count_documents({})
    for job in jobs.values():
        check_job(job)
    notices_by_id = {notice["id"]: notice for notice in database["Notices"].find({})}
    assert len(notices_by_id) == mongo.collection("notices").count_documents({})
    for notice in notices_by_id.values():
        check_notice(notice, jobs)
    sources = {notice["source"] for notice in notices_by_id.values()}
    assert sources == {"Superset", "Email Notice Service", "Placement Offer Service"}
    assert any(n["sent_to_telegram"] for n in notices_by_id.values())  # deliveries ran on the stand-in
    queue = {n["_id"]: n for n in mongo.collection("notices").find({}, {"delivery": 1, "source": 1})}
    for notice in notices_by_id.values():
        if notice["source"] == "Superset":
            assert notice["sent_to_telegram"] == (
                queue[f"superset:{notice['id']}"]["delivery"]["telegram"] == "sent"
            )
    offers = list(database["PlacementOffers"].find({}))
    assert offers and len(offers) == mongo.collection("email_placement_offers").count_documents({})
    for offer in offers:
        check_offer(offer)
    snapshots = list(database["OfficialPlacementData"].find({}).sort("scrape_timestamp", -1))
    assert snapshots
    check_official(snapshots[0])


def check_job(job: dict[str, Any]) -> None:
    assert set(job) == JOB_KEYS, set(job) ^ JOB_KEYS
    assert isinstance(job["id"], str) and job["id"]
    assert isinstance(job["company"], str) and isinstance(job["job_profile"], str)
    assert isinstance(job["placement_category_code"], int) and isinstance(job["placement_category"], str)
    assert is_ms(job["createdAt"]), job["createdAt"]
    assert job["deadline"] is None or is_ms(job["deadline"])
    assert isinstance(job["package"], int | float) and job["package"] >= 0
    if job["package"]:
        assert job["package"] >= 1000  # rupees, never LPA
    assert all(
        set(mark) == {"level", "criteria"} and isinstance(mark["criteria"], int | float)
        for mark in job["eligibility_marks"]
    )
    assert all(isinstance(course, str) for course in job["eligibility_courses"])
    assert set(job["allowed_genders"]) <= {"Female", "Male", "Other"}
    assert all(isinstance(stage, str) and stage for stage in job["hiring_flow"])
    assert all(isinstance(skill, str) for skill in job["required_skills"])
    assert isinstance(job["location"], str) and job["location"]
    assert isinstance(job["package_info"], str) and isinstance(job["job_description"], str)
    assert job["annum_months"] is None or isinstance(job["annum_months"], str)
    assert job["placement_type"] is None or isinstance(job["placement_type"], str)
    assert all(set(doc) == {"name", "identifier", "url"} for doc in job["documents"])
    assert isinstance(job["saved_at"], datetime)


def check_notice(notice: dict[str, Any], jobs: dict[str, dict[str, Any]]) -> None:
    assert set(notice) - OPTIONAL_NOTICE_KEYS == NOTICE_KEYS_BY_SOURCE[notice["source"]], notice["id"]
    for name in ("id", "title", "author", "formatted_message", "content"):
        assert isinstance(notice[name], str), (name, notice["id"])
    assert is_ms(notice["createdAt"]) and is_ms(notice["updatedAt"])
    assert notice["updatedAt"] >= notice["createdAt"]
    assert isinstance(notice["sent_to_telegram"], bool)
    assert isinstance(notice["saved_at"], datetime)
    message = notice["formatted_message"]
    footer = FOOTER.search(message.rstrip("\n").splitlines()[-1])
    assert footer, message[-120:]
    posted = datetime.strptime(" ".join(footer.groups()), "%B %d %Y %I %M %p").replace(tzinfo=IST)
    created = datetime.fromtimestamp(notice["createdAt"] / 1000, tz=IST)
    assert abs(created - posted) < timedelta(minutes=1)
    assert message.splitlines()[-2].startswith("*Posted by*: ")
    if notice["source"] == "Superset":
        assert notice["category"] in SUPERSET_CATEGORIES and "type" not in notice
    else:
        assert notice["type"] in EMAIL_TYPES and "category" not in notice
    if notice["source"] == "Placement Offer Service":
        assert notice["type"] == "placement_update" and isinstance(notice["is_update"], bool)
    if notice["source"] == "Email Notice Service":
        assert datetime.fromisoformat(notice["time_sent"]).utcoffset() == timedelta(hours=5, minutes=30)
        assert isinstance(notice["links"], list)
    for label, field in (("Company", "job_company"), ("Role", "job_role"), ("Location", "job_location")):
        if notice.get(field):
            assert marker(message, label) == notice[field], (label, notice["id"])
    if notice["package"]:
        assert (marker(message, "CTC") or "").startswith(notice["package"])
        assert re.match(r"^₹[\d.,]+ (LPA|L|per month|/month)?", notice["package"]), notice["package"]
    if notice["matched_job_id"] is not None:
        job = jobs[notice["matched_job_id"]]
        assert notice["job_company"] == job["company"]
        if notice.get("category") == "job posting" and job["hiring_flow"]:
            flow = message.split("**Hiring Flow:**", 1)[1].strip().splitlines()
            assert flow[: len(job["hiring_flow"])] == [
                f"{i}. {stage}" for i, stage in enumerate(job["hiring_flow"], start=1)
            ]
        if notice["package_breakdown"]:
            assert notice["package_breakdown"].startswith("(\n") and notice["package_breakdown"].endswith(
                "\n)"
            )
    if notice.get("category") == "shortlisting" and notice.get("shortlisted_students"):
        students = notice["shortlisted_students"]
        assert all(set(s) == {"name", "enrollment_number"} for s in students)
        assert marker(message, "Total Shortlisted") == str(len(students))


def check_offer(offer: dict[str, Any]) -> None:
    assert set(offer) == OFFER_KEYS, set(offer) ^ OFFER_KEYS
    assert isinstance(offer["company"], str) and offer["company"]
    for role in offer["roles"]:
        assert set(role) == {"role", "package", "package_details"}
        assert role["package"] is None or (isinstance(role["package"], float) and 0 < role["package"] < 500)
    for student in offer["students_selected"]:
        assert set(student) == {"name", "enrollment_number", "role", "package"}  # no e-mail address
        assert student["package"] is None or isinstance(student["package"], float)
    assert offer["number_of_offers"] == len(offer["students_selected"]) > 0
    assert is_ms(offer["createdAt"])
    assert isinstance(offer["job_location"], list)
    if offer["time_sent"] is not None:
        assert datetime.fromisoformat(offer["time_sent"]).utcoffset() == timedelta(hours=5, minutes=30)
    assert isinstance(offer["saved_at"], datetime)


def check_official(snapshot: dict[str, Any]) -> None:
    assert set(snapshot) == OFFICIAL_KEYS, set(snapshot) ^ OFFICIAL_KEYS
    scraped = datetime.fromisoformat(snapshot["scrape_timestamp"])
    assert scraped.tzinfo is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", snapshot["scrape_timestamp"])
    assert snapshot["main_heading"] and isinstance(snapshot["intro_text"], str)
    assert snapshot["recruiter_logos"] and all(
        set(logo) == {"src", "alt"} and logo["src"].startswith(("http://", "https://"))
        for logo in snapshot["recruiter_logos"]
    )
    assert sum(batch["is_active"] for batch in snapshot["batches"]) == 1
    for batch in snapshot["batches"]:
        assert set(batch) == {"batch_name", "is_active", "placement_pointers", "package_distribution"}
        assert all(set(row) == {"category", "average", "median"} for row in batch["package_distribution"])
    assert re.fullmatch(r"[0-9a-f]{64}", snapshot["content_hash"])


def test_serving_is_incremental_idempotent_and_keeps_existing_documents(
    pipeline: dict[str, Any], mongo: MongoResource
) -> None:
    database = mongo.db()
    # A document the older system stored under an ObjectId: updated in place, never duplicated.
    some_job = mongo.collection("enriched_jobs").find_one({}, sort=[("_id", 1)])
    assert some_job is not None
    legacy_id = ObjectId()
    database["Jobs"].insert_one({"_id": legacy_id, "id": some_job["id"], "company": "stale", "legacy": True})

    first = serve(pipeline)
    assert first["Jobs"]["inserted"] == first["Jobs"]["documents_in_collection"] - 1
    stored = database["Jobs"].find_one({"id": some_job["id"]})
    assert stored is not None and stored["_id"] == legacy_id and stored["company"] == some_job["company"]
    assert stored["legacy"] is True  # fields we do not write are left alone
    assert database["Jobs"].count_documents({"id": some_job["id"]}) == 1

    again = serve(pipeline)
    for name in ("Jobs", "Notices", "PlacementOffers", "OfficialPlacementData"):
        assert (again[name]["inserted"], again[name]["updated"]) == (0, 0), name

    # An edit in our canonical collections reaches the web app on the next run, and only it.
    mongo.collection("enriched_jobs").update_one(
        {"_id": some_job["_id"]}, {"$set": {"deadline": 1_900_000_000_000}}
    )
    edited = serve(pipeline)
    assert (edited["Jobs"]["inserted"], edited["Jobs"]["updated"]) == (0, 1)
    assert database["Jobs"].find_one({"id": some_job["id"]})["deadline"] == 1_900_000_000_000  # type: ignore[index]
    assert set(database["Jobs"].index_information()) >= {"id", "createdAt_desc"}
    assert database["Jobs"].index_information()["id"]["unique"] is True


def test_a_separate_campus_app_database_is_written_and_ours_untouched(
    pipeline: dict[str, Any], mongo: MongoResource
) -> None:
    other = f"{mongo.database}_web"
    try:
        metadata = serve({**pipeline, "campus_app": CampusAppResource(mongo=mongo, database=other)})
        assert metadata["Notices"]["database"] == other
        assert mongo.client[other]["Notices"].count_documents({}) == metadata["Notices"]["inserted"] > 0
        assert "Notices" not in mongo.db().list_collection_names()
    finally:
        mongo.client.drop_database(other)


def test_duplicates_in_an_older_database_fail_the_key_check_not_the_run(
    pipeline: dict[str, Any], mongo: MongoResource
) -> None:
    snapshot = mongo.collection("official_placement_stats").find_one({})
    assert snapshot is not None
    duplicate = {"content_hash": snapshot["content_hash"], "scrape_timestamp": "2025-01-01T12:00:00.000000"}
    mongo.db()["OfficialPlacementData"].insert_many([dict(duplicate), dict(duplicate)])
    checks: dict[str, bool] = {}
    serve(pipeline, checks)
    assert checks == {"Jobs": True, "Notices": True, "PlacementOffers": True, "OfficialPlacementData": False}
    assert mongo.db()["Notices"].count_documents({}) > 0
