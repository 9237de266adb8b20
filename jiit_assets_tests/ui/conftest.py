"""The demo stack for the browser tests: stand-ins, `dagster dev` and headless Chromium.

Everything runs the way `make demo` runs it, but isolated: the session's FerretDB with a database
of its own, the stand-ins on free ports (``python -m jiit_assets_tests.standins --free-ports``), a
temporary DAGSTER_HOME holding the project's dagster.yaml, and `dagster dev` on a free port, started
from a temporary directory so a developer's ``.env`` cannot point the test at real services.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from pymongo import MongoClient

from jiit_assets_tests.fixtures.servers import REPO_ROOT, free_port, with_repository_on_path

CHROMIUM = "/usr/bin/chromium"
LOCATION = "jiit_assets"
# Variables that would point the stack at real services; the stand-ins replace all of them.
SERVICE_VARIABLES = (
    "MONGODB_URI",
    "MONGODB_DATABASE",
    "SUPERSET_CREDENTIALS",
    "SUPERSET_BASE_URL",
    "SUPERSET_PUBLIC_KEY_PEM",
    "IMAP_HOST",
    "IMAP_PORT",
    "IMAP_USER",
    "IMAP_PASSWORD",
    "IMAP_FOLDER",
    "IMAP_TLS_MODE",
    "OFFICIAL_SITE_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_CHAT_ID",
    "TELEGRAM_API_BASE_URL",
    "VAPID_PRIVATE_KEY",
    "VAPID_PUBLIC_KEY",
    "VAPID_SUBJECT",
    "DAGSTER_HOME",
)
STARTUP_TIMEOUT = 90.0

LOCATION_STATUS = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""

# A 2-core machine busy with the rest of the suite can take well over Playwright's default 5 s to
# render a page the first time; waiting longer changes nothing for a page that renders quickly.
expect.set_options(timeout=30_000)


@dataclass
class DemoStack:
    url: str
    mongo_uri: str
    database: str
    standins: dict[str, Any]  # {"env": {...}, "pages": {...}} as written by the stand-ins launcher
    workdir: Path

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return dict(body["data"])

    def logs(self) -> str:
        parts = []
        for name in ("standins.log", "dagster.log"):
            path = self.workdir / name
            if path.exists():
                parts.append(f"--- {name} (last lines)\n" + "\n".join(path.read_text().splitlines()[-40:]))
        return "\n".join(parts)


def stop_group(process: subprocess.Popen[bytes], first_signal: int, grace: float) -> None:
    """Stop a process started in its own session, and everything it spawned."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, first_signal)
            process.wait(timeout=grace)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
    # dagster dev's children (webserver, daemon, code servers, run workers) share its group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_for_file(path: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not path.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the stand-ins exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the stand-ins wrote no {path.name} within {STARTUP_TIMEOUT} s")
        time.sleep(0.1)


def _wait_for_location(stack: DemoStack, process: subprocess.Popen[bytes]) -> None:
    """Until the webserver answers and the code location is loaded (or failed to load)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited with {process.returncode}\n{stack.logs()}")
        try:
            data = stack.graphql(LOCATION_STATUS)
        except (httpx.HTTPError, ValueError) as error:
            last = str(error)
        else:
            entries = {entry["name"]: entry for entry in data["workspaceOrError"]["locationEntries"]}
            entry = entries.get(LOCATION)
            last = json.dumps(entry)
            if entry and entry["loadStatus"] == "LOADED":
                load_error = entry["locationOrLoadError"]
                if load_error and load_error["__typename"] == "PythonError":
                    raise RuntimeError(f"code location failed to load: {load_error['message']}")
                return
        time.sleep(0.5)
    raise TimeoutError(f"code location not loaded within {STARTUP_TIMEOUT} s ({last})\n{stack.logs()}")


@pytest.fixture(scope="module")
def demo_stack(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    workdir = tmp_path_factory.mktemp("demo_stack")
    database = f"ui_{uuid.uuid4().hex[:10]}"
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env.update(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database, PYTHONUNBUFFERED="1")

    standins_log = workdir / "standins.log"
    env_file = workdir / "standins.env"
    standins = subprocess.Popen(
        [sys.executable, "-m", "jiit_assets_tests.standins", "--env-file", str(env_file), "--free-ports"],
        cwd=workdir,
        env=with_repository_on_path(env),
        stdout=standins_log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    dagster: subprocess.Popen[bytes] | None = None
    try:
        wait_for_file(env_file, standins, standins_log)
        info = json.loads(env_file.with_suffix(".json").read_text())
        env.update(info["env"])

        home = workdir / "dagster_home"
        home.mkdir()
        shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
        env["DAGSTER_HOME"] = str(home)
        (workdir / "workspace.yaml").write_text(
            "load_from:\n"
            "  - python_module:\n"
            "      module_name: jiit_assets.definitions\n"
            f"      location_name: {LOCATION}\n"
            f"      working_directory: {REPO_ROOT}\n"
        )
        port = free_port()
        dagster = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("dagster")),
                "dev",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-w",
                str(workdir / "workspace.yaml"),
            ],
            cwd=workdir,
            env=env,
            stdout=(workdir / "dagster.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack = DemoStack(f"http://127.0.0.1:{port}", mongo_uri, database, info, workdir)
        _wait_for_location(stack, dagster)
        # The "Join the Dagster community" dialog of a first visit would steal clicks mid-test.
        stack.graphql("mutation SetNuxSeen { setNuxSeen }")
        yield stack
    finally:
        if dagster is not None:
            stop_group(dagster, signal.SIGINT, grace=20)
        stop_group(standins, signal.SIGTERM, grace=10)
        client: MongoClient[dict[str, Any]]
        with MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
            client.drop_database(database)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    playwright: Playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(
    browser: Browser,
    demo_stack: DemoStack,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_stack.url, viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    # Should the community dialog show despite setNuxSeen, dismiss it whenever it gets in the way.
    page.add_locator_handler(
        page.get_by_role("button", name="Skip", exact=True), lambda skip: skip.click(), no_wait_after=True
    )
    try:
        yield page
    finally:
        if request.node.stash.get(CALL_FAILED, False):
            shots = tmp_path_factory.mktemp("ui_failures")
            path = shots / f"{request.node.name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the failing page: {path}\n{demo_stack.logs()}")
        context.close()
