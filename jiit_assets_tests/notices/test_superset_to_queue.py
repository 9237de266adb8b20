"""From the SuperSet stand-in through raw_superset_notices and enriched_jobs into the notices queue."""

from __future__ import annotations

from typing import Any

import dagster as dg

from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.superset.assets import enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.queue_requests import read_requests
from jiit_assets_tests.notices.telegram_check import check_message

EVERYTHING_IS_RECENT = {"ops": {"notices": {"config": {"backlog_days": 100_000}}}}


def _run(mongo: MongoResource, superset: SupersetResource, run_config: dict[str, Any]) -> dict[str, Any]:
    result = dg.materialize(
        [raw_superset_notices, enriched_jobs, notices],
        resources={"mongo": mongo, "superset": superset},
        run_config=run_config,
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("notices")
    return {key: value.value for key, value in materialization.metadata.items()}


def test_portal_notices_are_queued_once_typed_linked_and_deliverable(
    mongo: MongoResource, superset_resource: SupersetResource
) -> None:
    metadata = _run(mongo, superset_resource, EVERYTHING_IS_RECENT)
    raw_count = mongo.collection("raw_superset_notices").count_documents({})
    assert raw_count >= 30
    assert metadata["queued_new"] == raw_count
    assert set(metadata["by_type"]) == {
        "shortlisting",
        "job_posting",
        "update",
        "announcement",
        "hackathon",
        "webinar",
    }
    queue = mongo.collection("notices")
    assert queue.count_documents({"pending": True}) == raw_count
    for document in queue.find({}):
        for chunk in document["telegram_html"]:
            check_message(chunk)
        if document["type"] in ("shortlisting", "job_posting"):
            assert document["job_id"], document["_id"]
            assert mongo.collection("enriched_jobs").count_documents({"_id": document["job_id"]}) == 1
        if document["type"] == "shortlisting":
            assert document["students"], document["_id"]
    assert read_requests(mongo.db(), "raw_superset_notices") == []

    again = _run(mongo, superset_resource, EVERYTHING_IS_RECENT)
    assert (again["queued_new"], again["updated"], again["unchanged"]) == (0, 0, 0)
    assert queue.count_documents({}) == raw_count


def test_first_run_with_the_default_window_sends_no_history(
    mongo: MongoResource, superset_resource: SupersetResource
) -> None:
    """The stand-in's notices are from 2025: on a first run they are stored, none is sent."""
    metadata = _run(mongo, superset_resource, {})
    assert metadata["queued_new"] == metadata["skipped_backlog"] > 0
    assert mongo.collection("notices").count_documents({"pending": True}) == 0
