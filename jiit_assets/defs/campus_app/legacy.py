"""The older system's documents as ours would have stored them (pure conversions, no I/O).

The older system kept ``Jobs``, ``Notices``, ``PlacementOffers``, ``OfficialPlacementData`` and
``Users`` with mixed time representations: epoch milliseconds (sometimes seconds, or digits in a
string), BSON datetimes that are naive UTC, ISO strings with ``+05:30``, naive ISO strings in
India time, and ``YYYY-MM-DD`` dates. :func:`legacy_time` reads all of them into aware UTC and
treats anything outside 2000-2100 as unknown rather than failing. Each converter raises
``LegacyDocumentError`` for a document it cannot use, so the migration counts it and goes on.
Student e-mail addresses and mail senders are dropped on the way in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jiit_assets.defs.email.offers import OfferRole, PlacementOffer, SelectedStudent
from jiit_assets.defs.superset.portal_jobs import EligibilityMark, JobAttachment, StructuredJob
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets.lib.text import IST, from_epoch_ms

SUPERSET, EMAIL, PLACEMENT = "superset", "email", "placement_offer"
OFFICIAL_FIELDS = ("main_heading", "intro_text", "recruiter_logos", "batches")
LEGACY_SITE_URL = "https://www.jiit.ac.in/"
_TYPES = {
    "job posting": NoticeType.JOB_POSTING,
    "job_posting": NoticeType.JOB_POSTING,
    "placement_update": NoticeType.PLACEMENT_OFFER,
    **{str(kind): kind for kind in NoticeType},
}
_MIN_YEAR, _MAX_YEAR = 2000, 2100


class LegacyDocumentError(ValueError):
    """A document of the older system that cannot be migrated; the message says why."""


def legacy_time(value: Any) -> datetime | None:
    """Any of the older system's time representations as aware UTC; None when absent or absurd."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # BSON datetimes are UTC
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = from_epoch_ms(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if re.fullmatch(r"\d{9,14}(\.\d+)?", text):
            moment = from_epoch_ms(float(text))
        else:
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
            moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)  # naive strings: India time
    if moment is None or not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        return None
    return moment.astimezone(UTC)


def _ms(value: Any) -> int | None:
    moment = legacy_time(value)
    return round(moment.timestamp() * 1000) if moment else None


def _text(value: Any, default: str = "") -> str:
    return str(value).strip() if value is not None and str(value).strip() else default


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) < 1e12 else None  # NaN and absurd values


def _identifier(document: Mapping[str, Any], field: str) -> str:
    value = document.get(field)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise LegacyDocumentError(f"no {field!r}")
    return str(value).strip()


def job_from_legacy(document: Mapping[str, Any]) -> dict[str, Any]:
    """An ``enriched_jobs`` document from a ``Jobs`` one (same field names; types repaired)."""
    job_id = _identifier(document, "id")
    marks = tuple(
        EligibilityMark(_text(mark.get("level"), "UG"), _float(mark.get("criteria")) or 0.0)
        for mark in document.get("eligibility_marks") or ()
        if isinstance(mark, Mapping)
    )
    attachments = tuple(
        JobAttachment(_text(doc.get("name")), _text(doc.get("identifier")), doc.get("url"))
        for doc in document.get("documents") or ()
        if isinstance(doc, Mapping) and doc.get("name") and doc.get("identifier")
    )
    placement_type = document.get("placement_type")
    job = StructuredJob(
        id=job_id,
        job_profile=_text(document.get("job_profile"), "Unknown"),
        company=_text(document.get("company"), "??"),
        placement_category_code=int(_float(document.get("placement_category_code")) or 0),
        placement_category=_text(document.get("placement_category"), "Unknown"),
        content=_text(document.get("content")),
        createdAt=_ms(document.get("createdAt")),
        deadline=_ms(document.get("deadline")),
        eligibility_marks=marks,
        eligibility_courses=tuple(_text(c) for c in document.get("eligibility_courses") or () if _text(c)),
        allowed_genders=tuple(_text(g) for g in document.get("allowed_genders") or () if _text(g)),
        job_description=_text(document.get("job_description")),
        location=_text(document.get("location"), "Unknown"),
        package=max(_float(document.get("package")) or 0.0, 0.0),
        annum_months=_text(document.get("annum_months")) or None,
        package_info=_text(document.get("package_info")),
        required_skills=tuple(_text(s) for s in document.get("required_skills") or () if _text(s)),
        # The older system left None where a stage sequence had a gap.
        hiring_flow=tuple(_text(stage) for stage in document.get("hiring_flow") or () if _text(stage)),
        placement_type=_text(placement_type) if placement_type is not None else None,
        documents=attachments,
        # Only jobs built from the details call carry a placement type; the others get details next run.
        enriched=placement_type is not None,
    )
    first_seen = legacy_time(document.get("saved_at")) or datetime.now(UTC)
    updated = legacy_time(document.get("updated_at")) or first_seen
    return {**job.to_document(), "first_seen_at": first_seen, "updated_at": updated}


