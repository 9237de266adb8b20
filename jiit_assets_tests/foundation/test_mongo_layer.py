"""The MongoDB layer against the real local server: idempotent upserts, concurrency, clear failures."""

from __future__ import annotations

import threading
import time
from typing import Any

import dagster as dg
import pytest

from jiit_assets.lib.mongo import (
    INSERT_ONLY_FIELDS,
    MongoConfigError,
    MongoIOManager,
    MongoResource,
    redact_uri,
    upsert_documents,
)
from jiit_assets_tests.fixtures.servers import free_port

JOBS = [
    {"_id": "j-42", "company": "Acme Corp", "job_profile": "SDE", "package": 1_200_000},
    {"_id": "j-43", "company": "Globex", "job_profile": "Analyst", "package": 800_000},
    {"_id": "j-44", "company": "Initech", "job_profile": "QA Engineer", "package": None},
]


def _jobs_asset(documents: list[dict[str, Any]]) -> dg.AssetsDefinition:
    @dg.asset(name="enriched_jobs", metadata={INSERT_ONLY_FIELDS: ["first_seen_at"]})
    def enriched_jobs() -> list[dict[str, Any]]:
        return [{**doc, "first_seen_at": time.time()} for doc in documents]

    return enriched_jobs


def _materialize(asset: dg.AssetsDefinition, mongo: MongoResource) -> dg.ExecuteInProcessResult:
    return dg.materialize([asset], resources={"io_manager": MongoIOManager(mongo=mongo)})


def _output_metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_materializing_twice_stores_the_same_documents_and_inserts_nothing_the_second_time(mongo):
    first = _materialize(_jobs_asset(JOBS), mongo)
    stored_first = list(mongo.collection("enriched_jobs").find({}).sort("_id"))
    second = _materialize(_jobs_asset(JOBS), mongo)
    stored_second = list(mongo.collection("enriched_jobs").find({}).sort("_id"))

    assert _output_metadata(first)["inserted"] == 3
    assert _output_metadata(second) | {} == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 3,
        "collection": "enriched_jobs",
        "documents_in_collection": 3,
    }
    # first_seen_at is insert-only: the re-run kept the original values.
    assert stored_first == stored_second


def test_changed_documents_are_updated_in_place_and_others_are_kept(mongo):
    _materialize(_jobs_asset(JOBS), mongo)
    changed = [{**JOBS[0], "package": 1_500_000}, JOBS[1]]
    result = _materialize(_jobs_asset(changed), mongo)

    assert _output_metadata(result)["updated"] == 1
    assert _output_metadata(result)["unchanged"] == 1
    collection = mongo.collection("enriched_jobs")
    assert collection.count_documents({}) == 3  # never drops what a run did not return
    assert collection.find_one({"_id": "j-42"})["package"] == 1_500_000


def test_downstream_assets_load_upstream_documents_through_the_io_manager(mongo):
    upstream = _jobs_asset(JOBS)

    @dg.asset(ins={"enriched_jobs": dg.AssetIn()})
    def companies(enriched_jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"_id": job["company"], "jobs": 1} for job in enriched_jobs]

    result = dg.materialize([upstream, companies], resources={"io_manager": MongoIOManager(mongo=mongo)})
    assert result.success
    assert sorted(doc["_id"] for doc in mongo.collection("companies").find({})) == [
        "Acme Corp",
        "Globex",
        "Initech",
    ]


def test_concurrent_writers_never_duplicate_an_id(mongo):
    collection = mongo.collection("raw_superset_notices")
    documents = [{"_id": f"n-{i:04d}", "title": f"Notice {i}"} for i in range(300)]
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            # Each writer upserts the same ids in a different order.
            rotated = documents[offset:] + documents[:offset]
            for start in range(0, len(rotated), 50):
                upsert_documents(collection, rotated[start : start + 50])
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (0, 75, 150, 225)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert collection.count_documents({}) == 300
    ids = [doc["_id"] for doc in collection.find({}, {"_id": 1})]
    assert len(ids) == len(set(ids)) == 300


def test_a_duplicate_id_inside_one_batch_is_rejected_before_writing(mongo):
    collection = mongo.collection("enriched_jobs")
    with pytest.raises(ValueError, match="duplicate _id 'j-42'"):
        upsert_documents(collection, [JOBS[0], JOBS[0]])
    assert collection.count_documents({}) == 0


def test_an_unreachable_server_fails_the_run_quickly_with_the_host_and_without_the_password():
    port = free_port()  # nothing listens here
    uri = f"mongodb://placement:S3cr3t-Pa55@127.0.0.1:{port}/?authSource=admin"
    mongo = MongoResource(uri=uri, database="jiit_placement", server_selection_timeout_ms=2000)

    started = time.monotonic()
    result = dg.materialize(
        [_jobs_asset(JOBS)], resources={"io_manager": MongoIOManager(mongo=mongo)}, raise_on_error=False
    )
    elapsed = time.monotonic() - started

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    message = failure.message
    assert f"127.0.0.1:{port}" in message
    assert "Cannot reach MongoDB" in message
    assert "S3cr3t" not in str(failure.to_string())
    assert elapsed < 10, "the issue requires failing within 10 seconds"


def test_a_malformed_uri_is_a_configuration_error_not_a_driver_traceback():
    mongo = MongoResource(uri="mongodb://user:hunter2@", database="jiit_placement")
    with pytest.raises(MongoConfigError) as caught:
        mongo.db()
    text = str(caught.value.description)
    assert "MONGODB_URI is not a valid MongoDB connection string" in text
    assert "hunter2" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("", "MONGODB_URI is empty"),
        ("postgres://127.0.0.1/jiit", "must start with mongodb://"),
    ],
)
def test_uris_of_the_wrong_kind_get_a_clear_message(uri, message):
    with pytest.raises(MongoConfigError, match=message):
        MongoResource(uri=uri).db()


def test_an_invalid_database_name_is_rejected():
    with pytest.raises(MongoConfigError, match="not a valid database name"):
        MongoResource(database="jiit/placement").db()


def test_redaction_keeps_the_user_and_hides_the_password():
    assert redact_uri("mongodb+srv://cell:p%40ss@cluster0.abc.mongodb.net/x") == (
        "mongodb+srv://cell:***@cluster0.abc.mongodb.net/x"
    )
    assert redact_uri("mongodb://127.0.0.1:27017/") == "mongodb://127.0.0.1:27017/"


def test_indexes_are_created_on_first_use(mongo):
    collection = mongo.collection("push_subscriptions")
    indexes = collection.index_information()
    assert indexes["endpoint"]["unique"] is True
