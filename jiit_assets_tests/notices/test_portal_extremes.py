"""Extreme portal values: placeholders and overflowing numbers become "unknown" with a reason.

A job deadline of ``253402300799000`` (31 Dec 9999, a common "no deadline" placeholder) or a numeric
field like ``99999999999999999999`` (beyond 64 bits) once broke the notices asset, the render
footer, the metadata preview or the BSON write. Now each is range-checked where it enters.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.superset.assets import enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.portal_jobs import listing_problems, structure_job
from jiit_assets.defs.superset.portal_notices import parse_raw_notice
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.ranges import bson_safe, epoch_to_datetime
from jiit_assets.lib.text import format_ist
from jiit_assets_tests.standins.superset import SupersetStandin

NO_DEADLINE = 253402300799000
HUGE = 99999999999999999999


def _materialize(mongo: MongoResource, superset: SupersetResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_superset_notices, enriched_jobs, notices],
        resources={"mongo": mongo, "superset": superset},
        run_config={"ops": {"notices": {"config": {"backlog_days": 100000, "flood_limit": 1000}}}},
    )


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    [event] = result.asset_materializations_for_node(asset)
    return {key: getattr(value, "value", value) for key, value in event.metadata.items()}


def test_placeholder_dates_and_huge_numbers_from_the_portal_are_stored_as_unknown(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    superset_standin.add_job(
        {
            "jobProfileIdentifier": "jp-forever",
            "jobProfileTitle": "Software Engineer",
            "companyName": "Forever Systems",
            "placementCategoryLevel": HUGE,
            "createdAt": HUGE,
            "jobProfileApplicationDeadline": NO_DEADLINE,
        },
        {"jobProfile": {"package": HUGE, "ctcInterval": "ANNUM", "stages": []}},
    )
    superset_standin.add_notice(
        {
            "identifier": "n-forever",
            "title": "Open for applications - Forever Systems's job profile - Software Engineer",
            "content": "<p>Apply now. CTC as per policy.</p>",
            "publishedAt": NO_DEADLINE,
            "views": HUGE,
            "nested": {"score": HUGE, "ratio": float("inf")},
        }
    )

    result = _materialize(mongo, superset_resource)

    assert result.success
    job = mongo.collection("enriched_jobs").find_one({"_id": "jp-forever"})
    assert job is not None
    assert (job["deadline"], job["createdAt"], job["package"]) == (None, None, 0)
    assert any("jobProfileApplicationDeadline" in p for p in job["data_problems"])
    assert any("package" in p for p in job["data_problems"])
    raw = mongo.collection("raw_superset_notices").find_one({"_id": "n-forever"})
    assert raw is not None
    assert raw["views"] == str(HUGE) and raw["nested"]["score"] == str(HUGE)
    assert raw["published_at"] is None
    assert any("publishedAt" in p for p in raw["data_problems"])
    assert any("views" in p for p in raw["data_problems"])
    assert "n-forever" in _metadata(result, "raw_superset_notices")["values_out_of_range"]
    queued = mongo.collection("notices").find_one({"_id": "superset:n-forever"})
    assert queued is not None
    assert queued["job_id"] == "jp-forever"
    assert "9999" not in " ".join(queued["telegram_html"])


def test_range_rules_at_their_edges() -> None:
    assert epoch_to_datetime(NO_DEADLINE) is None
    assert epoch_to_datetime(HUGE) is None
    assert epoch_to_datetime(float("nan")) is None
    assert epoch_to_datetime(1753000000000) is not None
    assert epoch_to_datetime(1753000000) is not None  # seconds
    listing = {"jobProfileIdentifier": "j", "jobProfileApplicationDeadline": NO_DEADLINE, "createdAt": "soon"}
    assert structure_job(listing).deadline is None
    assert len(listing_problems(listing)) == 2
    notice = parse_raw_notice({"identifier": "n", "publishedAt": NO_DEADLINE, "lastModifiedOn": -5})
    assert notice.published_at is None and notice.last_modified_at is None
    assert any("publishedAt" in problem for problem in notice.problems)
    problems: list[str] = []
    assert bson_safe({"a": [1, HUGE, float("-inf")]}, problems=problems) == {"a": [1, str(HUGE), "-inf"]}
    assert len(problems) == 2
    # A datetime at the very end of Python's range cannot be shown in IST: shown as unknown.
    last = epoch_to_datetime(1753000000000)
    assert last is not None
    assert format_ist(last.replace(year=9999, month=12, day=31, hour=23)) == "an unknown date"