def offer_from_legacy(document: Mapping[str, Any]) -> PlacementOffer:
    """A ``PlacementOffer`` (ours) from a ``PlacementOffers`` document; e-mail addresses dropped."""
    company = _text(document.get("company"))
    if len(company) < 2:
        raise LegacyDocumentError("no company")
    roles = tuple(
        OfferRole(
            _text(role.get("role"), "Not specified"), _float(role.get("package")), role.get("package_details")
        )
        for role in document.get("roles") or ()
        if isinstance(role, Mapping)
    )
    students = tuple(
        SelectedStudent(
            _text(student.get("name")),
            _text(student.get("enrollment_number")) or None,
            _text(student.get("role")) or None,
            _float(student.get("package")),
        )
        for student in document.get("students_selected") or ()
        if isinstance(student, Mapping) and _text(student.get("name"))
    )
    return PlacementOffer(
        company=company,
        roles=roles,
        students=students,
        number_of_offers=max(len(students), int(_float(document.get("number_of_offers")) or 0)),
        job_location=tuple(_text(place) for place in document.get("job_location") or () if _text(place)),
        joining_date=_text(document.get("joining_date")) or None,
        email_subject=_text(document.get("email_subject")) or None,
        time_sent=legacy_time(document.get("time_sent")),
    )


def official_from_legacy(document: Mapping[str, Any]) -> dict[str, Any]:
    """An ``official_placement_stats`` document; the content hash is recomputed as ours computes it."""
    snapshot = {field: document.get(field) for field in OFFICIAL_FIELDS}
    if not isinstance(snapshot["batches"], list):
        raise LegacyDocumentError("no batches")
    snapshot["intro_text"] = snapshot["intro_text"] or ""
    snapshot["recruiter_logos"] = snapshot["recruiter_logos"] or []
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str)
    content_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    scraped = legacy_time(document.get("scrape_timestamp")) or datetime.now(UTC)
    return {
        "_id": content_hash,
        "content_hash": content_hash,
        **snapshot,
        "source_url": LEGACY_SITE_URL,
        "scrape_timestamp": scraped,
        "first_seen_at": scraped,
        "last_seen_at": scraped,
    }


def user_from_legacy(document: Mapping[str, Any]) -> dict[str, Any]:
    """A ``users`` document: ``_id`` the chat id as text, as our bot writes it; ``is_active`` kept."""
    chat = document.get("chat_id") if document.get("chat_id") is not None else document.get("user_id")
    chat_id = _float(chat)
    if chat_id is None or chat_id != int(chat_id):
        raise LegacyDocumentError("no chat_id or user_id")
    user_id = _float(document.get("user_id"))
    created = legacy_time(document.get("created_at")) or datetime.now(UTC)
    return {
        "_id": str(int(chat_id)),
        "chat_id": int(chat_id),
        "user_id": int(user_id) if user_id is not None else None,
        "username": document.get("username"),
        "first_name": document.get("first_name"),
        "last_name": document.get("last_name"),
        "is_active": document.get("is_active") is True,
        "created_at": created,
        "updated_at": legacy_time(document.get("updated_at")) or created,
        "migrated_from": "legacy Users",
    }


def notice_kind(document: Mapping[str, Any]) -> str:
    """Which producer of the older system wrote a ``Notices`` document."""
    source = _text(document.get("source")).lower()
    if source == "superset" or ("category" in document and "type" not in document):
        return SUPERSET
    if "placement" in source or document.get("type") == "placement_update":
        return PLACEMENT
    return EMAIL


def raw_notice_from_legacy(document: Mapping[str, Any]) -> dict[str, Any]:
    """The portal notice a SuperSet ``Notices`` document was built from (the portal's field names)."""
    identifier = _identifier(document, "id")
    content = document.get("content")
    return {
        "identifier": identifier,
        "title": _text(document.get("title"), "Notice"),
        "content": content if isinstance(content, str) else "",
        "lastModifiedByUserName": _text(document.get("author")),
        "lastModifiedOn": _ms(document.get("updatedAt")) or _ms(document.get("createdAt")),
        "publishedAt": _ms(document.get("createdAt")),
    }


def published_at(document: Mapping[str, Any]) -> datetime | None:
    """When the older system says a notice appeared (``createdAt``, else ``time_sent``, ``saved_at``)."""
    for field in ("createdAt", "time_sent", "updatedAt", "saved_at"):
        moment = legacy_time(document.get(field))
        if moment is not None:
            return moment
    return None


def notice_content_from_legacy(document: Mapping[str, Any], kind: str) -> NoticeContent:
    """An e-mail notice or offer broadcast of the older system as our ``NoticeContent``."""
    identifier = _identifier(document, "id")
    label = _text(document.get("type") or document.get("category"), "announcement").lower()
    notice_type = _TYPES.get(label, NoticeType.ANNOUNCEMENT)
    title = _text(document.get("title"), "Notice")[:300]
    company = None
    if kind == PLACEMENT:
        notice_type = NoticeType.PLACEMENT_OFFER
        company = re.sub(r"^Placement Update:\s*|\s*\(\+\d+\)$", "", title).strip() or None
    text = _text(document.get("content")) or _text(document.get("formatted_message"))
    links: Sequence[Any] = document.get("links") or ()
    url = next((str(link) for link in links if isinstance(link, str) and link.startswith("http")), None)
    return NoticeContent(
        source="placement_offer" if kind == PLACEMENT else "email",
        source_id=f"legacy-{identifier}",
        type=notice_type,
        title=title,
        text=text[:20_000],
        students=tuple(
            Student(_text(s.get("name")), _text(s.get("enrollment_number") or s.get("enrollment")) or None)
            for s in document.get("students") or ()
            if isinstance(s, Mapping) and _text(s.get("name"))
        ),
        company=company or _text(document.get("company_name")) or None,
        deadline=legacy_time(document.get("deadline")),
        author=re.sub(r"\s*<[^>]*>", "", _text(document.get("author"))) or None,
        published_at=published_at(document),
        url=url,
    )
