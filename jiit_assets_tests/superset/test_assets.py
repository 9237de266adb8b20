"""raw_superset_notices and enriched_jobs against the portal stand-in and the real local database."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg
import pytest

from jiit_assets.defs.superset.assets import build_superset_assets, enriched_jobs, raw_superset_notices
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.queue_requests import complete, read_requests
from jiit_assets.lib.schema import ENRICHED_JOBS, RAW_SUPERSET_NOTICES
from jiit_assets_tests.fixtures.superset import make_superset_resource
from jiit_assets_tests.standins.superset import SupersetStandin

ASSETS = [raw_superset_notices, enriched_jobs]
# Same assets with step retries that do not wait, so "fails after retries" tests stay fast.
QUICK_RETRY_ASSETS = list(build_superset_assets(dg.RetryPolicy(max_retries=1, delay=0)))


def run(
    mongo: MongoResource,
    superset: SupersetResource,
    assets: list[dg.AssetsDefinition] | None = None,
    reenrich_all: bool = False,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    run_config = {"ops": {ENRICHED_JOBS: {"config": {"reenrich_all": reenrich_all}}}}
    return dg.materialize(
        assets or ASSETS,
        resources={"mongo": mongo, "superset": superset},
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
    )


def run_logs(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str:
    """Everything the run wrote to its event log: user log lines, errors, metadata."""
    return "\n".join(repr(entry) for entry in instance.all_logs(result.run_id))


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    events = result.asset_materializations_for_node(asset)
    assert events, f"{asset} did not materialize"
    return {key: getattr(value, "value", value) for key, value in events[-1].metadata.items()}


def check_passed(result: dg.ExecuteInProcessResult, asset: str, check: str = "all_accounts_ok") -> bool:
    evaluations = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(asset) and e.check_name == check
    ]
    assert len(evaluations) == 1
    return evaluations[0].passed


def failure_messages(result: dg.ExecuteInProcessResult, step: str) -> str:
    """Every error message of a step's failure events, including the causes behind a final retry failure."""
    messages: list[str] = []
    for event in result.all_events:
        if event.step_key != step or not (event.is_step_failure or event.is_step_up_for_retry):
            continue
        data = event.step_failure_data if event.is_step_failure else event.step_retry_data
        error = data.error if data else None
        while error is not None:
            messages.append(error.message)
            error = error.cause
    return "\n".join(messages)


def all_documents(mongo: MongoResource, collection: str) -> dict[str, dict[str, Any]]:
    return {doc["_id"]: doc for doc in mongo.collection(collection).find({})}


def mark_all_queued(mongo: MongoResource) -> None:
    """What the notices asset does after rendering the requested raw notices."""
    complete(mongo.db(), read_requests(mongo.db(), RAW_SUPERSET_NOTICES))


def open_requests(mongo: MongoResource) -> set[Any]:
    """Raw notices the notices asset is asked to (re)queue."""
    return {request.source_id for request in read_requests(mongo.db(), RAW_SUPERSET_NOTICES)}


