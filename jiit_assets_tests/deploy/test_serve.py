"""`make serve`: the production topology boots from the repository's scripts, loads the code location
through the gRPC code server, runs what the sensor requests through the daemon's run queue, keeps
run history, schedule state and sensor cursor in PostgreSQL across a restart of webserver and
daemon, and `make backup` / `make restore` bring the same documents back into an empty data folder.

The tests of this module share one installation and run in order (boot, run, restart, backup)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import pytest
from pymongo import MongoClient

from jiit_assets_tests.deploy.stack import Installation, documents_by_collection, scratch_dir, wait_for
from jiit_assets_tests.fixtures.notify import queued_notice

DATABASE = "jiit_placement"  # the pipeline's default database: `make serve` sets no MONGODB_DATABASE
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

LOCATIONS = """
query {
  workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus displayMetadata { key value }
    locationOrLoadError { __typename ... on PythonError { message } }
  } } }
}
"""
SENSOR_RUNS = """
query {
  runsOrError(filter: {tags: [{key: "dagster/sensor_name", value: "unsent_notices_sensor"}]}) {
    ... on Runs { results { runId jobName status } }
  }
}
"""
RUN_EVENTS = """
query Events($runId: ID!) {
  runOrError(runId: $runId) { ... on Run { eventConnection { events { __typename } } } }
}
"""
SELECTOR = {"repositoryLocationName": "jiit_assets", "repositoryName": "__repository__"}
SENSOR = """
query Sensor($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) { ... on Sensor {
    id sensorState { status ticks(limit: 50) { timestamp runIds } typeSpecificData { ... on SensorData { lastCursor } } }
  } }
}
"""
SCHEDULE = """
query Schedule($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) { ... on Schedule { id scheduleState { status } } }
}
"""
STOP_SENSOR = "mutation Stop($id: String!) { stopSensor(id: $id) { __typename } }"
STOP_SCHEDULE = "mutation Stop($id: String!) { stopRunningSchedule(id: $id) { __typename } }"


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with scratch_dir("jiit-serve-") as path:
        yield path


@pytest.fixture(scope="module")
def serving(scratch: Path) -> Iterator[Installation]:
    """`make serve` on free ports, with one notice already waiting for delivery."""
    stack = Installation(scratch)
    try:
        # The database first, so the notice is waiting when the daemon's sensor first looks.
        stack.script("db.sh", "start", str(stack.ports["DB_PORT"]))
        client: MongoClient[dict[str, Any]]
        with MongoClient(stack.mongo_uri) as client:
            document = queued_notice("deploy-1").to_document()
            client[DATABASE]["notices"].replace_one({"_id": document["_id"]}, document, upsert=True)
        started = stack.script("serve.sh", "start", check=False)
        assert started.returncode == 0, f"{started.stdout}\n{started.stderr}\n{stack.logs()}"
        yield stack
    finally:
        stack.script("serve.sh", "stop", check=False)
        for part in ("webserver", "daemon", "code-server"):
            assert not (stack.run_dir / f"{part}.pid").exists()
        assert stack.script("pg.sh", "status", check=False).returncode == 3  # PostgreSQL is down


def sensor_state(stack: Installation) -> dict[str, Any]:
    data = stack.graphql(SENSOR, selector={**SELECTOR, "sensorName": "unsent_notices_sensor"})
    return dict(data["sensorOrError"])


def schedule_state(stack: Installation) -> dict[str, Any]:
    data = stack.graphql(SCHEDULE, selector={**SELECTOR, "scheduleName": "noon_official_placement_schedule"})
    return dict(data["scheduleOrError"])


def finished_sensor_run(stack: Installation) -> dict[str, Any] | None:
    runs = stack.graphql(SENSOR_RUNS)["runsOrError"]["results"]
    done = [run for run in runs if run["status"] in TERMINAL]
    return done[0] if done else None


def test_code_location_loads_through_the_code_server(serving: Installation) -> None:
    [entry] = serving.graphql(LOCATIONS)["workspaceOrError"]["locationEntries"]
    assert entry["name"] == "jiit_assets"
    assert entry["loadStatus"] == "LOADED"
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
    # The webserver reaches the code over gRPC at the code server's address, not in-process.
    metadata = {item["key"]: item["value"] for item in entry["displayMetadata"]}
    assert metadata == {"host": "127.0.0.1", "port": str(serving.ports["DAGSTER_CODE_SERVER_PORT"])}
    status = serving.script("serve.sh", "status", check=False).stdout
    assert "daemon: running" in status and "webserver: running" in status and "code-server: running" in status


def subscription_health(stack: Installation) -> dict[str, Any] | None:
    try:
        response = httpx.get(f"http://127.0.0.1:{stack.ports['SERVE_PORT']}/health", timeout=5)
    except httpx.TransportError:
        return None
    return dict(response.json()) if response.status_code == 200 else None


def test_the_subscription_service_runs_beside_dagster(serving: Installation) -> None:
    health = wait_for("the subscription service's /health", lambda: subscription_health(serving), timeout=60)
    assert health["status"] == "healthy" and health["database"] == "ok"
    assert "subscriptions: running" in serving.script("serve.sh", "status", check=False).stdout


def test_the_sensor_run_goes_through_the_daemons_queue(serving: Installation) -> None:
    run = wait_for("a finished run requested by unsent_notices_sensor", lambda: finished_sensor_run(serving))
    assert run["jobName"] == "delivery_job"
    events = serving.graphql(RUN_EVENTS, runId=run["runId"])["runOrError"]["eventConnection"]["events"]
    kinds = [event["__typename"] for event in events]
    # Queued by the sensor; only the daemon's run coordinator takes runs off the queue and launches them.
    assert "RunEnqueuedEvent" in kinds and "RunStartingEvent" in kinds, kinds
    assert kinds.index("RunEnqueuedEvent") < kinds.index("RunStartingEvent") < kinds.index("RunStartEvent")
    assert run["status"] == "SUCCESS", f"{kinds}\n{serving.logs()}"


def test_state_survives_a_restart_of_webserver_and_daemon(serving: Installation) -> None:
    run = wait_for("a finished sensor run", lambda: finished_sensor_run(serving))
    # Stopped sensor and schedule: nothing ticks any more, and both differ from their default
    # (running), so only stored state can bring them back as they are.
    sensor = sensor_state(serving)
    serving.graphql(STOP_SENSOR, id=sensor["id"])
    serving.graphql(STOP_SCHEDULE, id=schedule_state(serving)["id"])
    before = sensor_state(serving)["sensorState"]
    cursor = before["typeSpecificData"]["lastCursor"]
    assert json.loads(cursor)["pending_notices"] >= 0 and before["status"] == "STOPPED"

    serving.script("serve.sh", "restart", "webserver", "daemon")

    after = sensor_state(serving)["sensorState"]
    assert after["status"] == "STOPPED"
    assert after["typeSpecificData"]["lastCursor"] == cursor
    assert any(run["runId"] in tick["runIds"] for tick in after["ticks"])  # the tick that requested it
    assert schedule_state(serving)["scheduleState"]["status"] == "STOPPED"
    assert finished_sensor_run(serving) == run
    # All of it lives in PostgreSQL: the instance folder holds no SQLite storage of its own.
    settings = serving.postgres_settings()
    with (
        psycopg2.connect(
            host="127.0.0.1",
            port=serving.ports["DAGSTER_PG_PORT"],
            user=settings["DAGSTER_PG_USERNAME"],
            password=settings["DAGSTER_PG_PASSWORD"],
            dbname=settings["DAGSTER_PG_DB"],
        ) as connection,
        connection.cursor() as cursor_,
    ):
        cursor_.execute("SELECT run_id FROM runs")
        assert run["runId"] in {row[0] for row in cursor_.fetchall()}
    assert not list((serving.data_dir / "dagster_home").rglob("*.db"))


def test_upgrade_migrates_the_instance_and_loads_the_code_before_the_daemon(serving: Installation) -> None:
    run = wait_for("a finished sensor run", lambda: finished_sensor_run(serving))
    output = serving.script("serve.sh", "upgrade").stdout
    lines = output.splitlines()
    # Backed up first, then migrated, then the code location loaded, and only then the daemon.
    backup = next(i for i, line in enumerate(lines) if line.startswith("backup written to"))
    loaded = next(i for i, line in enumerate(lines) if line.startswith("code location jiit_assets loaded"))
    assert backup < loaded < len(lines) - 1
    assert "Updating run storage..." in output and "Storage schema state after migration:" in output
    assert lines[-1] == "upgraded: instance migrated, code location loaded, daemon and webserver started"
    assert list((serving.root / "backups-a").glob("*/dagster.pgdump"))
    assert finished_sensor_run(serving) == run
    assert "daemon: running" in serving.script("serve.sh", "status", check=False).stdout


def test_backup_then_restore_into_an_empty_data_folder(serving: Installation, scratch: Path) -> None:
    wait_for("a finished sensor run", lambda: finished_sensor_run(serving))
    documents = documents_by_collection(serving.mongo_uri)
    assert documents[f"{DATABASE}.notices"], documents.keys()
    backup = scratch / "backup"
    serving.script("backup.sh", "backup", str(backup))  # while everything runs
    serving.script("serve.sh", "stop")

    restored = Installation(scratch, name="b")
    output = restored.script("backup.sh", "restore", str(backup)).stdout
    assert "document counts per collection match the backup" in output
    assert restored.script("pg.sh", "status", check=False).returncode == 3  # restore leaves it stopped

    restored.script("db.sh", "start", str(restored.ports["DB_PORT"]))
    try:
        again = documents_by_collection(restored.mongo_uri)
    finally:
        restored.script("db.sh", "stop")
    assert {name: len(docs) for name, docs in again.items()} == {
        name: len(docs) for name, docs in documents.items()
    }
    assert again == documents

    restored.script("pg.sh", "start")
    try:
        settings = restored.postgres_settings()
        with (
            psycopg2.connect(
                host="127.0.0.1",
                port=restored.ports["DAGSTER_PG_PORT"],
                user=settings["DAGSTER_PG_USERNAME"],
                password=settings["DAGSTER_PG_PASSWORD"],
                dbname=settings["DAGSTER_PG_DB"],
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT count(*) FROM runs")
            assert cursor.fetchone()[0] >= 1
    finally:
        restored.script("pg.sh", "stop")
