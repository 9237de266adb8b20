"""Our canonical documents in the shapes the campus web app reads (its four collections).

The web app was written against the older system's collections, so each function here turns one
of our documents into exactly that shape and those units:

* ``Jobs`` (from ``enriched_jobs``): the portal job fields under their old names, ``package`` in
  rupees, ``createdAt`` / ``deadline`` in epoch milliseconds;
* ``Notices`` (from the ``notices`` queue): ``id``, ``formatted_message`` with the markers the web
  app parses, ``category`` for portal notices and ``type`` for e-mail ones (offer broadcasts are
  ``placement_update``, which the web app hides), ``sent_to_telegram`` from our delivery state;
* ``PlacementOffers`` (from ``email_placement_offers``): packages as LPA floats, a ``createdAt``
  the web app sorts by, and no student e-mail addresses or mail senders;
* ``OfficialPlacementData`` (from ``official_placement_stats``): ``scrape_timestamp`` as a naive
  IST ISO string, the way the older scraper wrote it.

Pure functions; the natural key of each shape is ``KEY_FIELDS[collection]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jiit_assets.defs.campus_app.message import JobDetails, formatted_message, package_breakdown, package_text
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.schema import CAMPUS_JOBS as JOBS
from jiit_assets.lib.schema import CAMPUS_NOTICES as NOTICES
from jiit_assets.lib.schema import CAMPUS_OFFICIAL_PLACEMENT_DATA as OFFICIAL_PLACEMENT_DATA
from jiit_assets.lib.schema import CAMPUS_PLACEMENT_OFFERS as PLACEMENT_OFFERS
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import aware_utc

KEY_FIELDS = {JOBS: "id", NOTICES: "id", PLACEMENT_OFFERS: "company", OFFICIAL_PLACEMENT_DATA: "content_hash"}

SOURCE_LABELS = {
    "superset": "Superset",
    "email": "Email Notice Service",
    "placement_offer": "Placement Offer Service",
}
PLACEMENT_UPDATE = "placement_update"
JOB_FIELDS = (
    "id",
    "job_profile",
    "company",
    "placement_category_code",
    "placement_category",
    "content",
    "eligibility_marks",
    "eligibility_courses",
    "allowed_genders",
    "job_description",
    "location",
    "package",
    "annum_months",
    "package_info",
    "required_skills",
    "hiring_flow",
    "placement_type",
    "documents",
)

Document = dict[str, Any]


def epoch_ms(moment: datetime) -> int:
    return int(aware_utc(moment).timestamp() * 1000)


def ist_iso(moment: datetime) -> str:
    """``2025-08-21T16:51:00+05:30``: the offset form the older system stored for ``time_sent``."""
    return aware_utc(moment).astimezone(IST).isoformat()


def _when(value: Any) -> datetime | None:
    return aware_utc(value) if isinstance(value, datetime) else None


def _ms(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def job_document(job: Mapping[str, Any]) -> Document:
    """A ``Jobs`` document from an ``enriched_jobs`` one."""
    document: Document = {name: job.get(name) for name in JOB_FIELDS}
    document["id"] = str(job.get("id") or job["_id"])
    first_seen = _when(job.get("first_seen_at")) or _when(job.get("updated_at"))
    created = _ms(job.get("createdAt"))
    if created is None and first_seen is not None:
        created = epoch_ms(first_seen)
    document["createdAt"] = created
    document["deadline"] = _ms(job.get("deadline"))
    document["package"] = job.get("package") if isinstance(job.get("package"), int | float) else 0
    document["location"] = job.get("location") or "Unknown"
    document["package_info"] = job.get("package_info") or ""
    document["job_description"] = job.get("job_description") or ""
    for name in ("eligibility_marks", "eligibility_courses", "allowed_genders", "required_skills"):
        document[name] = list(job.get(name) or [])
    document["hiring_flow"] = list(job.get("hiring_flow") or [])
    document["documents"] = list(job.get("documents") or [])
    document["saved_at"] = first_seen
    document["updated_at"] = _when(job.get("updated_at"))
    return document


def serving_notice_id(notice: Mapping[str, Any]) -> str:
    """The ``id`` the web app knows a notice by: the older system's id for migrated notices, the
    portal's identifier for portal notices (the same id the older system used), else our id."""
    if notice.get("legacy_id"):
        return str(notice["legacy_id"])
    if notice.get("source") == "superset":
        return str(notice.get("source_id") or notice["_id"])
    return str(notice["_id"])


