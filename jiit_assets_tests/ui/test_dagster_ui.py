"""The Dagster UI, the project's front door, driven by headless Chromium against the demo stack.

What a newcomer does after `make demo`: find every asset in the lineage graph, turn the hourly
schedule off and on, and materialize the official placement figures by hand and watch the run
succeed. Waits are Playwright's auto-waiting assertions and bounded GraphQL polls, never sleeps.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, Response, expect
from pymongo import MongoClient

from jiit_assets.definitions import defs
from jiit_assets_tests.ui.conftest import LOCATION, DemoStack

pytestmark = pytest.mark.timeout(240)

SCHEDULE = "hourly_update_schedule"
MANUAL_ASSET = "official_placement_stats"
RUN_TIMEOUT_MS = 120_000

SCHEDULE_STATE = """
query ($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename
    ... on Schedule { scheduleState { status } }
  }
}
"""

RUN_STATUS = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      status
      assetSelection { path }
      stepStats { stepKey status }
    }
  }
}
"""

ASSETS = """
query {
  assetNodes {
    assetKey { path }
    description
    groupName
    kinds
    owners { __typename ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
  }
}
"""


def expected_assets() -> list[str]:
    graph = defs.resolve_asset_graph()
    return sorted(key.to_user_string() for key in graph.materializable_asset_keys)


def schedule_status(stack: DemoStack) -> str:
    selector = {
        "repositoryLocationName": LOCATION,
        "repositoryName": "__repository__",
        "scheduleName": SCHEDULE,
    }
    result = stack.graphql(SCHEDULE_STATE, {"selector": selector})["scheduleOrError"]
    assert result["__typename"] == "Schedule", result
    return str(result["scheduleState"]["status"])


def wait_for_run(stack: DemoStack, run_id: str) -> dict[str, object]:
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while True:
        run = stack.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return dict(run)
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}\n{stack.logs()}"
        time.sleep(1)


def test_every_asset_has_what_the_ui_shows(demo_stack: DemoStack) -> None:
    """Description, group, kinds and owners: what a person reads on every asset's page."""
    nodes = demo_stack.graphql(ASSETS)["assetNodes"]
    shown = {"/".join(node["assetKey"]["path"]): node for node in nodes}
    assert sorted(shown) == expected_assets()
    missing = {
        name: [field for field in ("description", "groupName", "kinds", "owners") if not node[field]]
        for name, node in shown.items()
    }
    assert {name: fields for name, fields in missing.items() if fields} == {}
    assert all(node["groupName"] != "default" for node in nodes)


def test_every_asset_is_in_the_lineage_graph(page: Page) -> None:
    page.goto("/asset-groups")
    graph = page.locator("svg").filter(has=page.locator("foreignObject")).first
    expect(graph).to_be_visible()
    # The global graph starts with groups collapsed; its context menu expands them all.
    graph.click(button="right", position={"x": 20, "y": 20})
    page.get_by_role("menuitem", name=re.compile("Expand all groups")).click()
    jump = page.get_by_placeholder("Jump to…")
    for name in expected_assets():
        # The jump menu and the node both name a key of several parts ("campus_app/Jobs") by its
        # last part. Jumping centres the graph on the asset: large graphs only render nodes in view.
        last = name.rsplit("/", 1)[-1]
        jump.fill(last)
        page.get_by_role("menuitem", name=last, exact=True).click()
        # Long node labels are shortened in the middle ("Official…ementData"): match both ends.
        ends = re.compile(
            f"^{re.escape(last[:6])}.*{re.escape(last[-4:])}$" if len(last) > 12 else f"^{last}$"
        )
        node = page.locator('[class*="AssetNode_assetName"]').get_by_text(ends).first
        expect(node, f"asset {name} in the lineage graph").to_be_visible()


