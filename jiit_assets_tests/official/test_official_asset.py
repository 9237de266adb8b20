"""The official_placement_stats asset against the college-site stand-in and the real local database."""

from __future__ import annotations

import dagster as dg
import pytest

from jiit_assets.defs.official.assets import NON_EMPTY_CHECK, STRUCTURE_CHECK, official_placement_stats
from jiit_assets.defs.official.client import CollegeSiteError
from jiit_assets.defs.official.resources import CollegeSiteResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import OFFICIAL_PLACEMENT_STATS
from jiit_assets_tests.standins.college_site import CollegeSiteStandin


def _run(mongo: MongoResource, site: CollegeSiteResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [official_placement_stats],
        resources={"mongo": mongo, "college_site": site},
        raise_on_error=False,
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (materialization,) = result.asset_materializations_for_node("official_placement_stats")
    return {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


def _snapshots(mongo: MongoResource) -> list[dict[str, object]]:
    return list(mongo.collection(OFFICIAL_PLACEMENT_STATS).find({}).sort("scrape_timestamp", -1))


def test_same_page_twice_stores_one_snapshot_and_a_change_stores_a_second(
    mongo: MongoResource, college_site: CollegeSiteStandin, college_site_resource: CollegeSiteResource
) -> None:
    first = _run(mongo, college_site_resource)
    assert first.success
    meta = _metadata(first)
    assert meta["result"] == "changed" and meta["batch_count"] == 3
    assert meta["active_batch"] == "2025 (Till date)"
    # Page text is escaped the one way metadata escapes outside text; rendered, it reads "> 20 LPA".
    assert "| \\> 20 LPA | 28.5 LPA | 25 LPA |" in str(meta["package_distribution"])
    assert "- 650+ offers made by 210 companies" in str(meta["placement_pointers"])
    assert all(evaluation.passed for evaluation in _checks(first).values())

    (stored,) = _snapshots(mongo)
    assert stored["_id"] == stored["content_hash"] == meta["content_hash"]
    assert stored["main_heading"] == "Training & Placement"
    assert stored["batches"][0]["package_distribution"][0] == {  # type: ignore[index]
        "category": "> 20 LPA",
        "average": "28.5 LPA",
        "median": "25 LPA",
    }
    assert stored["recruiter_logos"][0] == {  # type: ignore[index]
        "src": f"{college_site.url}uploads/recruiters/amazon.png",
        "alt": "Amazon",
    }

    second = _run(mongo, college_site_resource)
    assert second.success and _metadata(second)["result"] == "unchanged"
    (refreshed,) = _snapshots(mongo)
    assert refreshed["_id"] == stored["_id"]
    assert refreshed["first_seen_at"] == stored["first_seen_at"]
    assert refreshed["scrape_timestamp"] > stored["scrape_timestamp"]  # type: ignore[operator]

    college_site.set_variant("changed")
    third = _run(mongo, college_site_resource)
    assert third.success
    meta = _metadata(third)
    assert meta["result"] == "changed" and meta["previous_hash"] == stored["_id"]
    latest, previous = _snapshots(mongo)
    assert latest["batches"][0]["package_distribution"][0]["average"] == "29.1 LPA"  # type: ignore[index]
    assert previous["_id"] == stored["_id"]  # history kept
    assert college_site.requests == 3
    assert all("Chrome/" in agent for agent in college_site.user_agents)


@pytest.mark.parametrize(
    ("variant", "failed_check", "named"),
    [
        ("redesigned", STRUCTURE_CHECK, "tab list ul.tab-ul"),
        ("empty", STRUCTURE_CHECK, "HTML document"),
        ("no_figures", NON_EMPTY_CHECK, "placement pointers and package tables"),
    ],
)
def test_broken_page_keeps_the_last_good_snapshot_and_fails_the_check(
    mongo: MongoResource,
    college_site: CollegeSiteStandin,
    college_site_resource: CollegeSiteResource,
    variant: str,
    failed_check: str,
    named: str,
) -> None:
    assert _run(mongo, college_site_resource).success
    (good,) = _snapshots(mongo)

    college_site.set_variant(variant)
    result = _run(mongo, college_site_resource)

    assert not result.success
    evaluation = _checks(result)[failed_check]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description is not None and named in evaluation.description
    assert result.asset_materializations_for_node("official_placement_stats") == []
    assert _snapshots(mongo) == [good]  # untouched, not even its timestamp


def test_http_errors_store_nothing(
    mongo: MongoResource, college_site: CollegeSiteStandin, college_site_resource: CollegeSiteResource
) -> None:
    assert _run(mongo, college_site_resource).success
    good = _snapshots(mongo)

    college_site.set_variant("not_found")
    result = _run(mongo, college_site_resource)
    assert not result.success
    failure = result.failure_data_for_node("official_placement_stats")
    assert failure is not None and "HTTP 404" in str(failure.error.message)  # type: ignore[union-attr]
    assert _snapshots(mongo) == good


def test_resource_retries_transient_errors_and_not_client_errors(
    college_site: CollegeSiteStandin, college_site_resource: CollegeSiteResource
) -> None:
    college_site.set_variant("error")
    with pytest.raises(CollegeSiteError, match="HTTP 500") as server_error:
        college_site_resource.fetch()
    assert server_error.value.retryable and college_site.requests == 3

    college_site.reset("not_found")
    with pytest.raises(CollegeSiteError, match="HTTP 404") as client_error:
        college_site_resource.fetch()
    assert not client_error.value.retryable and college_site.requests == 1

    college_site.reset("normal")
    page = college_site_resource.fetch()
    assert page.status == 200 and "tab-containerr" in page.html and page.url == college_site.url


def test_resource_refuses_oversized_pages(
    college_site: CollegeSiteStandin, college_site_resource: CollegeSiteResource
) -> None:
    small = college_site_resource.model_copy(update={"max_bytes": 1000})
    with pytest.raises(CollegeSiteError, match="more than 1000 bytes"):
        small.fetch()
