"""Cross-cutting asset checks against the real local database: what they catch and what they pass."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import dagster as dg
import pytest

# No public API backdates a materialization; the event log entry is what the freshness check reads.
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry

from jiit_assets.assets.checks import (
    NOTICES_KEY,
    notices_freshness_checks,
    one_document_per_job,
    one_document_per_portal_notice,
    one_document_per_source_notice,
)
from jiit_assets.collections import ENRICHED_JOBS, NOTICES, RAW_SUPERSET_NOTICES
from jiit_assets.models import NoticeContent, NoticeType, QueuedNotice
from jiit_assets.notify.render import render_notice
from jiit_assets.resources.mongo import MongoResource, upsert_documents


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


@dg.asset(name=NOTICES)
def notices_stub() -> None:
    """Stands for the notices asset: the freshness check reads only its materialization time."""


def freshness_passes(instance: dg.DagsterInstance) -> bool:
    result = dg.materialize(
        [notices_stub, *notices_freshness_checks],
        instance=instance,
        selection=dg.AssetSelection.checks(*notices_freshness_checks),
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation.passed


def materialized_hours_ago(hours: float) -> dg.DagsterInstance:
    instance = dg.DagsterInstance.ephemeral()
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="update_job",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(NOTICES_KEY)),
    )
    instance.store_event(
        EventLogEntry(
            error_info=None,
            level="debug",
            user_message="",
            run_id="hourly-update",
            timestamp=time.time() - hours * 3600,
            dagster_event=event,
        )
    )
    return instance


def test_notices_freshness_allows_a_missed_hour_but_not_two() -> None:
    assert freshness_passes(materialized_hours_ago(1.5))
    assert not freshness_passes(materialized_hours_ago(2.5))
    assert not freshness_passes(dg.DagsterInstance.ephemeral())  # never materialized
