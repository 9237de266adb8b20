"""A database in the older system's shapes, built from the SuperSet stand-in's own fixture data.

It holds what an installation of the older system would hold after running against the same
portal: its ``Notices`` (portal notices it fetched and sent, e-mail notices, offer broadcasts),
``Jobs``, ``PlacementOffers`` (with students' e-mail addresses), ``OfficialPlacementData`` and
``Users``, with the older system's mixed time representations (epoch ms as int, float or digit
string, naive UTC datetimes, ``+05:30`` ISO strings, naive IST strings) and legacy fields.

``python -m jiit_assets_tests.campus_app.legacy_db [URI] [DATABASE]`` writes it for a manual try
(default: the local `make db` server, database ``SupersetPlacement``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

from jiit_assets.defs.superset.portal_jobs import structure_job
from jiit_assets.lib.text import IST

DATA = Path(__file__).resolve().parents[1] / "standins" / "data" / "superset"
NEVER_SEEN = 2  # the last portal notices: published after the older system stopped
UNSENT_PORTAL = 0  # index of a portal notice the older system stored but never sent


@dataclass(frozen=True)
class LegacyFixture:
    portal_sent: list[str]  # portal identifiers the older system sent
    portal_unsent_old: str  # stored, never sent, published long ago
    portal_never_seen: list[str]  # in the portal, not in the older database
    email_sent: str
    email_unsent_recent: str
    email_unsent_old: str
    placement_sent: str
    active_chats: set[int]
    inactive_chats: set[int]


def _notices() -> list[dict[str, Any]]:
    return [entry["notice"] for entry in json.loads((DATA / "notices.json").read_text())]


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _portal_notice(notice: dict[str, Any], index: int, sent: bool) -> dict[str, Any]:
    published, modified = notice.get("publishedAt"), notice.get("lastModifiedOn") or notice.get("publishedAt")
    # The older system wrote epoch ms; drivers and hand edits left floats and digit strings too.
    representations = [lambda v: v, float, str]
    as_stored = representations[index % 3]
    saved = datetime.fromtimestamp(published / 1000, tz=UTC) + timedelta(minutes=5)
    document: dict[str, Any] = {
        "id": notice["identifier"],
        "title": notice.get("title") or "Notice",
        "content": notice.get("content") or "",
        "author": notice.get("lastModifiedByUserName") or "",
        "createdAt": as_stored(published),
        "updatedAt": as_stored(modified),
        "source": "Superset",
        "category": ["update", "shortlisting", "announcement", "job posting"][index % 4],
        "matched_job_id": None,
        "job_company": None,
        "formatted_message": f"**{notice.get('title')}**\n\n*Posted by*: T&P \n*On:* July 17, 2025 at 12:01 PM IST",
        "saved_at": _naive_utc(saved),
        "sent_to_telegram": sent,
    }
    if sent:
        document["sent_at"] = _naive_utc(saved + timedelta(minutes=1))
    if index % 5 == 0:  # legacy fields the web app still reads
        document["matched_job"] = {"id": "jp-legacy", "company": "Acme Corp"}
        document["extracted"] = {"company_name": "Acme Corp"}
        document["shortlisted_students"] = [{"name": "Asha Verma", "enrollment_number": "22103045"}]
    return document


def _email_notice(identifier: str, title: str, when: datetime, sent: bool) -> dict[str, Any]:
    return {
        "id": identifier,
        "title": title,
        "content": f"{title}. Please read the details and register before the deadline.",
        "author": "T&P Office <tnp@jiit.ac.in>",
        "type": "webinar",
        "source": "Email Notice Service",
        "formatted_message": f"**{title}**",
        "createdAt": int(when.timestamp() * 1000),
        "updatedAt": int(when.timestamp() * 1000),
        "sent_to_telegram": sent,
        "time_sent": when.astimezone(IST).isoformat(),
        "deadline": (when + timedelta(days=3)).astimezone(IST).replace(tzinfo=None).isoformat(),
        "links": ["https://forms.example.org/register"],
        "saved_at": _naive_utc(when),
    }


def _jobs() -> list[dict[str, Any]]:
    jobs = []
    for index, entry in enumerate(json.loads((DATA / "jobs.json").read_text())[:6]):
        job = structure_job(entry["listing"], entry.get("details"), entry.get("document_urls")).to_document()
        for ours_only in ("_id", "company_key", "enriched", "enrichment_error"):
            job.pop(ours_only)
        if index == 1:
            job["createdAt"] = str(job["createdAt"])
            job["deadline"] = float(job["deadline"]) if job["deadline"] else None
            job["hiring_flow"] = [*job["hiring_flow"], None]  # a gap in the stage sequence
        if index == 2:
            job["placement_type"] = None  # built from the listing only
        job["saved_at"] = datetime(2025, 7, 1, 6, 30)
        jobs.append(job)
    return jobs


def _offers() -> list[dict[str, Any]]:
    def student(name: str, enrollment: str, package: float) -> dict[str, Any]:
        return {"name": name, "enrollment_number": enrollment, "email": f"{enrollment}@mail.jiit.ac.in",
                "role": "SDE", "package": package}  # fmt: skip

    base = {"roles": [{"role": "SDE", "package": 12.0, "package_details": "12 LPA CTC"}],
            "job_location": ["Noida"], "joining_date": "2026-07-01", "additional_info": None,
            "email_subject": "Final selections", "email_sender": "T&P Office"}  # fmt: skip
    return [
        {**base, "company": "Acme Corp", "students_selected": [student("Asha Verma", "22103045", 12.0)],
         "number_of_offers": 1, "time_sent": "2025-08-21T16:51:00+05:30", "saved_at": datetime(2025, 8, 21, 11, 30)},
        {**base, "company": "Acme Corp.", "students_selected": [student("Rohan Gupta", "22103046", 12.0)],
         "number_of_offers": 1, "time_sent": "2025-08-25T10:00:00+05:30", "saved_at": datetime(2025, 8, 25, 4, 40),
         "updated_at": datetime(2025, 8, 25, 4, 41)},
        {**base, "company": "Zscaler", "roles": [{"role": "Security Engineer", "package": 18.5}],
         "students_selected": [student("Kavya Jain", "9922103115", 18.5)], "number_of_offers": 1,
         "time_sent": None, "saved_at": datetime(2025, 9, 2, 9, 0)},
    ]  # fmt: skip


def _official() -> list[dict[str, Any]]:
    batch = {"batch_name": "2025 (Till date)", "is_active": True, "placement_pointers": ["650+ offers"],
             "package_distribution": [{"category": "> 20 LPA", "average": "28.5 LPA", "median": "25 LPA"}]}  # fmt: skip
    snapshot = {"main_heading": "Training & Placement", "intro_text": "JIIT placements",
                "recruiter_logos": [{"src": "https://www.jiit.ac.in/uploads/logo1.png", "alt": "Acme"}],
                "batches": [batch], "content_hash": "0" * 64}  # fmt: skip
    return [
        {**snapshot, "scrape_timestamp": "2025-09-01T12:00:03.123456"},
        {**snapshot, "batches": [{**batch, "placement_pointers": ["700+ offers"]}],
         "scrape_timestamp": "2025-10-01T12:00:02.654321"},
    ]  # fmt: skip


def _users() -> list[dict[str, Any]]:
    created = datetime(2025, 6, 1, 8, 0)
    return [
        {"user_id": 5001, "chat_id": 5001, "username": "asha", "first_name": "Asha", "last_name": "V",
         "is_active": True, "created_at": created, "updated_at": created},
        {"user_id": 5002, "chat_id": "5002", "username": None, "first_name": "Rohan", "last_name": None,
         "is_active": True, "created_at": created},
        {"user_id": 5003, "username": "kavya", "first_name": "Kavya", "is_active": True, "created_at": created},
        {"user_id": 5004, "chat_id": 5004, "first_name": "Left", "is_active": False, "created_at": created},
        {"first_name": "Broken", "is_active": True},  # neither chat nor user id: cannot be migrated
    ]  # fmt: skip


def build_legacy_database(database: Database[dict[str, Any]], now: datetime | None = None) -> LegacyFixture:
    """Write the older system's collections into ``database``; what it holds is described by the result."""
    now = now or datetime.now(UTC)
    portal = _notices()
    kept = portal[:-NEVER_SEEN]
    notices = [_portal_notice(n, i, sent=i != UNSENT_PORTAL) for i, n in enumerate(kept)]
    notices += [
        _email_notice("notice_Webinar_on_cloud_1755000000", "Webinar on cloud", now - timedelta(days=40), True),
        _email_notice("notice_Webinar_on_AI_agents_1764000000", "Webinar on AI agents", now - timedelta(hours=3), False),
        _email_notice("notice_Old_unsent_talk_1750000000", "Old unsent talk", now - timedelta(days=30), False),
        {"id": "placement_Acme_Corp_1755768060", "title": "Placement Update: Acme Corp", "type": "placement_update",
         "source": "Placement Offer Service", "content": "1 student have been placed at Acme Corp.",
         "formatted_message": "1 student have been placed at Acme Corp.", "author": "PlacementBot",
         "placement_offer_ref": "66c5e0f5a1b2c3d4e5f60718", "is_update": False, "new_students_count": None,
         "createdAt": 1755768060000, "updatedAt": 1755768060000, "sent_to_telegram": True,
         "saved_at": datetime(2025, 8, 21, 11, 31)},
        {"title": "A notice without an id", "source": "Superset", "category": "update"},
    ]  # fmt: skip
    database["Notices"].insert_many(notices)
    database["Jobs"].insert_many(_jobs())
    database["PlacementOffers"].insert_many(_offers())
    database["OfficialPlacementData"].insert_many(_official())
    database["Users"].insert_many(_users())
    return LegacyFixture(
        portal_sent=[n["identifier"] for i, n in enumerate(kept) if i != UNSENT_PORTAL],
        portal_unsent_old=kept[UNSENT_PORTAL]["identifier"],
        portal_never_seen=[n["identifier"] for n in portal[-NEVER_SEEN:]],
        email_sent="notice_Webinar_on_cloud_1755000000",
        email_unsent_recent="notice_Webinar_on_AI_agents_1764000000",
        email_unsent_old="notice_Old_unsent_talk_1750000000",
        placement_sent="placement_Acme_Corp_1755768060",
        active_chats={5001, 5002, 5003},
        inactive_chats={5004},
    )


if __name__ == "__main__":
    uri = sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017/"
    name = sys.argv[2] if len(sys.argv) > 2 else "SupersetPlacement"
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=5000)
    if any(client[name][c].estimated_document_count() for c in ("Notices", "Jobs", "Users")):
        raise SystemExit(f"database {name!r} already holds data; drop it first or pick another name")
    fixture = build_legacy_database(client[name])
    print(
        f"wrote the older system's collections into {name!r}: {len(fixture.portal_sent)} sent portal notices"
    )