def notice_document(
    notice: Mapping[str, Any], job: Mapping[str, Any] | None, event: Mapping[str, Any] | None
) -> Document:
    """A ``Notices`` document from a queue document, its linked job and (offers) its event."""
    content = NoticeContent.from_document(dict(notice))
    created = _when(notice.get("created_at")) or datetime.now(UTC)
    published = content.published_at or created
    updated = _when(notice.get("updated_at")) or created
    details = JobDetails.from_document(job) if job else None
    telegram = (notice.get("delivery") or {}).get("telegram")
    document: Document = {
        "id": serving_notice_id(notice),
        "title": content.title,
        "content": content.text,
        "author": content.author or "Placement Cell",
        "createdAt": epoch_ms(published),
        "updatedAt": epoch_ms(max(updated, published)),
        "source": SOURCE_LABELS.get(content.source, content.source),
        "formatted_message": formatted_message(content, details, published),
        "matched_job_id": content.job_id,
        "job_company": content.company,
        "job_role": content.role,
        "job_location": _fact(content, "Location"),
        "package": package_text(content),
        "package_breakdown": package_breakdown(details.package_info_html) if details else "",
        "saved_at": created,
        "sent_to_telegram": telegram == "sent",
        "sent_at": _when(notice.get("delivered_at")) if telegram == "sent" else None,
    }
    if content.source == "superset":
        document["category"] = str(content.type).replace("_", " ")
    elif content.type == NoticeType.PLACEMENT_OFFER:
        document.update(_placement_fields(event))
    else:
        document.update(_email_fields(content, published))
    if content.students and content.type == NoticeType.SHORTLISTING:
        document["shortlisted_students"] = [
            {"name": s.name, "enrollment_number": s.enrollment_number} for s in content.students
        ]
    return document


def _fact(content: NoticeContent, label: str) -> str | None:
    return next((value for name, value in content.facts if name == label), None)


def _email_fields(content: NoticeContent, published: datetime) -> Document:
    fields: Document = {
        "type": str(content.type),
        "time_sent": ist_iso(published),
        "deadline": ist_iso(content.deadline) if content.deadline else None,
        "links": [content.url] if content.url else [],
    }
    if content.students:
        fields["students"] = [
            {"name": s.name, "enrollment_number": s.enrollment_number} for s in content.students
        ]
        fields["students_count"] = len(content.students)
    return fields


def _placement_fields(event: Mapping[str, Any] | None) -> Document:
    event = event or {}
    is_update = event.get("type") in ("updated_offer", "update_offer")
    return {
        "type": PLACEMENT_UPDATE,
        "placement_offer_ref": event.get("company_key"),
        "is_update": is_update,
        "new_students_count": int(event.get("new_students") or 0) if is_update else None,
    }


def offer_document(offer: Mapping[str, Any]) -> Document:
    """A ``PlacementOffers`` document; student e-mail addresses and the mail sender never leave."""
    first_seen = _when(offer.get("first_seen_at")) or _when(offer.get("updated_at")) or datetime.now(UTC)
    time_sent = _when(offer.get("time_sent"))
    students = [
        {
            "name": str(student.get("name") or ""),
            "enrollment_number": student.get("enrollment_number"),
            "role": student.get("role"),
            "package": _lpa(student.get("package")),
        }
        for student in offer.get("students_selected") or ()
        if isinstance(student, Mapping)
    ]
    return {
        "company": str(offer["company"]),
        "roles": [
            {
                "role": str(role.get("role") or ""),
                "package": _lpa(role.get("package")),
                "package_details": role.get("package_details"),
            }
            for role in offer.get("roles") or ()
            if isinstance(role, Mapping)
        ],
        "job_location": list(offer.get("job_location") or []),
        "joining_date": offer.get("joining_date"),
        "students_selected": students,
        "number_of_offers": int(offer.get("number_of_offers") or len(students)),
        "time_sent": ist_iso(time_sent) if time_sent else None,
        "saved_at": first_seen,
        "updated_at": _when(offer.get("updated_at")),
        "createdAt": epoch_ms(time_sent or first_seen),
    }


def _lpa(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def official_document(snapshot: Mapping[str, Any]) -> Document:
    """An ``OfficialPlacementData`` document; ``scrape_timestamp`` as the older scraper wrote it."""
    scraped = _when(snapshot.get("scrape_timestamp")) or datetime.now(UTC)
    return {
        "content_hash": str(snapshot.get("content_hash") or snapshot["_id"]),
        "scrape_timestamp": scraped.astimezone(IST).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "main_heading": snapshot.get("main_heading"),
        "intro_text": snapshot.get("intro_text") or "",
        "recruiter_logos": list(snapshot.get("recruiter_logos") or []),
        "batches": list(snapshot.get("batches") or []),
    }
