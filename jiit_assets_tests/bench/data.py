"""Realistic documents at scale: the stand-in's fixture notices and jobs, cloned under new ids.

The stored shapes are built with the same functions the assets use (``parse_raw_notice``,
``notice_content_hash``, ``structure_job``, ``superset_notice_content``, ``render_notice``,
``QueuedNotice.to_document``), so a seeded database is what those assets would have written after
ingesting the same portal data; the steady-state benchmark checks that by finding nothing to do.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.notices.rules import JobSummary, superset_notice_content
from jiit_assets.defs.superset.notice_store import mongo_safe, notice_content_hash
from jiit_assets.defs.superset.portal_jobs import structure_job
from jiit_assets.defs.superset.portal_notices import parse_raw_notice
from jiit_assets.lib.models import CHANNELS, DeliveryState, PushPayload, QueuedNotice, RenderedNotice

INSERT_BATCH = 1000
# Seeded notices were published over the past year, one every ~50 minutes.
SEED_SPACING = timedelta(minutes=50)


def _fixture(name: str) -> list[dict[str, Any]]:
    text = resources.files("jiit_assets_tests.standins").joinpath("data", "superset", name).read_text("utf-8")
    data: list[dict[str, Any]] = json.loads(text)
    return data


FIXTURE_NOTICES = _fixture("notices.json")  # [{"notice": {...}, "accounts": [...]}]
FIXTURE_JOBS = _fixture("jobs.json")  # [{"listing", "details", "document_urls", "accounts"}]


@dataclass(frozen=True)
class PortalNotice:
    notice: dict[str, Any]
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class PortalJob:
    listing: dict[str, Any]
    details: dict[str, Any] | None
    document_urls: dict[str, str]
    accounts: tuple[str, ...]


def portal_notices(count: int, prefix: str, newest: datetime, include_fixtures: bool) -> list[PortalNotice]:
    """``count`` portal notices: the fixture ones first (when asked), then clones under new ids."""
    result: list[PortalNotice] = []
    if include_fixtures:
        result = [
            PortalNotice(copy.deepcopy(item["notice"]), tuple(item["accounts"])) for item in FIXTURE_NOTICES
        ][:count]
    index = 0
    while len(result) < count:
        template = FIXTURE_NOTICES[index % len(FIXTURE_NOTICES)]
        notice = copy.deepcopy(template["notice"])
        published = int((newest - SEED_SPACING * index).timestamp() * 1000)
        notice.update(
            identifier=f"{prefix}-{index:06d}",
            publishedAt=published,
            lastModifiedOn=published,
        )
        result.append(PortalNotice(notice, tuple(template["accounts"])))
        index += 1
    return result


def portal_jobs(count: int, prefix: str, include_fixtures: bool) -> list[PortalJob]:
    """``count`` job profiles: fixture ones first (when asked), then clones for other companies."""
    result: list[PortalJob] = []
    if include_fixtures:
        result = [
            PortalJob(
                copy.deepcopy(item["listing"]),
                copy.deepcopy(item["details"]),
                dict(item.get("document_urls") or {}),
                tuple(item["accounts"]),
            )
            for item in FIXTURE_JOBS
        ][:count]
    index = 0
    while len(result) < count:
        template = FIXTURE_JOBS[index % len(FIXTURE_JOBS)]
        job_id = f"{prefix}-{index:05d}"
        listing = copy.deepcopy(template["listing"])
        # ~100 recruiters a season each with a few profiles: a company name per clone group.
        listing.update(
            jobProfileIdentifier=job_id, companyName=f"{listing['companyName']} {prefix} {index // 20}"
        )
        details = copy.deepcopy(template["details"])
        if details is not None and isinstance(details.get("jobProfile"), dict):
            details["jobProfile"]["identifier"] = job_id
        result.append(
            PortalJob(
                listing, details, dict(template.get("document_urls") or {}), tuple(template["accounts"])
            )
        )
        index += 1
    return result


def raw_notice_document(notice: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A ``raw_superset_notices`` document as ``store_raw_notices`` writes it, already queued."""
    parsed = parse_raw_notice(notice)
    return {
        "_id": parsed.identifier,
        **mongo_safe(notice),
        "identifier": parsed.identifier,
        "published_at": parsed.published_at,
        "last_modified_at": parsed.last_modified_at,
        "content_hash": notice_content_hash(notice),
        "notice_state": "queued",
        "queued_at": now,
        "notice_id": f"superset:{parsed.identifier}",
        "updated_at": now,
        "first_seen_at": now,
    }


def job_document(job: PortalJob, now: datetime) -> dict[str, Any]:
    """An ``enriched_jobs`` document as ``store_enriched_jobs`` writes it for an enriched job."""
    document = structure_job(job.listing, job.details, job.document_urls).to_document()
    return {**document, "updated_at": now, "first_seen_at": now}


class QueueDocuments:
    """``notices`` queue documents for portal notices, rendered once per fixture template."""

    def __init__(self, jobs: list[dict[str, Any]]) -> None:
        self._summaries = [JobSummary.from_document(job) for job in jobs]
        self._templates: dict[tuple[str, str], QueuedNotice] = {}

    def document(self, notice: dict[str, Any], now: datetime, pending: bool = False) -> dict[str, Any]:
        key = (str(notice.get("title")), str(notice.get("content")))
        template = self._templates.get(key)
        if template is None:
            content = superset_notice_content(raw_notice_document(notice, now), self._summaries)
            template = QueuedNotice(content=content, rendered=render_notice(content))
            self._templates[key] = template
        published = datetime.fromtimestamp(int(notice["publishedAt"]) / 1000, UTC)
        content = replace(template.content, source_id=str(notice["identifier"]), published_at=published)
        push = template.rendered.push
        state = DeliveryState.PENDING if pending else DeliveryState.SENT
        queued = QueuedNotice(
            content=content,
            rendered=RenderedNotice(
                template.rendered.telegram_html,
                PushPayload(push.title, push.body, push.url, content.notice_id, push.type),
            ),
            created_at=published,
            updated_at=published,
            delivery={channel: state for channel in CHANNELS},
        )
        return queued.to_document()


def insert_in_batches(collection: Collection[dict[str, Any]], documents: Iterator[dict[str, Any]]) -> int:
    inserted = 0
    batch: list[dict[str, Any]] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= INSERT_BATCH:
            inserted += len(collection.insert_many(batch, ordered=False).inserted_ids)
            batch = []
    if batch:
        inserted += len(collection.insert_many(batch, ordered=False).inserted_ids)
    return inserted