def test_hourly_update_schedule_turns_off_and_on(page: Page, demo_stack: DemoStack) -> None:
    assert schedule_status(demo_stack) == "RUNNING"
    page.goto(f"/locations/{LOCATION}/schedules/{SCHEDULE}")
    expect(page.get_by_text("At minute 0 of every hour", exact=False)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Running", exact=True))
    switch = row.get_by_role("checkbox")
    expect(switch).to_be_checked()

    row.locator("label").click()
    expect(switch).not_to_be_checked()
    assert wait_for_status(demo_stack, "STOPPED") == "STOPPED"

    row.locator("label").click()
    expect(switch).to_be_checked()
    assert wait_for_status(demo_stack, "RUNNING") == "RUNNING"

    # The state is stored in the instance, not just in the page: a fresh load shows it.
    page.reload()
    expect(switch).to_be_checked()


def wait_for_status(stack: DemoStack, wanted: str) -> str:
    """The UI's mutation has returned when the switch flips; GraphQL must then agree at once or shortly."""
    deadline = time.monotonic() + 10
    status = schedule_status(stack)
    while status != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        status = schedule_status(stack)
    return status


def is_launch(response: Response) -> bool:
    return "graphql" in response.url and "op=LaunchPipelineExecution" in response.url


def launched_run_id(response: Response) -> str:
    result = response.json()["data"]["launchPipelineExecution"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return str(result["run"]["id"])


def test_materialize_official_placement_stats_from_the_ui(page: Page, demo_stack: DemoStack) -> None:
    page.goto(f"/assets/{MANUAL_ASSET}")
    expect(page.get_by_text("Never materialized").first).to_be_visible()
    with page.expect_response(is_launch) as launch:
        # The button's accessible name includes its icon's ("materialization Materialize").
        page.get_by_role("button", name=re.compile(r"(^|\s)Materialize$")).click()
    run_id = launched_run_id(launch.value)
    expect(page.get_by_text(f"Launched run {run_id[:8]}")).to_be_visible()

    page.goto("/runs")
    page.locator(f'a[href="/runs/{run_id}"]').filter(has_text=run_id[:8]).click()
    expect(page).to_have_url(re.compile(f"/runs/{run_id}"))
    # The run page follows the run live; this waits for the outcome it shows.
    expect(page.get_by_text("Success", exact=True).first).to_be_visible(timeout=RUN_TIMEOUT_MS)

    run = wait_for_run(demo_stack, run_id)
    assert run["status"] == "SUCCESS", f"{run}\n{demo_stack.logs()}"
    assert run["assetSelection"] == [{"path": [MANUAL_ASSET]}]
    client: MongoClient[dict[str, object]]
    with MongoClient(demo_stack.mongo_uri, serverSelectionTimeoutMS=5000) as client:
        snapshots = client[demo_stack.database][MANUAL_ASSET].count_documents({})
    assert snapshots >= 1

    page.goto(f"/assets/{MANUAL_ASSET}")
    expect(page.get_by_text("Latest materialization")).to_be_visible()
    expect(page.get_by_text("Never materialized")).to_have_count(0)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("sensors", "digest_sensor"),
        ("sensors", "operator_alerts_sensor"),
        ("sensors", "unsent_notices_sensor"),
        ("schedules", "reminders_schedule"),
    ],
)
def test_automation_pages_say_what_each_does_in_ist(page: Page, kind: str, name: str) -> None:
    """An operator opening a sensor or schedule reads its description; schedules show their zone."""
    definition = defs.resolve_sensor_def(name) if kind == "sensors" else defs.resolve_schedule_def(name)
    assert definition.description
    page.goto(f"/locations/{LOCATION}/{kind}/{name}")
    # The page renders the description as Markdown: its opening up to any `code` is one text run.
    opening = definition.description.split("`")[0][:60].strip()
    expect(page.get_by_text(opening, exact=False).first).to_be_visible()
    if kind == "schedules":
        expect(page.get_by_text("Asia/Kolkata", exact=False).first).to_be_visible()