def test_first_run_stores_everything_and_second_run_changes_nothing(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    first = run(mongo, superset_resource)

    notices = all_documents(mongo, RAW_SUPERSET_NOTICES)
    jobs = all_documents(mongo, ENRICHED_JOBS)
    assert set(notices) == superset_standin.notice_ids()
    assert set(jobs) == superset_standin.job_ids()
    assert metadata(first, RAW_SUPERSET_NOTICES)["new"] == len(notices) >= 30
    assert open_requests(mongo) == set(notices)
    # Every job was enriched with exactly one detail call, ECE-only jobs through the ECE account.
    assert all(doc["enriched"] and doc["enrichment_error"] is None for doc in jobs.values())
    assert superset_standin.count("job_details") == len(jobs)
    assert jobs["jp-tessera-vlsi"]["placement_type"] == "FULL_TIME"
    assert [d["url"] is not None for d in jobs["jp-tessera-vlsi"]["documents"]] == [True, True]
    assert jobs["jp-acme-sde"]["company_key"] == "acme"
    assert check_passed(first, RAW_SUPERSET_NOTICES) and check_passed(first, ENRICHED_JOBS)

    mark_all_queued(mongo)
    before_notices, before_jobs = (
        all_documents(mongo, RAW_SUPERSET_NOTICES),
        all_documents(mongo, ENRICHED_JOBS),
    )
    superset_standin.reset_counters()
    second = run(mongo, superset_resource)

    assert superset_standin.count("job_details") == 0
    assert superset_standin.count("document_url") == 0
    assert superset_standin.count("login") == 2  # one per account, shared by both assets' steps or not
    notice_meta, job_meta = metadata(second, RAW_SUPERSET_NOTICES), metadata(second, ENRICHED_JOBS)
    assert (notice_meta["new"], notice_meta["changed"], notice_meta["unchanged"]) == (
        0,
        0,
        len(before_notices),
    )
    assert (job_meta["new"], job_meta["enriched"], job_meta["refreshed_from_listing"]) == (0, 0, 0)
    # Nothing was rewritten: the queued state the notices asset set survives.
    assert all_documents(mongo, RAW_SUPERSET_NOTICES) == before_notices
    assert all_documents(mongo, ENRICHED_JOBS) == before_jobs


def test_login_happens_once_per_account_per_run(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    run(mongo, superset_resource)
    assert superset_standin.count("login") == 2


def test_a_new_notice_and_a_new_job_appear_exactly_once(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    run(mongo, superset_resource)
    mark_all_queued(mongo)
    superset_standin.add_notice(
        {
            "identifier": "n-new-orbit",
            "title": "Job Profile: Orbit Devices - Firmware Intern",
            "content": "<p>Orbit Devices is hiring <b>Firmware Interns</b>.&nbsp;Apply by Friday.</p>",
        }
    )
    superset_standin.add_job(
        {
            "jobProfileIdentifier": "jp-orbit-intern",
            "jobProfileTitle": "Firmware Intern",
            "companyName": "Orbit Devices",
            "placementCategoryLevel": 4,
            "createdAt": 1752900000000,
            "jobProfileApplicationDeadline": 1753000000000,
        },
        {
            "jobProfile": {
                "package": 40000,
                "ctcInterval": "MONTH",
                "stages": [{"sequence": 1, "name": "Test"}],
            }
        },
        accounts=("ece",),
    )
    superset_standin.reset_counters()

    second = run(mongo, superset_resource)
    third = run(mongo, superset_resource)

    assert metadata(second, RAW_SUPERSET_NOTICES)["new"] == 1
    assert metadata(third, RAW_SUPERSET_NOTICES)["new"] == 0
    assert metadata(second, ENRICHED_JOBS)["new_job_ids"] == ["jp-orbit-intern"]
    assert metadata(third, ENRICHED_JOBS)["new"] == 0
    assert superset_standin.count("job_details") == 1
    assert open_requests(mongo) == {"n-new-orbit"}
    job = mongo.collection(ENRICHED_JOBS).find_one({"_id": "jp-orbit-intern"})
    assert job is not None
    assert (job["package"], job["annum_months"], job["hiring_flow"]) == (40000, "MONTH", ["Test"])
    assert mongo.collection(ENRICHED_JOBS).count_documents({}) == len(superset_standin.job_ids())


def test_an_edited_notice_is_pending_again_and_keeps_its_first_seen_time(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    run(mongo, superset_resource)
    mark_all_queued(mongo)
    before = mongo.collection(RAW_SUPERSET_NOTICES).find_one({"_id": "n-up-01"})
    assert before is not None
    superset_standin.edit_notice(
        "n-up-01", content="<p>The online test of Acme Corp is now on <b>23 July</b>.</p>"
    )

    result = run(mongo, superset_resource)

    meta = metadata(result, RAW_SUPERSET_NOTICES)
    assert (meta["new"], meta["changed"]) == (0, 1)
    after = mongo.collection(RAW_SUPERSET_NOTICES).find_one({"_id": "n-up-01"})
    assert after is not None
    assert "23 July" in after["content"]
    assert after["first_seen_at"] == before["first_seen_at"]
    assert after["last_modified_at"] > before["last_modified_at"]
    assert after["content_hash"] != before["content_hash"]
    assert open_requests(mongo) == {"n-up-01"}


def test_listing_changes_of_known_jobs_are_refreshed_without_detail_calls(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    run(mongo, superset_resource)
    stored = mongo.collection(ENRICHED_JOBS).find_one({"_id": "jp-acme-sde"})
    assert stored is not None
    extended = stored["deadline"] + 3 * 24 * 3600 * 1000
    superset_standin.update_listing("jp-acme-sde", jobProfileApplicationDeadline=extended)
    superset_standin.reset_counters()

    result = run(mongo, superset_resource)

    assert superset_standin.count("job_details") == 0
    assert metadata(result, ENRICHED_JOBS)["refreshed_from_listing"] == 1
    refreshed = mongo.collection(ENRICHED_JOBS).find_one({"_id": "jp-acme-sde"})
    assert refreshed is not None
    assert refreshed["deadline"] == extended
    # Details fetched on the first run are kept.
    assert refreshed["hiring_flow"] == stored["hiring_flow"] and refreshed["package"] == 1200000


def test_reenrich_all_fetches_every_job_again(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    run(mongo, superset_resource)
    superset_standin.reset_counters()
    result = run(mongo, superset_resource, reenrich_all=True)
    assert superset_standin.count("job_details") == len(superset_standin.job_ids())
    assert metadata(result, ENRICHED_JOBS)["enriched"] == len(superset_standin.job_ids())


def test_one_failing_account_does_not_lose_the_other_accounts_data(
    mongo: MongoResource, superset_standin: SupersetStandin
) -> None:
    cse, ece = superset_standin.accounts
    credentials = json.dumps([cse, {"email": ece["email"], "password": "Wrong-Password-123"}])
    resource = make_superset_resource(superset_standin, credentials=credentials)

    with dg.DagsterInstance.ephemeral() as instance:
        result = run(mongo, resource, instance=instance)
        logs = run_logs(instance, result)

    assert result.success
    assert "22****18@mail.jiit.ac.in" in logs and "rejected (HTTP 401)" in logs
    assert "Wrong-Password-123" not in logs and ece["email"] not in logs and cse["email"] not in logs
    assert set(all_documents(mongo, RAW_SUPERSET_NOTICES)) == superset_standin.notice_ids("cse")
    assert set(all_documents(mongo, ENRICHED_JOBS)) == superset_standin.job_ids("cse")
    for asset in (RAW_SUPERSET_NOTICES, ENRICHED_JOBS):
        meta = metadata(result, asset)
        assert (meta["accounts_ok"], meta["accounts_failed"]) == (1, 1)
        assert meta["failed_accounts"] == "22****18@mail.jiit.ac.in"
        assert "rejected (HTTP 401)" in meta["account_failures"]
        assert not check_passed(result, asset)
    everything = repr([metadata(result, a) for a in (RAW_SUPERSET_NOTICES, ENRICHED_JOBS)])
    everything += repr([e.metadata for e in result.get_asset_check_evaluations()])
    assert "Wrong-Password-123" not in everything and ece["email"] not in everything


def test_wrong_password_on_every_account_fails_fast_without_secrets(
    mongo: MongoResource, superset_standin: SupersetStandin
) -> None:
    cse = superset_standin.accounts[0]
    credentials = json.dumps([{"email": cse["email"], "password": "Not-The-Password"}])
    resource = make_superset_resource(superset_standin, credentials=credentials)

    with dg.DagsterInstance.ephemeral() as instance:
        result = run(mongo, resource, assets=QUICK_RETRY_ASSETS, raise_on_error=False, instance=instance)
        logs = run_logs(instance, result)

    assert not result.success
    assert "Not-The-Password" not in logs and cse["email"] not in logs
    message = failure_messages(result, RAW_SUPERSET_NOTICES)
    assert "22****45@mail.jiit.ac.in" in message and "rejected (HTTP 401)" in message
    assert "Not-The-Password" not in message and cse["email"] not in message
    # Auth failures are not retried: one login attempt per step, no step retry.
    assert superset_standin.count("login") == 2  # one per asset
    assert mongo.collection(RAW_SUPERSET_NOTICES).count_documents({}) == 0


@pytest.mark.parametrize(
    ("endpoint", "kind", "expected"),
    [("notices", "500", "HTTP 500"), ("job_profiles", "malformed_json", "malformed JSON")],
)
def test_a_persistent_fault_fails_the_step_and_keeps_stored_data(
    mongo: MongoResource,
    superset_standin: SupersetStandin,
    superset_resource: SupersetResource,
    endpoint: str,
    kind: str,
    expected: str,
) -> None:
    run(mongo, superset_resource)
    before = all_documents(mongo, RAW_SUPERSET_NOTICES), all_documents(mongo, ENRICHED_JOBS)
    superset_standin.reset_counters()
    superset_standin.inject(endpoint, kind, count=1000)

    result = run(mongo, superset_resource, assets=QUICK_RETRY_ASSETS, raise_on_error=False)

    asset = RAW_SUPERSET_NOTICES if endpoint == "notices" else ENRICHED_JOBS
    assert not result.success
    message = failure_messages(result, asset)
    assert expected in message and "all 2 account(s) failed" in message
    # Retried: 3 attempts per account per step attempt, and the step was retried once.
    assert superset_standin.count(endpoint) == 3 * 2 * 2
    assert (all_documents(mongo, RAW_SUPERSET_NOTICES), all_documents(mongo, ENRICHED_JOBS)) == before


def test_transient_faults_are_retried_and_the_run_succeeds(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    superset_standin.inject("notices", "500", count=2)
    superset_standin.inject("job_profiles", "timeout", count=1)
    superset_standin.inject("job_details", "malformed_json", count=1)
    superset_standin.inject("job_details", "429", count=1)
    superset_standin.inject("notices", "expire_session", count=1, account="ece")

    result = run(mongo, superset_resource)

    assert result.success
    assert set(all_documents(mongo, RAW_SUPERSET_NOTICES)) == superset_standin.notice_ids()
    jobs = all_documents(mongo, ENRICHED_JOBS)
    assert set(jobs) == superset_standin.job_ids()
    assert all(job["enriched"] for job in jobs.values())
    assert superset_standin.count("login") >= 3  # the expired session was renewed


def test_a_job_whose_details_fail_is_stored_from_its_listing_and_retried(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    listing = {
        "jobProfileIdentifier": "jp-withdrawn",
        "jobProfileTitle": "Analyst",
        "companyName": "Fable Retail",
        "placementCategoryLevel": 2,
        "createdAt": 1752700000000,
        "jobProfileApplicationDeadline": 1752990000000,
    }
    superset_standin.add_job(listing, None)

    first = run(mongo, superset_resource)

    job = mongo.collection(ENRICHED_JOBS).find_one({"_id": "jp-withdrawn"})
    assert job is not None
    assert job["enriched"] is False and "not found" in job["enrichment_error"]
    assert (job["company"], job["placement_category"], job["location"]) == (
        "Fable Retail",
        "Middle",
        "Unknown",
    )
    assert metadata(first, ENRICHED_JOBS)["detail_fetches_failed"] == 1
    assert not check_passed(first, ENRICHED_JOBS, "all_jobs_enriched")

    superset_standin.add_job(listing, {"jobProfile": {"package": 700000, "location": "Noida"}})
    superset_standin.reset_counters()
    second = run(mongo, superset_resource)

    assert check_passed(second, ENRICHED_JOBS, "all_jobs_enriched")
    assert superset_standin.count("job_details") == 1
    job = mongo.collection(ENRICHED_JOBS).find_one({"_id": "jp-withdrawn"})
    assert job is not None
    assert (job["enriched"], job["enrichment_error"], job["package"]) == (True, None, 700000)


def test_without_credentials_both_assets_skip_and_report_zero(
    mongo: MongoResource, superset_standin: SupersetStandin
) -> None:
    resource = make_superset_resource(superset_standin, credentials="")
    result = run(mongo, resource)
    assert result.success
    assert metadata(result, RAW_SUPERSET_NOTICES)["fetched"] == 0
    assert metadata(result, ENRICHED_JOBS)["fetched"] == 0
    assert sum(superset_standin.counters.values()) == 0


def test_malformed_notices_are_skipped_with_a_reason_and_the_rest_stored(
    mongo: MongoResource, superset_standin: SupersetStandin, superset_resource: SupersetResource
) -> None:
    superset_standin.add_notice({"identifier": "n-odd", "content": {"html": "<p>not a string</p>"}})

    result = run(mongo, superset_resource)

    meta = metadata(result, RAW_SUPERSET_NOTICES)
    assert meta["skipped_malformed"] == 1
    assert "content must be a string" in meta["skipped_reasons"]
    stored = set(all_documents(mongo, RAW_SUPERSET_NOTICES))
    assert stored == superset_standin.notice_ids() - {"n-odd"}
