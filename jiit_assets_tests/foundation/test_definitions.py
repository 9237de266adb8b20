"""The code location as a person sees it in the UI: everything loads, documented, scheduled in IST."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from jiit_assets.definitions import defs
from jiit_assets_tests.fixtures.servers import REPO_ROOT

EXPECTED_ASSETS = {
    "raw_superset_notices": "superset",
    "enriched_jobs": "superset",
    "notices": "notices",
    "email_placement_offers": "email",
    "email_notices": "email",
    "official_placement_stats": "official",
    "placement_stats": "analytics",
    "deliveries": "delivery",
    "campus_app/Jobs": "campus_app",
    "campus_app/Notices": "campus_app",
    "campus_app/PlacementOffers": "campus_app",
    "campus_app/OfficialPlacementData": "campus_app",
    "deadline_reminders": "reminders",
}


def test_every_asset_is_loaded_in_its_group_and_documented_for_the_ui():
    graph = defs.resolve_asset_graph()
    found = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    assert set(found) == set(EXPECTED_ASSETS)
    for name, node in found.items():
        assert node.group_name == EXPECTED_ASSETS[name], name
        assert node.description and len(node.description) > 40, f"{name} needs a description"
        assert node.kinds, f"{name} needs kinds"
        assert node.owners, f"{name} needs owners"
        assert "mongodb" in node.kinds, name


def test_every_asset_check_has_a_description():
    graph = defs.resolve_asset_graph()
    check_keys = list(graph.asset_check_keys)
    assert check_keys, "asset checks guard data quality"
    for check_key in check_keys:
        spec = graph.get_check_spec(check_key)
        assert spec.description, f"check {check_key.name} on {check_key.asset_key.to_user_string()}"


@pytest.mark.parametrize(
    ("schedule_name", "cron", "job_name"),
    [
        ("hourly_update_schedule", "0 * * * *", "update_job"),
        ("noon_official_placement_schedule", "0 12 * * *", "official_placement_job"),
        ("campus_app_schedule", "5,20,35,50 * * * *", "campus_app_job"),
        ("reminders_schedule", "*/15 * * * *", "reminders_job"),
    ],
)
def test_schedules_run_in_india_standard_time(schedule_name, cron, job_name):
    schedule = defs.resolve_schedule_def(schedule_name)
    assert schedule.cron_schedule == cron
    assert schedule.execution_timezone == "Asia/Kolkata"
    assert schedule.job_name == job_name
    assert schedule.description


def test_update_job_materializes_every_source_and_the_queue_but_not_delivery():
    job = defs.resolve_job_def("update_job")
    selected = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {
        "raw_superset_notices",
        "enriched_jobs",
        "email_placement_offers",
        "email_notices",
        "notices",
    } <= selected
    assert "deliveries" not in selected
    assert "official_placement_stats" not in selected


@pytest.mark.parametrize("name", ["unsent_notices_sensor", "digest_sensor"])
def test_the_delivery_sensors_request_the_delivery_job(name):
    sensor = defs.resolve_sensor_def(name)
    assert sensor.job_name == "delivery_job"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds is not None and sensor.minimum_interval_seconds <= 60
    assert sensor.description


def test_secrets_are_environment_references_not_values(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    monkeypatch.setenv("MONGODB_URI", "mongodb://cell:hunter2@db.example.org/")
    from jiit_assets.definitions import build_resources

    resources = build_resources()
    assert resources["mongo"].uri == "MONGODB_URI"
    assert isinstance(resources["mongo"].uri, dg.EnvVar)
    assert "SECRET-TOKEN-VALUE" not in repr(resources)
    assert "hunter2" not in repr(resources)


def test_the_public_subscribe_url_is_a_resource_setting(monkeypatch):
    from jiit_assets.definitions import build_resources
    from jiit_assets.defs.delivery.telegram_resource import TelegramResource

    monkeypatch.setenv("SUBSCRIBE_PUBLIC_URL", "https://alerts.example.org/")
    telegram = build_resources()["telegram"]
    assert isinstance(telegram.subscribe_public_url, dg.EnvVar)
    assert telegram.subscribe_public_url == "SUBSCRIBE_PUBLIC_URL"
    assert TelegramResource(subscribe_public_url="https://alerts.example.org/").public_url == (
        "https://alerts.example.org"
    )
    assert TelegramResource(subscribe_public_url="javascript:alert(1)").public_url == ""


def test_dagster_validates_the_workspace():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DAGSTER_")}
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
