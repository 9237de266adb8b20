"""Cross-cutting asset checks against the real local database: what they catch and what they pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from jiit_assets.definitions import defs
from jiit_assets.defs.notices.checks import one_document_per_source_notice
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.superset.checks import one_document_per_job, one_document_per_portal_notice
from jiit_assets.lib.models import NoticeContent, NoticeType, QueuedNotice
from jiit_assets.lib.mongo import MongoResource, upsert_documents
from jiit_assets.lib.schema import ENRICHED_JOBS, NOTICES, RAW_SUPERSET_NOTICES


def evaluate(check: dg.AssetChecksDefinition, mongo: MongoResource) -> dg.AssetCheckResult:
    result = check(mongo=mongo)
    assert isinstance(result, dg.AssetCheckResult)
    return result


def queued(source: str, source_id: str, title: str) -> QueuedNotice:
    content = NoticeContent(
        source=source,  # type: ignore[arg-type]
        source_id=source_id,
        type=NoticeType.SHORTLISTING,
        title=title,
        text="The following students are shortlisted for the technical interview.",
        company="Acme Corp",
        published_at=datetime(2026, 11, 26, 12, 30, tzinfo=UTC),
    )
    return QueuedNotice(content=content, rendered=render_notice(content))


def test_notices_written_by_the_queue_pass(mongo: MongoResource) -> None:
    upsert_documents(
        mongo.collection(NOTICES),
        [
            queued("superset", "n-sl-acme-ot", "Shortlist for Online Test - Acme Corp"),
            queued("email", "3f9c2a", "Acme Corp - interview shortlist"),
        ],
    )
    result = evaluate(one_document_per_source_notice, mongo)
    assert result.passed
    assert result.metadata["notices_checked"].value == 2


def test_a_notice_stored_under_a_stray_id_fails(mongo: MongoResource) -> None:
    good = queued("superset", "n-sl-acme-ot", "Shortlist for Online Test - Acme Corp").to_document()
    # The same portal notice written again by hand under another id: students would get it twice.
    stray = {**good, "_id": "n-sl-acme-ot"}
    mongo.collection(NOTICES).insert_many([good, stray])
    result = evaluate(one_document_per_source_notice, mongo)
    assert not result.passed
    assert result.metadata["bad_ids"].value == 1
    assert "`n-sl-acme-ot`: expected `_id` `superset:n-sl-acme-ot`" in str(result.metadata["examples"].value)


def test_a_web_app_id_that_differs_from_the_natural_id_fails(mongo: MongoResource) -> None:
    document = queued("email", "3f9c2a", "Acme Corp - interview shortlist").to_document()
    document["id"] = "3f9c2a"
    mongo.collection(NOTICES).insert_one(document)
    result = evaluate(one_document_per_source_notice, mongo)
    assert not result.passed
    assert "web-app field `id` is `3f9c2a`" in str(result.metadata["examples"].value)


@pytest.mark.parametrize(
    ("check", "collection"),
    [(one_document_per_job, ENRICHED_JOBS), (one_document_per_portal_notice, RAW_SUPERSET_NOTICES)],
)
def test_ids_differing_only_in_case_or_spaces_fail(
    mongo: MongoResource, check: dg.AssetChecksDefinition, collection: str
) -> None:
    mongo.collection(collection).insert_many(
        [{"_id": "JP-ACME-2026"}, {"_id": "jp-acme-2026"}, {"_id": "JP-ACME-2026 "}, {"_id": "JP-ZENITH-7"}]
    )
    result = evaluate(check, mongo)
    assert not result.passed
    assert result.metadata["colliding_groups"].value == 1
    assert "`JP-ACME-2026`" in str(result.metadata["examples"].value)
    assert "JP-ZENITH-7" not in str(result.metadata["examples"].value)


@pytest.mark.parametrize(
    ("check", "collection"),
    [(one_document_per_job, ENRICHED_JOBS), (one_document_per_portal_notice, RAW_SUPERSET_NOTICES)],
)
def test_distinct_ids_pass(mongo: MongoResource, check: dg.AssetChecksDefinition, collection: str) -> None:
    mongo.collection(collection).insert_many([{"_id": "JP-ACME-2026"}, {"_id": "JP-ACME-2027"}])
    assert evaluate(check, mongo).passed


def test_notices_must_refresh_at_least_every_two_hours() -> None:
    """The queue carries a freshness policy: one missed hourly update is tolerated, two are not."""
    [spec] = [s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey(NOTICES)]
    policy = spec.freshness_policy
    assert isinstance(policy, dg.FreshnessPolicy)
    assert policy.fail_window.to_timedelta() == timedelta(hours=2)
